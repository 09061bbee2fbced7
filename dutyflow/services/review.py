"""Who may decide a document, and recording every decision, including the refused ones.

One path for every kind: a case's notice, a 催办, the period's 通报批评, the quarter's
circulars. Who may decide is data: a document addressed to one organization is never decided
by someone of that organization; a case's notice whose measure the policy leaves to the
committee needs the committee decision's reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core import refusals
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import DOCUMENT_KINDS, DocumentStatus, document_name, measure_name
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.documents import (
    ReviewError,
    cases_by_document,
    get_document,
    log_event,
    period_documents,
    record_decision,
)
from dutyflow.models.tables import Case, Document, Organization
from dutyflow.services.reviewers import Reviewer, find_reviewer


class NotAReviewer(ReviewError):
    pass


def own_organization(reviewer: Reviewer, org: Organization | None) -> bool:
    """Whether a document addressed to `org` is the reviewer's own: their branch, or the one
    whose secretary they are (an account made without its branch is still its secretary)."""
    return org is not None and (reviewer.org_code == org.org_code
                                or bool(org.secretary and org.secretary.strip() == reviewer.name))


def check_reviewer(*, name: str, subject: str, org: Organization | None) -> None:
    """Refuse anyone who is not a reviewer, and anyone deciding on their own organization."""
    reviewer = find_reviewer(name)
    if reviewer is None:
        raise NotAReviewer(refusals.NOT_A_REVIEWER.format(name=name))
    if org is not None and own_organization(reviewer, org):
        raise NotAReviewer(refusals.OWN_ORGANIZATION.format(
            name=reviewer.name, organization=org.org_name, subject=subject))


def needs_committee(session: Session, document: Document) -> bool:
    """A case's notice whose measure the committee decides (a proposal)."""
    case = session.get(Case, document.id)
    return bool(case is not None and case.proposal)


def decide(*, document_id: str, decision: str, reviewer: str, note: str = "",
           decision_ref: str = "", seen_version: int | None = None) -> Document:
    """Record a decision on any document; a refused one is logged in its own transaction,
    then raised."""
    try:
        with session_scope() as session:
            document = get_document(session=session, document_id=document_id)
            if document is None:
                raise ReviewError(refusals.NO_DOCUMENT.format(document_id=document_id))
            kind = DOCUMENT_KINDS.get(document.kind)
            org = None if kind is None or kind.to_all or not document.org_code else \
                session.get(Organization, document.org_code)
            check_reviewer(name=reviewer, subject=document_id, org=org)
            decided = record_decision(
                session=session, document_id=document_id, decision=decision,
                reviewer=reviewer, note=note, decision_ref=decision_ref,
                committee=needs_committee(session, document), seen_version=seen_version)
    except DutyflowError as exc:
        with session_scope() as session:
            document = get_document(session=session, document_id=document_id)
            if document is not None:
                log_event(session=session, subject=document_id, period=document.period,
                          event=f"refused_{decision}", actor=reviewer, note=str(exc))
        raise
    if decided.kind == "circulated_criticism":
        # the period's 通报 names every criticism the committee decided: draft it again
        from dutyflow.services.criticism import draft_criticism_circular

        draft_criticism_circular(period=decided.period)
    return decided


@dataclass(frozen=True)
class PendingItem:
    """A document waiting for a decision, as a reviewer reads it."""

    document_id: str
    kind: str
    organization: str
    name: str  # the document's or the measure's
    reasons: str
    draft: str
    committee: bool = False


def pending_items(period: str | None) -> list[PendingItem]:
    """What waits for review in a period (or in all periods), with names and reasons."""
    with session_scope() as session:
        drafts = period_documents(session=session, period=period,
                                  statuses=(DocumentStatus.DRAFT,))
        names = organization_names(session=session)
        cases = {c.id: c for c in session.execute(select(Case).where(
            Case.id.in_([d.id for d in drafts]))).scalars().unique()}  # type: ignore[attr-defined]
        chased = cases_by_document(session=session,
                                   document_ids=[d.id for d in drafts if d.id not in cases])
    items = []
    for d in drafts:
        case = cases.get(d.id)
        who = names.get(d.org_code, d.org_code) if d.org_code else settings.office.all_units
        if case is not None:
            items.append(PendingItem(d.id, d.kind, who, measure_name(case.measure),
                                     "；".join(e["text"] for e in case.evidence),
                                     d.html_path or "", case.proposal))
        else:
            about = "、".join(chased.get(d.id, [])) or d.period
            why = (f"{about}应于{d.overdue_since}前反馈，未收到" if d.overdue_since
                   else f"{about}{document_name(d.kind)}")
            items.append(PendingItem(d.id, d.kind, who, document_name(d.kind), why,
                                     d.html_path or ""))
    return items


def office_drafts(period: str) -> list[str]:
    """The period's drafts one reviewer may decide alone: everything but the proposals."""
    return [i.document_id for i in pending_items(period) if not i.committee]
