"""Turn raw cells into typed values: headers in either language, dates, counts, coded values.

Parsers return the value, or a `Bad` carrying the reason, so a table's bad cells can be
collected in one pass and quarantined together. A reason is Chinese and reads on from the
column's header (召开日期 + "无法识别：…"), which the validator puts in front of it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dutyflow.core.errors import BadInputError, BadPeriodError
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import RECTIFICATIONS, ColumnSpec, Kind, TableSpec
from dutyflow.core.vocabulary import YES_NO
from dutyflow.reports.reading import RawTable
from dutyflow.reports.text import fold, is_blank, strip_controls, vocabulary_key

HEADER_SCAN_ROWS = 15
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
YES_NO_KEYS = {vocabulary_key(k): v for k, v in YES_NO.items()}

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_UNITS = re.compile(r"(人|名|个|项|次|分)$")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_YEAR = re.compile(r"^(\d{4})(?:\.0*)?\s*(?:年度?)?$")
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?$"), lambda m: f"{m[1]}-{int(m[2]):02d}"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度?$"),
     lambda m: f"{m[1]}-Q{'一二三四'.index(m[2]) + 1 if m[2] in '一二三四' else m[2]}"),
    (re.compile(r"^(\d{4})\s*年度?$"), lambda m: m[1]),
)


@dataclass(frozen=True)
class Bad:
    reason: str  # what is wrong, said after the column's Chinese header: "不能为负数：-3"


RANGE_WORDS = f"（{EARLIEST.year}年至{LATEST.year}年）"


@dataclass(frozen=True)
class HeaderMap:
    """Which raw column index holds each spec column, and which hold extra columns."""

    row_index: int
    columns: dict[str, int]
    extras: dict[str, int]


def header_aliases(spec: TableSpec) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in spec.columns:
        for name in (column.name, *column.chinese):
            aliases.setdefault(vocabulary_key(name), column.name)
    return aliases


def find_header(raw: RawTable, spec: TableSpec) -> HeaderMap:
    """Locate the header row below any title rows and map it; a missing column stops the run."""
    aliases = header_aliases(spec)
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(raw.rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            if not is_blank(cell) and (name := aliases.get(vocabulary_key(cell))):
                found.setdefault(name, position)
        if found and (best is None or len(found) > len(best[1])):
            best = (index, found)
    source = raw.source
    if best is None:
        missing = spec.required[0]
        raise BadInputError("找不到表头行，缺少必填列",
                            file=source.path.name, sheet=source.sheet, column=missing.label)
    index, found = best
    for column in spec.required:
        if column.name not in found:
            raise BadInputError("缺少必填列",
                                file=source.path.name, sheet=source.sheet, column=column.label)
    header = raw.rows[index]
    extras = {
        fold(str(cell)): position
        for position, cell in enumerate(header)
        if not is_blank(cell) and position not in found.values()
    }
    return HeaderMap(index, found, extras)


def parse_date(value: Any) -> date | Bad:
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            return Bad(f"不是日期：{value}")
        result = EXCEL_EPOCH + timedelta(days=int(value))
    else:
        text = fold(str(value))
        if _INTEGER.match(text) and len(text) != 8:
            return parse_date(float(text))  # an Excel serial that went through CSV
        for pattern in _DATE_PATTERNS:
            if m := pattern.match(text):
                try:
                    result = date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    return Bad(f"不是有效日期：{text}")
                break
        else:
            return Bad(f"无法识别：{text}")
    if not EARLIEST <= result <= LATEST:
        return Bad(f"超出可接受的范围{RANGE_WORDS}：{result.isoformat()}")
    return result


def parse_count(value: Any) -> int | Bad:
    if isinstance(value, bool):
        return Bad(f"不是整数：{value}")
    if isinstance(value, int):
        number: float = value
    elif isinstance(value, float):
        number = value
    else:
        text = _UNITS.sub("", fold(str(value)).replace(",", "")).strip()
        if not _INTEGER.match(text):
            return Bad(f"不是整数：{text}")
        number = float(text)
    if not math.isfinite(number):  # a cell of inf or nan (a formula's overflow, say)
        return Bad(f"不是整数：{value}")
    if number != int(number):
        return Bad(f"不是整数：{value}")
    if number < 0:
        return Bad(f"不能为负数：{int(number)}")
    if number > 10_000_000:
        return Bad(f"数值过大，不合常理：{int(number)}")
    return int(number)


def parse_number(value: Any) -> float | Bad:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _UNITS.sub("", fold(str(value)).replace(",", "")).strip()
        if not _NUMBER.match(text):
            return Bad(f"不是数字：{text}")
        number = float(text)
    if number != number or number in (float("inf"), float("-inf")):
        return Bad(f"不是数字：{value}")
    return number


def parse_period(value: Any) -> str | Bad:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return f"{value.year}-{value.month:02d}"
    text = fold(str(value))
    for pattern, render in _PERIOD_FORMS:
        if m := pattern.match(text):
            text = render(m)
            break
    try:
        return str(Period.parse(text))
    except BadPeriodError:
        return Bad(f"无法识别：{text}")


def parse_year(value: Any) -> int | Bad:
    """所属年度: 2026, 2026.0, "2026", "２０２６年", "2026年度"."""
    if isinstance(value, (bool, datetime, date)):
        return Bad(f"不是年份：{_shown(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = fold(str(value))
    if not (m := _YEAR.match(text)):
        return Bad(f"不是年份：{text}")
    year = int(m[1])
    if not EARLIEST.year <= year <= LATEST.year:
        return Bad(f"超出可接受的范围{RANGE_WORDS}：{year}")
    return year


def parse_bool(value: Any, column: ColumnSpec) -> bool | Bad:
    """A yes/no cell: 是/否, 有/无, yes/no, 1/0, √/× (vocabulary.YES_NO), or an Excel TRUE."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = YES_NO_KEYS.get(vocabulary_key(value))
    if found is None:
        return Bad(f"应填“是”或“否”：{_shown(value)}")
    return found


