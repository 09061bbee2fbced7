"""Data access for issuing: gapless document numbers, and what waits to be issued."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import CHASE, DocumentStatus
from dutyflow.models.tables import Case, Document, DocumentCounter


def approved_documents(*, session: Session, period: str) -> list[tuple[str, str]]:
    """(id, kind) of the period's approved documents, in the order they are numbered: the
    cases' notices by organization, then the 催办 (as the office has always numbered them)."""
    return [(i, k) for i, k in session.execute(
        select(Document.id, Document.kind).where(Document.period == period,
                                                 Document.status == DocumentStatus.APPROVED)
        .order_by(Document.kind == CHASE, Document.org_code, Document.id)).all()]


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


def quarter_cases(*, session: Session, quarter: str, statuses: tuple[str, ...]) -> list[Case]:
    """The cases of a quarter's three months whose notice has one of `statuses`."""
    q = Period.parse(quarter)
    months = [str(Period(q.year, "month", m)) for m in range(3 * q.index - 2, 3 * q.index + 1)]
    return list(session.execute(
        select(Case).where(Case.period.in_(months), Case.status.in_(statuses))  # type: ignore[attr-defined]
        .order_by(Case.period, Case.org_code, Case.id)).scalars())
