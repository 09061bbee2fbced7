"""Data access for organizations' accounts: which organizations an account sees, the issued
documents addressed to them with their receipts (签收), and the cases they answer."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from dutyflow.core.vocabulary import DocumentStatus, FollowUp
from dutyflow.models.documents import log_event
from dutyflow.models.tables import (
    Case,
    Document,
    DocumentReceipt,
    Event,
    Organization,
    as_utc,
    utcnow,
)


def subtree_codes(*, session: Session, org_code: str) -> list[str]:
    """The organization and every organization under it (a recursive query: any depth)."""
    top = select(Organization.org_code).where(Organization.org_code == org_code).cte(
        "subtree", recursive=True)
    child = aliased(Organization)
    tree = top.union_all(select(child.org_code).join(top, child.parent_code == top.c.org_code))
    return list(session.execute(select(tree.c.org_code)).scalars())


@dataclass(frozen=True)
class InboxRow:
    id: str
    kind: str
    period: str
    document_number: str | None
    issued_on: date | None
    org_code: str | None  # None: to all units
    reply_due: date | None
    signed_for_at: datetime | None
    signed_by: str | None


def _addressed(codes: Collection[str]) -> object:
    """Issued, and addressed to one of these organizations or to all units."""
    return and_(Document.status == DocumentStatus.ISSUED,
                or_(Document.org_code.in_(list(codes)), Document.org_code.is_(None)))  # type: ignore[union-attr]


def inbox(*, session: Session, codes: Collection[str], own: str) -> list[InboxRow]:
    """The issued documents addressed to these organizations (a circular to all units once,
    signed for by the account's own organization), newest first."""
    receipt = aliased(DocumentReceipt)
    rows = session.execute(
        select(Document, receipt.signed_at, receipt.signed_by)
        .outerjoin(receipt, (receipt.document_id == Document.id)
                   & (receipt.org_code == func.coalesce(Document.org_code, own)))
        .where(_addressed(codes))
        .order_by(Document.issued_on.desc(), Document.id)).all()  # type: ignore[union-attr]
    return [InboxRow(d.id, d.kind, d.period, d.document_number, d.issued_on, d.org_code,
                     d.reply_due, as_utc(at) if at else None, by) for d, at, by in rows]


def addressed_document(*, session: Session, document_id: str,
                       codes: Collection[str]) -> Document | None:
    """The document, if it is issued and addressed to one of these organizations (or all)."""
    return session.execute(select(Document).where(Document.id == document_id,
                                                  _addressed(codes))).scalars().first()


def sign_for(*, session: Session, document: Document, org_code: str,
             actor: str) -> DocumentReceipt:
    """签收, once per organization and document: a second time changes nothing."""
    found = session.get(DocumentReceipt, (document.id, org_code))
    if found is not None:
        return found
    receipt = DocumentReceipt(document_id=document.id, org_code=org_code, signed_by=actor[:100],
                              signed_at=utcnow())
    session.add(receipt)
    log_event(session=session, subject=document.id, period=document.period, event="signed_for",
              actor=actor, note=org_code)
    session.flush()
    return receipt


def case_in_scope(*, session: Session, case_id: str, codes: Collection[str]) -> Case | None:
    """The case, if it is one of these organizations' and its notice was issued: a draft or a
    decision not yet sent is the office's, not yet the organization's."""
    case = session.get(Case, case_id)
    return (case if case is not None and case.org_code in codes
            and case.status == DocumentStatus.ISSUED else None)


def answers_due(*, session: Session, codes: Collection[str]) -> list[Case]:
    """Issued measures of these organizations still waiting for an answer, soonest first."""
    return list(session.execute(
        select(Case).join(Document, Document.id == Case.id)
        .where(Case.org_code.in_(list(codes)), Document.status == DocumentStatus.ISSUED,  # type: ignore[attr-defined]
               Case.follow_up == FollowUp.AWAITING_REPLY)
        .order_by(Case.reply_due, Case.id)).scalars().unique())


def return_reasons(*, session: Session, case_ids: Collection[str]) -> dict[str, str]:
    """For each case whose last word was the office returning its answer (退回), the reason
    as recorded (it ends with the new due date)."""
    rows = session.execute(select(Event.subject, Event.event, Event.note).where(
        Event.subject.in_(list(case_ids)),  # type: ignore[attr-defined]
        Event.event.in_(ANSWER_EVENTS))  # type: ignore[attr-defined]
        .order_by(Event.id)).all()
    last = {subject: (event, note) for subject, event, note in rows}
    return {subject: note for subject, (event, note) in last.items() if event == "returned"}


ANSWER_EVENTS = ("reply_received", "returned", "accepted")


def answer_record(*, session: Session, case_id: str) -> list[Event]:
    """A case's answers and the office's word on each (收到, 退回 with its reason, 销号), in
    order: what the organization reads of its own follow-up."""
    return list(session.execute(select(Event).where(
        Event.subject == case_id, Event.event.in_(ANSWER_EVENTS))  # type: ignore[attr-defined]
        .order_by(Event.id)).scalars())


def organization_rows(*, session: Session, codes: Collection[str]) -> list[Organization]:
    return list(session.execute(select(Organization).where(
        Organization.org_code.in_(list(codes))).order_by(Organization.org_code)).scalars())  # type: ignore[attr-defined]
