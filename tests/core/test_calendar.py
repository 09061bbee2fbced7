"""Working days: weekends, public holidays, adjusted working days, the office's holiday file,
and years nobody has entered yet."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar
import pytest

from dutyflow.core import calendar
from dutyflow.core.calendar import (
    SHIPPED_FILE,
    HolidayFileError,
    add_working_days,
    calendar_warnings,
    is_working_day,
    next_working_day,
    read_holiday_file,
    working_days,
)
from dutyflow.core.settings import settings

# 2027's statutory festivals as published almanacs give them (an oracle independent of the
# lunar library): 元旦, 春节 (正月初一 6 February), 清明, 劳动节, 端午, 中秋, 国庆
FESTIVALS_2027 = [date(2027, 1, 1), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
                  date(2027, 4, 5), date(2027, 5, 1), date(2027, 6, 9), date(2027, 9, 15),
                  *(date(2027, 10, d) for d in range(1, 8))]


@pytest.fixture(autouse=True)
def fresh_calendar():
    calendar.reload_holidays()
    yield
    calendar.reload_holidays()


@pytest.fixture
def office_file(tmp_path, monkeypatch):
    """Point the settings at an office holiday file written by the test."""
    path = tmp_path / "本单位节假日.yaml"

    def write(text: str):
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(settings, "holiday_file", path)
        calendar.reload_holidays()
        return path

    return write


def test_national_day_and_its_adjusted_saturday():
    assert not is_working_day(date(2026, 10, 1)) and not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_ten_working_days_skip_weekends():
    assert add_working_days(date(2026, 11, 23), 10) == date(2026, 12, 7)
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday
    assert working_days(date(2026, 11, 28), 2) == [date(2026, 11, 30), date(2026, 12, 1)]


def test_the_shipped_holiday_file_agrees_with_chinesecalendar_on_every_day_it_covers():
    years = read_holiday_file(SHIPPED_FILE)
    covered = sorted({d.year for d in chinese_calendar.constants.holidays})
    assert sorted(years) == covered
    day, differ = date(covered[0], 1, 1), []
    while day <= date(covered[-1], 12, 31):
        if is_working_day(day) != chinese_calendar.is_workday(day):
            differ.append(day)
        day += timedelta(days=1)
    assert differ == []
    assert years[2026].holidays[date(2026, 2, 15)] == "春节"
    assert years[2026].workdays[date(2026, 2, 14)] == "春节"  # a Saturday worked


def test_a_year_with_no_data_counts_its_festivals_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="dutyflow.core.calendar"):
        assert not is_working_day(date(2027, 1, 1))  # 元旦, a Friday
    assert "2027年的法定节假日安排尚未录入" in caplog.text
    assert all(not is_working_day(d) for d in FESTIVALS_2027)
    # 春节 is 除夕 to 初七 (5 to 12 February), as the notices since 2025 give it
    assert [d.day for d in calendar.year_days(2027).holidays
            if calendar.year_days(2027).holidays[d] == "春节"] == list(range(5, 13))
    assert next_working_day(date(2027, 2, 5)) == date(2027, 2, 15)
    assert next_working_day(date(2027, 1, 1)) == date(2027, 1, 4)
    assert is_working_day(date(2027, 1, 5)) and not is_working_day(date(2027, 1, 9))
    # a notice dated in late December: its due date skips 元旦 in the unpublished year
    assert add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 12)
    warnings = calendar_warnings(date(2026, 11, 15))  # 60 days ahead reach January 2027
    assert len(warnings) == 1 and warnings[0].startswith("2027年的法定节假日安排尚未录入，按")
    assert "国务院办公厅通知" in warnings[0]
    assert calendar_warnings(date(2026, 6, 1)) == []  # 2026 is entered


def test_the_estimate_matches_the_published_calendar_of_2025():
    """The estimate follows the notices since the 2024 revision: for 2025 it is exact on
    every weekday (weekends worked in exchange are not guessed)."""
    estimate = calendar.estimated_year(2025)
    published = {d for d in chinese_calendar.constants.holidays
                 if d.year == 2025 and d.weekday() < 5}
    assert {d for d in estimate.holidays if d.weekday() < 5} == published


def test_the_offices_file_adds_a_year_and_its_working_weekends(office_file):
    office_file("""
