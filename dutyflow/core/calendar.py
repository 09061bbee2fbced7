"""Working days (工作日) in China: weekends, public holidays and adjusted working days (调休).

Due dates and talk bookings count working days. The State Council publishes each year's
holidays in the autumn before (国务院办公厅《关于××××年部分节假日安排的通知》). They live in a
holiday file: `holidays.yaml` beside this module, shipped for the years `chinesecalendar` knows
(a test checks the two agree day by day), and the office's own file (`DUTYFLOW_HOLIDAY_FILE`),
whose years replace the shipped ones whole. Both are checked when first read; a mistake stops
with a Chinese line naming the file and the entry.

For a year neither file has, the statutory festivals are estimated (`estimated_year`): the fixed
dates, and the lunar ones from `lunardate` (a small pure-Python table of 1900-2099 that does one
thing, lunar to solar dates; maintained, with no dependencies), 清明 from the solar term that
`chinesecalendar` computes. No 调休 working weekend is guessed, so an estimate errs towards later
deadlines, never towards one on a holiday. `calendar_warnings` says so in Chinese for the cycle's
summary and the desk: a due date is never refused because a calendar is out of date.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings

log = logging.getLogger(__name__)

SHIPPED_FILE = Path(__file__).with_name("holidays.yaml")
HOLIDAYS, WORKDAYS = "放假", "上班"  # the two parts of a year, as the notice words them
_RANGE = re.compile(r"^\s*(\S+)\s*(?:至|到|~|～)\s*(\S+)\s*$")
_LONGEST_RANGE = 40  # days: the longest break a notice has given is 8-9; a longer range is a typo

# How the estimate places the festivals of a year with no published notice, as the notices of
# recent years (2025 on, after the 2024 revision of the national holiday regulations) do.
NEW_YEAR, SPRING, QINGMING, LABOUR, DRAGON_BOAT, MID_AUTUMN, NATIONAL = (
    "元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
SPRING_DAYS = (-1, 6)  # 除夕 to 初七, days from 正月初一
LABOUR_DAYS = (1, 5)  # 1 to 5 May
NATIONAL_DAYS = (1, 7)  # 1 to 7 October; to the 8th when 中秋 falls inside
ESTIMATE_RULE = ("元旦1月1日、春节除夕至初七、清明节、劳动节5月1日至5日、端午节、中秋节、"
                 "国庆节10月1日至7日，逢周末的单日节日顺延至周一，不含调休上班日")


class HolidayFileError(DutyflowError):
    """A holiday file that cannot be used: nothing is computed from it (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class YearDays:
    """One year's notice: the days off and the weekend days worked instead, each with the
    festival it belongs to. `estimated` when no notice was entered and the festivals were
    computed."""

    year: int
    holidays: Mapping[date, str]
    workdays: Mapping[date, str] = field(default_factory=dict)
    estimated: bool = False
    source: str = ""


# ---------------------------------------------------------------------------------------------
# The holiday files


@functools.cache
def _dates_as_text() -> type:
    """A YAML loader that leaves dates as text, so a date that does not exist (2027-02-30) is
    reported by the entry it is in rather than by the parser. (PyYAML is imported when a
    holiday file is first read: a command that asks no date never pays for it.)"""
    import yaml

    class DatesAsText(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        yaml_implicit_resolvers = {
            first: [(tag, regexp) for tag, regexp in resolvers
                    if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    return DatesAsText


def read_holiday_file(path: Path) -> dict[int, YearDays]:
    """Each year of a holiday file, checked: dates that exist, in or next to their year, a day
    not both off and worked, a 调休 working day that is a Saturday or Sunday."""
    import yaml

    name = path.name
    try:
        payload = yaml.load(path.read_text(encoding="utf-8"), Loader=_dates_as_text())
    except FileNotFoundError as exc:
        raise HolidayFileError(f"节假日文件 {path} 不存在") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise HolidayFileError(f"节假日文件 {path} 无法读取（应为 UTF-8 编码的文本文件）") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise HolidayFileError(f"节假日文件 {name} {where}格式有误，不是有效的 YAML") from exc
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise HolidayFileError(f"节假日文件 {name} 应按年份分节（2027: 放假: …  上班: …）")
    years: dict[int, YearDays] = {}
    for key, body in payload.items():
        year = _year_key(name, key)
        years[year] = _read_year(name, year, body)
    return years


def _year_key(file: str, key: Any) -> int:
    if isinstance(key, int) and not isinstance(key, bool) and 1900 <= key <= 2099:
        return key
    raise HolidayFileError(f"节假日文件 {file}：“{key}”不是年份（应写作 2027:）")


def _read_year(file: str, year: int, body: Any) -> YearDays:
    if not isinstance(body, dict) or not set(body) <= {HOLIDAYS, WORKDAYS}:
        raise HolidayFileError(f"节假日文件 {file}：{year}年下应只有“{HOLIDAYS}”和“{WORKDAYS}”"
                               "两项，各列节日名和日期")
    parts: dict[str, dict[date, str]] = {}
    for part in (HOLIDAYS, WORKDAYS):
        festivals = body.get(part) or {}
        if not isinstance(festivals, dict):
            raise HolidayFileError(f"节假日文件 {file}：{year}年 {part} 应列节日名和日期"
                                   "（春节: 2027-02-05 至 2027-02-12）")
        days: dict[date, str] = {}
        for festival, entries in festivals.items():
            where = f"节假日文件 {file}：{year}年 {part} {festival}"
            for day in _entry_days(where, entries):
                if not date(year - 1, 12, 1) <= day <= date(year, 12, 31):  # 元旦 may start in December
                    raise HolidayFileError(f"{where}：{day.isoformat()} 不在{year}年")
                if part == WORKDAYS and day.weekday() < 5:
                    raise HolidayFileError(f"{where}：{day.isoformat()} 不是周六或周日，"
                                           "调休上班日只能是周末")
                days[day] = str(festival)
        parts[part] = days
    both = sorted(set(parts[HOLIDAYS]) & set(parts[WORKDAYS]))
    if both:
        day = both[0]
        raise HolidayFileError(f"节假日文件 {file}：{year}年 {day.isoformat()} 既列为放假"
                               f"（{parts[HOLIDAYS][day]}）又列为上班（{parts[WORKDAYS][day]}）")
    return YearDays(year, parts[HOLIDAYS], parts[WORKDAYS], source=file)


def _entry_days(where: str, entries: Any) -> Iterable[date]:
    """A date, a range "2027-02-05 至 2027-02-12", or a list of those."""
    for entry in entries if isinstance(entries, list) else [entries]:
        text = "" if entry is None else str(entry)
        if m := _RANGE.match(text):
            first, last = _parse_date(where, m[1]), _parse_date(where, m[2])
            if not first <= last <= first + timedelta(days=_LONGEST_RANGE):
                raise HolidayFileError(f"{where}：“{text}”不是有效的起止日期")
            yield from (first + timedelta(days=n) for n in range((last - first).days + 1))
        else:
            yield _parse_date(where, text)


def _parse_date(where: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise HolidayFileError(f"{where}：“{text}”不是有效日期（应写作 2027-02-05）") from None


@functools.cache
def _entered(office_file: Path | None) -> dict[int, YearDays]:
    """The shipped years, with the office's years in place of the same ones (cached per file:
    a running desk reads an updated file after a restart)."""
    years = read_holiday_file(SHIPPED_FILE)
    if office_file is not None:
        years.update(read_holiday_file(Path(office_file)))
    return years


@functools.cache
def _days_of(office_file: Path | None) -> dict[date, bool]:
    """Every entered day, working or not: a notice may give a day of its neighbour year
    (元旦 from 30 December)."""
    days: dict[date, bool] = {}
    for year in sorted(_entered(office_file).values(), key=lambda y: y.year):
        days.update(dict.fromkeys(year.holidays, False))
        days.update(dict.fromkeys(year.workdays, True))
    return days


def entered_years() -> set[int]:
    """The years a holiday file gives (checked on first use; a bad file raises here)."""
    return set(_entered(settings.holiday_file))


def reload_holidays() -> None:
    """Forget the files read, so the next question reads them again."""
    for cached in (_entered, _days_of, _year_days):
        cached.cache_clear()


# ---------------------------------------------------------------------------------------------
# A year nobody entered


def estimated_year(year: int) -> YearDays:
    """The statutory festivals of `year` where no notice is entered: fixed dates, lunar dates
    from `lunardate`, 清明 from its solar term; the longer breaks as recent notices give them."""
    from chinese_calendar import get_solar_terms
    from lunardate import LunarDate

    def lunar(month: int, day: int) -> date:
        solar: date = LunarDate(year, month, day).to_solar_date()
        return solar

    def span(first: date, last: date) -> list[date]:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def one_day(day: date) -> list[date]:  # a single-day festival on a weekend: the Monday off
        return [day] if day.weekday() < 5 else [day, day + timedelta(days=7 - day.weekday())]

    new_year = lunar(1, 1)
    qingming = next(d for d, term in get_solar_terms(date(year, 4, 1), date(year, 4, 10))
                    if term == "清明")
    mid_autumn = lunar(8, 15)
    national_last = NATIONAL_DAYS[1] + (date(year, 10, 1) <= mid_autumn <= date(year, 10, 8))
    holidays: dict[date, str] = {}
    for festival, days in (
        (NEW_YEAR, one_day(date(year, 1, 1))),
        (SPRING, span(new_year + timedelta(days=SPRING_DAYS[0]),
                      new_year + timedelta(days=SPRING_DAYS[1]))),
        (QINGMING, one_day(qingming)),
        (LABOUR, span(date(year, 5, LABOUR_DAYS[0]), date(year, 5, LABOUR_DAYS[1]))),
        (DRAGON_BOAT, one_day(lunar(5, 5))),
        (MID_AUTUMN, one_day(mid_autumn)),
        (NATIONAL, span(date(year, 10, NATIONAL_DAYS[0]), date(year, 10, national_last))),
    ):
        for day in days:
            holidays.setdefault(day, festival)
    return YearDays(year, holidays, estimated=True, source="推算")


def year_days(year: int) -> YearDays:
    """The year's days off and days worked: as entered, or estimated (and logged once)."""
    return _year_days(settings.holiday_file, year)


@functools.lru_cache(maxsize=256)
def _year_days(office_file: Path | None, year: int) -> YearDays:
    entered = _entered(office_file).get(year)
    if entered is not None:
        return entered
    log.warning("%s", year_warning(year))
    return estimated_year(year)


def year_warning(year: int) -> str:
    return (f"{year}年的法定节假日安排尚未录入，按法定节日日期推算（{ESTIMATE_RULE}），"
            "请及时按国务院办公厅通知补充节假日文件。")


def calendar_warnings(first: date, last: date | None = None) -> list[str]:
    """A Chinese warning for each year from `first` to `last` (default: `first` plus the
    settings' `holiday_warning_days`, the deadlines a document dated then may reach) whose
    holidays are estimated, not entered."""
    last = last or first + timedelta(days=settings.holiday_warning_days)
    known = entered_years()
    return [year_warning(y) for y in range(first.year, last.year + 1) if y not in known]


# ---------------------------------------------------------------------------------------------
# Working days


def is_working_day(day: date) -> bool:
    """True on a working day: not a weekend or public holiday, or an adjusted working day."""
    entered = _days_of(settings.holiday_file).get(day)
    if entered is not None:
        return entered
    year = year_days(day.year)
    if not year.estimated:
        return day.weekday() < 5
    return day not in year.holidays and day.weekday() < 5


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


def office_today() -> date:
    """Today in the office's time zone: the day a reply is received, a due date is counted
    from and an answer falls overdue on, the same at the desk, in the portal and in the
    services (the machine's own date is yesterday until 08:00 in Beijing on a UTC server)."""
    return local_time(datetime.now(UTC)).date()
