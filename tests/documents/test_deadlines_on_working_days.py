"""No deadline a notice computes (the answer's due date, a talk's day) falls on a weekend or a
public holiday, across a year that runs into one no holiday file has entered yet."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from dutyflow.core import calendar
from dutyflow.core.calendar import next_working_day
from dutyflow.core.settings import settings
from dutyflow.documents.notice import book_talk, reply_due
from dutyflow.rules.policy import load_policy
from tests.core.test_calendar import FESTIVALS_2027


def day_off(day: date) -> bool:
    """Off by an oracle that is not the code under test: chinesecalendar for the published
    years, weekends and the statutory festivals for 2027."""
    if day.year <= 2026:
        return not chinese_calendar.is_workday(day)
    return day.weekday() >= 5 or day in FESTIVALS_2027


@pytest.mark.parametrize("mode", ["individual", "collective"])
def test_no_reply_or_talk_date_falls_on_a_day_off_from_july_to_the_next_july(monkeypatch, mode):
    calendar.reload_holidays()
    monkeypatch.setattr(settings, "talk_mode", mode)
    policy = load_policy(None)
    spans = {*policy.replies.working_days.values(), policy.replies.chase.working_days}
    on, checked = date(2026, 7, 1), 0
    while on <= date(2027, 7, 1):
        for days in spans:
            due = reply_due(on, days)
            assert not day_off(due), (on, days, due)
            assert due > on
        for slot in range(12):
            talk = book_talk(on, slot).day
            assert not day_off(talk), (on, slot, talk)
            checked += 1
        on += timedelta(days=1)
    assert checked == 366 * 12


def test_a_deadline_counted_in_calendar_days_moves_to_the_next_working_day():
    """The Q4 ranking's 黄榜 window (`correction_days` calendar days from the communiqué)
    ended on 1 January 2027; the day to print is the next working day."""
    assert next_working_day(date(2026, 12, 2) + timedelta(days=30)) == date(2027, 1, 4)
    assert next_working_day(date(2027, 1, 30)) == date(2027, 2, 1)  # a Saturday
    assert next_working_day(date(2027, 2, 4)) == date(2027, 2, 4)
    assert next_working_day(date(2027, 2, 6)) == date(2027, 2, 15)  # 春节