def _shown(value: Any) -> str:
    return fold(value.isoformat() if isinstance(value, (datetime, date)) else str(value))[:50]


def parse_text(value: Any, *, code: bool, max_length: int | None = None) -> str | Bad:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number comes back from Excel as 1001.0
    if isinstance(value, (datetime, date)):
        value = value.isoformat()
    text = fold(str(value)) if code else strip_controls(str(value)).strip().replace("\u3000", " ")
    text = text if code else _CJK_GAP.sub("", text)
    if max_length is not None and len(text) > max_length:
        return Bad(f"共{len(text)}个字，超过{max_length}个字的上限")
    return text


# id(choices) -> (the choices, kept alive so the id is never reused, and their lookup)
_CHOICES: dict[int, tuple[dict[str, str], dict[str, str]]] = {}


def _choice_lookup(column: ColumnSpec) -> dict[str, str]:
    key = id(column.choices)  # specs are built once per process or per policy
    if key not in _CHOICES:
        _CHOICES[key] = (column.choices,
                         {vocabulary_key(k): v for k, v in column.choices.items()})
    return _CHOICES[key][1]


def parse_choice(value: Any, column: ColumnSpec) -> str | tuple[str, ...] | Bad:
    """The choice's key; where a column admits several (主题党日、党课), a tuple of keys in
    the order written, each once. A cell with any unknown part is refused, naming the part."""
    lookup = _choice_lookup(column)
    found = lookup.get(vocabulary_key(value))
    if found is not None:
        return found
    parts = _split_choices(str(value), column.several) if column.several else []
    if len(parts) < 2:
        return Bad(f"无法识别：{fold(str(value))}")
    keys: list[str] = []
    for part in parts:
        key = lookup.get(vocabulary_key(part))
        if key is None:
            return Bad(f"中的“{fold(part)}”无法识别：{fold(str(value))}")
        if key not in keys:
            keys.append(key)
    return keys[0] if len(keys) == 1 else tuple(keys)


