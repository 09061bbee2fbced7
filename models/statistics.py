"""Data access for the circulars' figures: the quarter's ledger and its cases."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import DONE_ITEM_STATUSES, OPEN_ITEM_STATUSES
from dutyflow.models.tables import Rectification


def quarter_months(quarter: Period) -> list[str]:
    return [str(Period(quarter.year, "month", m))
            for m in range(3 * quarter.index - 2, 3 * quarter.index + 1)]


@dataclass(frozen=True)
class LedgerSummary:
    period: str | None  # the latest month of the quarter with a ledger
    total: int
    done: int
    overdue: int

    @property
    def rate(self) -> float:
        return self.done / self.total if self.total else 1.0


def ledger_summary(*, session: Session, months: list[str]) -> LedgerSummary:
    """The rectification ledger as last reported in `months`: items, done, open past due."""
    latest = session.execute(select(func.max(Rectification.period)).where(
        Rectification.period.in_(months))).scalar()  # type: ignore[attr-defined]
    if latest is None:
        return LedgerSummary(None, 0, 0, 0)
    last_day = Period.parse(latest).last_day
    rows = session.execute(select(Rectification.status, Rectification.deadline,
                                  Rectification.extended_to, Rectification.completed_on)
                           .where(Rectification.period == latest)).all()
    done = sum(1 for s, _, _, completed in rows if s in DONE_ITEM_STATUSES and completed)
    overdue = sum(1 for s, deadline, extended, _ in rows
                  if s in OPEN_ITEM_STATUSES and (extended or deadline) < last_day)
    return LedgerSummary(latest, len(rows), done, overdue)
