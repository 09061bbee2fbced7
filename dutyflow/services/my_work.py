"""A reviewer's own work at the desk: what waits for them (drafts they may decide, replies to
accept or return) and what they decided in the last days, read from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import DocumentStatus
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_by
from dutyflow.models.followup import replies_to_settle
from dutyflow.models.tables import Case, Document, Event, Organization, utcnow
from dutyflow.services.reviewers import Reviewer

# what a reviewer decides: a document's approval or rejection, a reply's 销号 or 退回
DECISION_EVENTS = (DocumentStatus.APPROVED, DocumentStatus.REJECTED, "accepted", "returned")


@dataclass(frozen=True)
class Waiting:
    """A draft waiting for a decision, as the list shows it."""

    id: str
    kind: str
    period: str
    organization: str
    proposal: bool


@dataclass(frozen=True)
class MyWork:
    drafts: list[Waiting]  # the first `shown` of them
    waiting: int  # how many drafts wait in all
    replies: list[tuple[Case, str]]  # a case whose reply waits, its organization
    decided: list[Event]  # newest first, the first `shown` of them
    decided_count: int
    days: int  # how far back `decided` goes


def my_work(reviewer: Reviewer, *, days: int = 7, shown: int | None = None) -> MyWork:
    """Drafts and replies this reviewer may decide (never their own organization's: their
    branch, or one whose secretary they are), and what they decided in the last `days` days."""
    shown = shown or settings.desk_page_size
    with session_scope() as session:
        # review.own_organization's rule, asked of the database once rather than of each row
        own = set(session.execute(select(Organization.org_code).where(  # type: ignore[call-overload]
            Organization.secretary == reviewer.name)).scalars()) | {reviewer.org_code or ""}
        drafts = select(  # type: ignore[call-overload]
            Document.id, Document.kind, Document.period, Document.org_code).where(
            Document.status == DocumentStatus.DRAFT,
            Document.org_code.is_(None) | Document.org_code.not_in(own))  # type: ignore[union-attr]
        waiting = session.execute(select(func.count()).select_from(drafts.subquery())).scalar_one()
        first = session.execute(drafts.order_by(Document.period, Document.id).limit(shown)).all()
        proposals = set(session.execute(select(Case.id).where(  # type: ignore[call-overload]
            Case.id.in_([row.id for row in first]),  # type: ignore[attr-defined]
            Case.proposal.is_(True))).scalars())  # type: ignore[attr-defined]
        answered = [c for c in replies_to_settle(session=session) if c.org_code not in own]
        codes = {row.org_code for row in first} | {c.org_code for c in answered}
        names: dict[str, str] = {code: name for code, name in session.execute(select(  # type: ignore[call-overload]
            Organization.org_code, Organization.org_name).where(
            Organization.org_code.in_(codes))).all()}  # type: ignore[attr-defined]
        listed = [Waiting(i, kind, period, names.get(org, "") if org else "", i in proposals)
                  for i, kind, period, org in first]
        replies = [(c, names.get(c.org_code, c.org_code)) for c in answered]
        decided = events_by(session=session, actor=reviewer.name,
                            since=utcnow() - timedelta(days=days), events=DECISION_EVENTS)
    return MyWork(listed, int(waiting), replies, decided[:shown], len(decided), days)