# separators -> their pattern
_SPLITTERS: dict[str, re.Pattern[str]] = {}


def _split_choices(text: str, separators: str) -> list[str]:
    pattern = _SPLITTERS.get(separators)
    if pattern is None:
        pattern = _SPLITTERS[separators] = re.compile(f"[{re.escape(separators)}]")
    return [part for part in pattern.split(text) if not is_blank(part)]


def parse_column(values: list[Any], column: ColumnSpec) -> list[Any]:
    """parse_cell over a column, once per distinct value: a ledger repeats its codes, types
    and dates thousands of times."""
    seen: dict[tuple[type, Any], Any] = {}
    out = []
    for value in values:
        try:
            key = (type(value), value)
            result = seen.get(key, _MISSING)
        except TypeError:  # an unhashable cell: parse it on its own
            out.append(parse_cell(value, column))
            continue
        if result is _MISSING:
            result = seen[key] = parse_cell(value, column)
        out.append(result)
    return out


_MISSING = object()


def parse_cell(value: Any, column: ColumnSpec) -> Any:
    """A cell's typed value, or Bad with the reason; blank cells come back as None."""
    if is_blank(value):
        return None
    if column.kind is Kind.DATE:
        return parse_date(value)
    if column.kind is Kind.INT:
        return parse_count(value)
    if column.kind is Kind.NUMBER:
        number = parse_number(value)
        if isinstance(number, float) and (
            (column.minimum is not None and number < column.minimum)
            or (column.maximum is not None and number > column.maximum)
        ):
            return Bad(f"应在{column.minimum:g}至{column.maximum:g}之间：{number:g}")
        return number
    if column.kind is Kind.CHOICE:
        return parse_choice(value, column)
    if column.kind is Kind.PERIOD:
        return parse_period(value)
    if column.kind is Kind.BOOL:
        return parse_bool(value, column)
    if column.kind is Kind.YEAR:
        return parse_year(value)
    return parse_text(value, code=column.name.endswith("_code") or column.name == "item_id",
                      max_length=column.max_length)


def rectification_problems(row: Mapping[str, Any], *, latest: date, latest_words: str
                           ) -> list[tuple[str, str, str]]:
    """A rectification item's rules across its cells (typed values by column name), as
    (column, value, reason in Chinese naming the column): completed after `latest` (the
    period's end for a workbook, today for the ledger: `latest_words` says which), found after
    it, completed before it was found, an extension not after the deadline. The ingest quarantines a row
    for them and the e-ledger's form refuses the entry with the same words."""
    spec = RECTIFICATIONS

    def h(column: str) -> str:
        return spec.column(column).chinese[0]

    problems = []
    done, found = row.get("completed_on"), row.get("found_on")
    if done is not None and done > latest:
        problems.append(("completed_on", done.isoformat(),
                         f"{h('completed_on')}{done.isoformat()}晚于{latest_words}"))
    if found is not None and found > latest:
        problems.append(("found_on", found.isoformat(),
                         f"{h('found_on')}{found.isoformat()}晚于{latest_words}"))
    if done is not None and found is not None and done < found:
        problems.append(("completed_on", done.isoformat(),
                         f"{h('completed_on')}{done.isoformat()}早于{h('found_on')}"
                         f"{found.isoformat()}"))
    deadline, extended = row.get("deadline"), row.get("extended_to")
    if deadline is not None and extended is not None and extended <= deadline:
        problems.append(("extended_to", extended.isoformat(),
                         f"{h('extended_to')}{extended.isoformat()}，不晚于{h('deadline')}"
                         f"{deadline.isoformat()}"))
    return problems
