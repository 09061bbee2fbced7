"""Data access for 催办 letters: which answers are overdue, which letters chase which cases
(one letter per organization and cycle, naming every answer it is missing), and what
escalation is judged on. A 催办 is a document like any other (kind `chase`); only these
questions about it are its own."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session

from dutyflow.core.vocabulary import (
    CHASE,
    REVIEWABLE,
    TAKEN,
    DocumentStatus,
    FollowUp,
    chase_subject,
)
from dutyflow.models.documents import back_to_draft, open_document
from dutyflow.models.tables import Case, Document, DocumentCase, Reply


def _chases_of(case_id: Any) -> Any:
    return select(Document.id).join(DocumentCase, DocumentCase.document_id == Document.id).where(
        Document.kind == CHASE, DocumentCase.case_id == case_id)


def overdue_answers(*, session: Session, as_of: date) -> list[Case]:
    """Issued cases still waiting for an answer whose date passed before `as_of` (the cycle's
    day: chased at the first cycle after the date), with nothing received and no 催办 yet
    for that date."""
    chased = select(Document.id).join(DocumentCase, DocumentCase.document_id == Document.id).where(
        Document.kind == CHASE, DocumentCase.case_id == Case.id,
        Document.status != DocumentStatus.WITHDRAWN,
        func.coalesce(DocumentCase.due_on, Document.overdue_since) == Case.reply_due)
    return list(session.execute(select(Case).where(
        Case.status == DocumentStatus.ISSUED, Case.follow_up == FollowUp.AWAITING_REPLY,
        Case.replied_on.is_(None), Case.reply_due < as_of,  # type: ignore[union-attr,operator]
        ~chased.exists()).order_by(Case.org_code, Case.id)).scalars().unique())


def open_chase_of(*, session: Session, period: str, org_code: str) -> Document | None:
    """The organization's 催办 of this cycle still to be issued, if any."""
    return session.execute(select(Document).where(
        Document.kind == CHASE, Document.period == period, Document.org_code == org_code,
        Document.status.in_(REVIEWABLE)).order_by(  # type: ignore[attr-defined]
        Document.created_at.desc()).limit(1)).scalars().first()  # type: ignore[attr-defined]


def chase_cases(*, session: Session, chase_id: str) -> list[tuple[Case, date]]:
    """The cases a 催办 chases, each with the date its answer was due and missed."""
    rows = session.execute(select(Case, DocumentCase.due_on, Document.overdue_since).join(
        DocumentCase, DocumentCase.case_id == Case.id).join(
        Document, Document.id == DocumentCase.document_id).where(
        DocumentCase.document_id == chase_id).order_by(Case.id)).unique().all()
    return [(case, due or overdue) for case, due, overdue in rows]


def add_to_chase(*, session: Session, period: str, org_code: str, cases: list[Case]) -> Document:
    """The organization's one 催办 of this cycle, now also naming these cases (each with the
    date it missed): opened, or the open one extended and sent back to draft."""
    chase = open_chase_of(session=session, period=period, org_code=org_code)
    missed = min(c.reply_due for c in cases if c.reply_due is not None)
    note = "；".join(f"{c.id}应于{c.reply_due}前反馈，未收到" for c in cases)
    if chase is None:
        taken = session.execute(select(func.count()).select_from(Document).where(
            Document.kind == CHASE, Document.period == period,
            Document.org_code == org_code)).scalar_one()
        chase = open_document(session=session, document_id=chase_subject(period, org_code,
                                                                          taken + 1),
                              kind=CHASE, period=period, org_code=org_code,
                              overdue_since=missed, note=note,
                              content_hash=chase_digest(c.id for c in cases))
    else:
        named = [c.id for c, _ in chase_cases(session=session, chase_id=chase.id)]
        back_to_draft(session=session, document=chase, content_hash=chase_digest(
            [*named, *(c.id for c in cases)]), note=f"又有未按期反馈的案件：{note}")
        if chase.overdue_since is None or missed < chase.overdue_since:
            chase.overdue_since = missed
            session.add(chase)
    for case in cases:
        session.add(DocumentCase(document_id=chase.id, case_id=case.id, due_on=case.reply_due))
    session.flush()
    return chase


def chase_digest(case_ids: Iterable[str]) -> str:
    """What a 催办's reviewer approves: the cases it names."""
    return hashlib.sha256("|".join(sorted(set(case_ids))).encode()).hexdigest()


def measures_decided(*, session: Session, org_code: str, since: str) -> list[str]:
    """The measures approved or issued for an organization in cases of `since` and later."""
    return list(session.execute(select(Case.measure).join(Document, Document.id == Case.id)
                                .where(Case.org_code == org_code, Case.period >= since,
                                       Document.status.in_(TAKEN)))  # type: ignore[attr-defined]
                .scalars())


def drop_from_chase(*, session: Session, chase: Document, case_ids: list[str]) -> None:
    """Cases answered since: the 催办 no longer names them."""
    session.execute(delete(DocumentCase).where(
        DocumentCase.document_id == chase.id,
        DocumentCase.case_id.in_(case_ids)))  # type: ignore[attr-defined]
    session.flush()


def chases_of(*, session: Session, case_id: str) -> list[Document]:
    return list(session.execute(select(Document).where(Document.id.in_(  # type: ignore[attr-defined]
        _chases_of(case_id))).order_by(Document.created_at, Document.id)).scalars())


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
        Document.issued_on, func.coalesce(DocumentCase.due_on, Document.overdue_since),
        Case.measure, notice.c.document_number)
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