2027:
  放假:
    元旦: 2027-01-01 至 2027-01-03
    春节: 2027-02-05 至 2027-02-13
  上班:
    春节: [2027-02-14]
""")
    assert calendar_warnings(date(2026, 12, 1)) == []
    assert not is_working_day(date(2027, 2, 13)) and is_working_day(date(2027, 2, 14))  # Sunday
    assert is_working_day(date(2026, 10, 10))  # the shipped years stay
    assert is_working_day(date(2027, 10, 1))  # an entered year is what the office wrote


def test_the_offices_file_replaces_a_shipped_year_whole(office_file):
    office_file("2026:\n  放假:\n    元旦: 2026-01-01\n")
    assert not is_working_day(date(2026, 1, 1)) and is_working_day(date(2026, 1, 2))
    assert not is_working_day(date(2026, 10, 10))  # the shipped 调休 Saturday is gone with it


@pytest.mark.parametrize(("text", "words"), [
    ("2027:\n  放假:\n    春节: 2027-02-30\n", ["2027年 放假 春节", "“2027-02-30”不是有效日期"]),
    ("2027:\n  放假:\n    国庆节: 2027-10-01 至 2027-09-07\n",
     ["2027年 放假 国庆节", "不是有效的起止日期"]),
    ("2027:\n  放假:\n    春节: 2027-02-06\n  上班:\n    春节: 2027-02-06\n",
     ["2027年 2027-02-06 既列为放假（春节）又列为上班（春节）"]),
    ("2027:\n  上班:\n    春节: 2027-02-17\n",
     ["2027年 上班 春节", "2027-02-17 不是周六或周日"]),
    ("2027:\n  放假:\n    元旦: 2028-01-01\n", ["2027年 放假 元旦", "2028-01-01 不在2027年"]),
    ("明年:\n  放假:\n    元旦: 2027-01-01\n", ["“明年”不是年份"]),
    ("2027:\n  休息:\n    元旦: 2027-01-01\n", ["2027年下应只有“放假”和“上班”两项"]),
    ("2027: [放假\n", ["格式有误"]),
])
def test_a_bad_holiday_file_is_refused_naming_the_file_and_the_entry(office_file, text, words):
    path = office_file(text)
    with pytest.raises(HolidayFileError) as refused:
        is_working_day(date(2027, 3, 1))
    message = str(refused.value)
    assert message.startswith(f"节假日文件 {path.name}") or str(path) in message
    for word in words:
        assert word in message
    assert refused.value.exit_code == 2


def test_a_missing_or_unreadable_holiday_file_is_refused_in_chinese(office_file, tmp_path,
                                                                     monkeypatch):
    path = office_file("")
    path.write_bytes("2027:\n  放假:\n    元旦: 2027-01-01\n".encode("gb18030"))
    with pytest.raises(HolidayFileError, match="无法读取（应为 UTF-8 编码的文本文件）"):
        is_working_day(date(2027, 3, 1))
    monkeypatch.setattr(settings, "holiday_file", tmp_path / "没有.yaml")
    calendar.reload_holidays()
    with pytest.raises(HolidayFileError, match="没有.yaml 不存在"):
        is_working_day(date(2027, 3, 1))


def test_stored_utc_times_are_shown_in_the_offices_time_zone():
    from datetime import UTC, datetime

    from dutyflow.core.calendar import local_time

    assert local_time(datetime(2026, 12, 2, 6, 0)).strftime("%H:%M") == "14:00"  # SQLite: naive
    assert local_time(datetime(2026, 12, 2, 20, 0, tzinfo=UTC)).date().isoformat() == "2026-12-03"
