"""Reporting periods: `2026-10` (month), `2026-Q3` (quarter), `2026` (year)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import Field

from dutyflow.core.errors import BadPeriodError

# For flow parameters: Prefect publishes it in the deployment's schema, so the UI, the API and
# `prefect deployment run --param period=...` refuse a malformed period before a run starts.
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]|[Qq][1-4]))?$"
PeriodParam = Annotated[str, Field(pattern=PERIOD_PATTERN,
                                   description="2026-10 (month), 2026-Q3 (quarter) or 2026 (year)")]

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; `kind` is month, quarter or year."""

    year: int
    kind: str
    index: int  # month 1-12, quarter 1-4, or 1 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        raw = str(text).strip()
        if m := _MONTH.match(raw):
            month = int(m.group(2))
            if 1 <= month <= 12:
                return cls(int(m.group(1)), "month", month)
        elif m := _QUARTER.match(raw):
            return cls(int(m.group(1)), "quarter", int(m.group(2)))
        elif m := _YEAR.match(raw):
            return cls(int(m.group(1)), "year", 1)
        raise BadPeriodError(
            f"period {text!r} is not a month like 2026-10, a quarter like 2026-Q3 or a year like 2026"
        )

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}"

    @property
    def first_day(self) -> date:
        if self.kind == "month":
            return date(self.year, self.index, 1)
        if self.kind == "quarter":
            return date(self.year, 3 * self.index - 2, 1)
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        month = {"month": self.index, "quarter": 3 * self.index, "year": 12}[self.kind]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        """The period in Chinese, as notices write it."""
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年度"

    def previous(self) -> Period:
        if self.kind == "month":
            return Period(self.year - (self.index == 1), "month", 12 if self.index == 1 else self.index - 1)
        if self.kind == "quarter":
            return Period(self.year - (self.index == 1), "quarter", 4 if self.index == 1 else self.index - 1)
        return Period(self.year - 1, "year", 1)

    def containing(self, kind: str) -> Period:
        """The quarter or year this period falls in (itself if already that kind)."""
        if kind == self.kind:
            return self
        if kind == "year":
            return Period(self.year, "year", 1)
        if kind == "quarter" and self.kind == "month":
            return Period(self.year, "quarter", (self.index - 1) // 3 + 1)
        raise ValueError(f"a {self.kind} is not inside a {kind}")

    def closes(self, kind: str) -> bool:
        """True when this period is the last month (or quarter) of a `kind` period."""
        return self.last_day == self.containing(kind).last_day if self._within(kind) else False

    def _within(self, kind: str) -> bool:
        order = {"month": 0, "quarter": 1, "year": 2}
        return order[self.kind] <= order[kind]

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def parse_period(text: str) -> Period:
    return Period.parse(text)
