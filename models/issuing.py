"""Data access for issuing: gapless document numbers, and the record of what was issued."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import DocumentStatus
from dutyflow.models.tables import ActionEvent, Case, DocumentCounter, IssuedDocument, utcnow


def approved_action_ids(*, session: Session, period: str) -> list[str]:
    return list(session.execute(
        select(Case.id).where(Case.period == period, Case.status == DocumentStatus.APPROVED)
        .order_by(Case.org_code, Case.id)).scalars())


def claim_for_issue(*, session: Session, action_id: str) -> Case | None:
    """Move one approved action to issued inside the caller's transaction, or None if taken."""
    claimed = session.execute(
        update(Case).where(Case.id == action_id, Case.status == DocumentStatus.APPROVED)
        .values(status=DocumentStatus.ISSUED, issued_at=utcnow(), updated_at=utcnow())).rowcount
    if not claimed:
        return None
    action = session.get(Case, action_id)
    if action is not None:
        session.refresh(action)
    return action


def next_number(*, session: Session, prefix: str, year: int) -> int:
    """The issuer's next number for the year; the counter row stays locked until commit."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    session.execute(insert(DocumentCounter).values(prefix=prefix, year=year, last_number=0)
                    .on_conflict_do_nothing(index_elements=["prefix", "year"]))
    return int(session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.prefix == prefix, DocumentCounter.year == year)
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)).scalar_one())


def record_issued(*, session: Session, document: IssuedDocument, action: Case | None) -> None:
    session.add(document)
    if action is not None:
        action.doc_number, action.document_sha256 = document.doc_number, document.sha256
        action.document, action.html_document = document.path, document.html_path
        session.add(action)
        session.add(ActionEvent(action_id=action.id, period=action.period, event=DocumentStatus.ISSUED,
                                actor=document.issued_by, note=document.doc_number))


def issued_paths(*, session: Session, period: str) -> set[str]:
    rows = session.execute(select(IssuedDocument.path, IssuedDocument.html_path)
                           .where(IssuedDocument.period == period)).all()
    return {p for row in rows for p in row}


def issued_for(*, session: Session, subject: str) -> IssuedDocument | None:
    return session.execute(select(IssuedDocument).where(IssuedDocument.subject == subject)
                           ).scalars().first()


def quarter_actions(*, session: Session, quarter: str, statuses: tuple[str, ...]) -> list[Case]:
    """The actions of a quarter's three months with one of `statuses`."""
    q = Period.parse(quarter)
    months = [str(Period(q.year, "month", m)) for m in range(3 * q.index - 2, 3 * q.index + 1)]
    return list(session.execute(
        select(Case).where(Case.period.in_(months), Case.status.in_(statuses))  # type: ignore[attr-defined]
        .order_by(Case.period, Case.org_code, Case.id)).scalars())


def measures_of(*, session: Session, ids: list[str]) -> dict[str, str]:
    """Each case's measure, by id."""
    if not ids:
        return {}
    return dict(session.execute(select(Case.id, Case.measure).where(Case.id.in_(ids))).all())


def criticism_circulars(*, session: Session, period: str) -> list[str]:
    """The subjects of the period's 通报批评 already issued (criticism-2026-10, -2, ...)."""
    return list(session.execute(select(IssuedDocument.subject).where(
        IssuedDocument.period == period,
        IssuedDocument.subject.like(f"criticism-{period}%"))).scalars())
