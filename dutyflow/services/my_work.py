"""A reviewer's own work at the desk: what waits for them (drafts they may decide, replies to
accept or return) and what they decided in the last days, read from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from dutyflow.core.vocabulary import DocumentStatus
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_by, period_documents
from dutyflow.models.followup import replies_to_settle
from dutyflow.models.tables import Case, Document, Event, Organization, utcnow
from dutyflow.services.review import own_organization
from dutyflow.services.reviewers import Reviewer

# what a reviewer decides: a document's approval or rejection, a reply's 销号 or 退回
DECISION_EVENTS = (DocumentStatus.APPROVED, DocumentStatus.REJECTED, "accepted", "returned")


@dataclass(frozen=True)
class MyWork:
    drafts: list[tuple[Document, str, bool]]  # the draft, its organization, a proposal
    replies: list[tuple[Case, str]]  # a case whose reply waits, its organization
    decided: list[Event]  # newest first
    days: int  # how far back `decided` goes


def my_work(reviewer: Reviewer, *, days: int = 7) -> MyWork:
    """Drafts and replies this reviewer may decide (never their own organization's), and what
    they decided in the last `days` days."""
    with session_scope() as session:
        orgs = {o.org_code: o for o in session.query(Organization).all()}
        names = organization_names(session=session)
        proposals = set(session.execute(select(Case.id).where(  # type: ignore[call-overload]
            Case.proposal.is_(True))).scalars())  # type: ignore[attr-defined]
        drafts = [(d, names.get(d.org_code, "") if d.org_code else "", d.id in proposals)
                  for d in period_documents(session=session, statuses=(DocumentStatus.DRAFT,))
                  if not own_organization(reviewer, orgs.get(d.org_code or ""))]
        replies = [(c, names.get(c.org_code, c.org_code))
                   for c in replies_to_settle(session=session)
                   if not own_organization(reviewer, orgs.get(c.org_code))]
        decided = events_by(session=session, actor=reviewer.name,
                            since=utcnow() - timedelta(days=days), events=DECISION_EVENTS)
    return MyWork(drafts, replies, decided, days)
