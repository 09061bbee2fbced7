"""Data access for 催办 letters: which answers are overdue, which letters chase which case, and
what escalation is judged on. A 催办 is a document like any other (kind `chase`); only these
questions about it are its own."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from dutyflow.core.vocabulary import CHASE, DocumentStatus, FollowUp, chase_subject
from dutyflow.models.documents import open_document
from dutyflow.models.tables import Case, Document, DocumentCase, Reply


def _chases_of(case_id: Any) -> Any:
    return select(Document.id).join(DocumentCase, DocumentCase.document_id == Document.id).where(
        Document.kind == CHASE, DocumentCase.case_id == case_id)


def overdue_answers(*, session: Session, as_of: date) -> list[Case]:
    """Issued cases still waiting for an answer whose date passed before `as_of`, with nothing
    received and no 催办 yet for that date."""
    chased = select(Document.id).join(DocumentCase, DocumentCase.document_id == Document.id).where(
        Document.kind == CHASE, DocumentCase.case_id == Case.id,
        Document.overdue_since == Case.reply_due)
    return list(session.execute(select(Case).where(
        Case.status == DocumentStatus.ISSUED, Case.follow_up == FollowUp.AWAITING_REPLY,
        Case.replied_on.is_(None), Case.reply_due < as_of,  # type: ignore[union-attr,operator]
        ~chased.exists()).order_by(Case.id)).scalars().unique())


def open_chase(*, session: Session, case: Case, period: str) -> Document:
    """A 催办 draft for a case whose answer did not come by its date."""
    rounds = session.execute(select(func.count()).select_from(
        _chases_of(case.id).subquery())).scalar_one()
    assert case.reply_due is not None
    return open_document(session=session, document_id=chase_subject(case.id, rounds + 1),
                         kind=CHASE, period=period, case_ids=[case.id], org_code=case.org_code,
                         overdue_since=case.reply_due,
                         note=f"{case.id}应于{case.reply_due}前反馈，未收到")


def chases_of(*, session: Session, case_id: str) -> list[Document]:
    return list(session.execute(select(Document).where(Document.id.in_(  # type: ignore[attr-defined]
        _chases_of(case_id))).order_by(Document.created_at, Document.id)).scalars())


def chased_case(*, session: Session, chase_id: str) -> Case | None:
    """The case a 催办 chases."""
    case_id = session.execute(select(DocumentCase.case_id).where(
        DocumentCase.document_id == chase_id).limit(1)).scalar_one_or_none()
    return session.get(Case, case_id) if case_id else None


def period_chase_map(*, session: Session, case_period: str) -> dict[str, list[Document]]:
    """The 催办 letters of a period's cases, by case (whatever cycle drafted them)."""
    rows = session.execute(select(DocumentCase.case_id, Document).join(
        Document, Document.id == DocumentCase.document_id).join(
        Case, Case.id == DocumentCase.case_id).where(
        Document.kind == CHASE, Case.period == case_period)
        .order_by(DocumentCase.case_id, Document.created_at, Document.id)).all()
    found: dict[str, list[Document]] = {}
    for case_id, chase in rows:
        found.setdefault(case_id, []).append(chase)
    return found


def answered_since(*, session: Session, case_id: str, after: date) -> bool:
    """Whether any reply to the case was received after `after`."""
    return session.execute(select(Reply.id).where(
        Reply.case_id == case_id, Reply.received_on > after).limit(1)).first() is not None


def unanswered_chases(*, session: Session, issued_since: date, issued_until: date
                      ) -> list[dict[str, Any]]:
    """Issued 催办 letters (dated in the window), their case, and the first reply received
    after the date the case missed: what escalation is judged on."""
    notice = Document.__table__.alias("notice")  # type: ignore[attr-defined]
    rows = session.execute(select(
        Document.id, DocumentCase.case_id, Document.org_code, Document.document_number,
        Document.issued_on, Document.overdue_since, Case.measure, notice.c.document_number)
        .join(DocumentCase, DocumentCase.document_id == Document.id)
        .join(Case, Case.id == DocumentCase.case_id)
        .join(notice, notice.c.id == Case.id).where(
        Document.kind == CHASE, Document.status == DocumentStatus.ISSUED,
        Document.issued_on >= issued_since,  # type: ignore[operator]
        Document.issued_on <= issued_until)).all()  # type: ignore[operator]
    replies = session.execute(select(Reply.case_id, Reply.received_on).where(
        Reply.case_id.in_({r[1] for r in rows}))).all() if rows else []  # type: ignore[attr-defined]
    out = []
    for chase_id, case_id, org, number, issued_on, missed, measure, case_number in rows:
        after = [day for case, day in replies if case == case_id and day > missed]
        out.append({"chase_id": chase_id, "case_id": case_id, "org_code": org,
                    "chase_number": number, "chased_on": issued_on, "overdue_since": missed,
                    "case_action": measure, "doc_number": case_number or "",
                    "answered_on": min(after) if after else None})
    return out
