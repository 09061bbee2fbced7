"""Working days: weekends, public holidays, adjusted working days, and years not yet published."""

from __future__ import annotations

import logging
from datetime import date

from dutyflow.core import calendar
from dutyflow.core.calendar import add_working_days, is_working_day, next_working_day, working_days
from dutyflow.core.settings import settings


def test_national_day_and_its_adjusted_saturday():
    assert not is_working_day(date(2026, 10, 1)) and not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_ten_working_days_skip_weekends():
    assert add_working_days(date(2026, 11, 23), 10) == date(2026, 12, 7)
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday
    assert working_days(date(2026, 11, 28), 2) == [date(2026, 11, 30), date(2026, 12, 1)]


def test_a_year_the_calendar_does_not_know_falls_back_to_weekends_and_listed_holidays(
        monkeypatch, caplog):
    calendar._warn_unknown_year.cache_clear()
    with caplog.at_level(logging.WARNING, logger="dutyflow.core.calendar"):
        # a notice dated in late December: its due date runs into the next, unpublished year
        assert add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 11)
    assert "does not know 2027" in caplog.text
    monkeypatch.setattr(settings, "extra_holidays", [date(2027, 1, 1)])
    monkeypatch.setattr(settings, "extra_workdays", [date(2027, 1, 9)])  # a Saturday worked
    assert not is_working_day(date(2027, 1, 1)) and is_working_day(date(2027, 1, 9))
    assert add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 11)
    assert add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 5)


def test_stored_utc_times_are_shown_in_the_offices_time_zone():
    from datetime import UTC, datetime

    from dutyflow.core.calendar import local_time

    assert local_time(datetime(2026, 12, 2, 6, 0)).strftime("%H:%M") == "14:00"  # SQLite: naive
    assert local_time(datetime(2026, 12, 2, 20, 0, tzinfo=UTC)).date().isoformat() == "2026-12-03"
