"""Working days (工作日) in China: weekends, public holidays and adjusted working days (调休).

Due dates and talk bookings count working days. The State Council publishes each year's
holidays in the autumn before; `chinesecalendar` carries the published years. For a year it
does not know yet, dutyflow falls back to weekends plus the holidays and adjusted working days
listed in the settings (`DUTYFLOW_EXTRA_HOLIDAYS`, `DUTYFLOW_EXTRA_WORKDAYS`), and says so once
per year in the log: a due date is never refused because a calendar is out of date.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from dutyflow.core.settings import settings

log = logging.getLogger(__name__)


@functools.cache
def _warn_unknown_year(year: int) -> None:
    log.warning("the working-day calendar does not know %d yet: counting weekends and the "
                "holidays listed in DUTYFLOW_EXTRA_HOLIDAYS only", year)


def is_working_day(day: date) -> bool:
    """True on a working day: not a weekend or public holiday, or an adjusted working day."""
    if day in settings.extra_workdays:
        return True
    if day in settings.extra_holidays:
        return False
    known = _in_calendar(day)
    if known is None:  # a year the library has no data for
        _warn_unknown_year(day.year)
        return day.weekday() < 5
    return known


@functools.lru_cache(maxsize=8192)
def _in_calendar(day: date) -> bool | None:
    """The State Council's calendar for `day`, None for a year it does not cover (cached: the
    library checks its whole table on every call, a millisecond per notice)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The `count`-th working day after `day` (a notice dated Friday with 1 day: Monday)."""
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_days(start: date, count: int) -> list[date]:
    """`count` consecutive working days from `start` (inclusive when it is one)."""
    days: list[date] = []
    day = next_working_day(start)
    while len(days) < count:
        days.append(day)
        day = next_working_day(day + timedelta(days=1))
    return days


def local_time(moment: datetime) -> datetime:
    """A stored time (UTC; SQLite returns it naive) in the office's time zone, for people."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(settings.timezone))
