"""Check a table's rows against its spec and the known organizations; split good from bad."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import TABLES_BY_NAME, TableSpec
from dutyflow.reports.normalise import Bad, find_header, parse_column, rectification_problems
from dutyflow.reports.reading import RawTable, Source
from dutyflow.reports.text import fold, is_blank, strip_controls

ROW = "_row"  # the source row number, kept beside the values until loading
FILE, SHEET = "_file", "_sheet"
EXTRA = "extra"


@dataclass(frozen=True)
class Quarantine:
    """A rejected row: where it is and why. `table` and `column` are the contract's names (what
    the run summary, its JSON and the database keep); `reason` is the Chinese a person reads,
    naming the column by its Chinese header."""

    table: str
    file: str
    sheet: str
    row: int
    column: str
    value: str
    reason: str

    @property
    def table_name(self) -> str:
        """The table's Chinese name (组织生活 for meetings)."""
        spec = TABLES_BY_NAME.get(self.table)
        return next((n for n in spec.names if not n.isascii()), self.table) if spec else self.table

    @property
    def column_header(self) -> str:
        return column_header(self.table, self.column)

    def line(self) -> str:
        sheet = f"（{self.sheet}）" if self.sheet else ""
        column = f"“{self.column_header}”列" if self.column else ""
        return f"{self.file}{sheet}第{self.row}行{column}：{self.reason}"


def column_header(table: str, column: str) -> str:
    """The Chinese header of a table's column (名称 by the contract's names), as a template
    writes it; the name itself when there is none."""
    spec = TABLES_BY_NAME.get(table)
    return header(spec, column) if spec else column


def header(spec: TableSpec, column: str) -> str:
    """A column's Chinese header (the first, as a template writes it), or its name."""
    return next((c.chinese[0] for c in spec.columns if c.name == column and c.chinese), column)


@dataclass
class CleanTable:
    """A table's good rows (typed, canonical columns) and its quarantined rows.

    A ledger row naming several meeting types (主题党日、党课) is one good row per type, each
    with the source row's `_row`: `rows` holds what the database will, one meeting per type.
    """

    spec: TableSpec
    sources: list[Source]
    checksums: list[str]
    rows: pd.DataFrame
    quarantined: list[Quarantine] = field(default_factory=list)
    rows_read: int = 0

    @property
    def spec_name(self) -> str:
        return self.spec.name

    @property
    def rows_quarantined(self) -> int:
        return len({(q.file, q.sheet, q.row) for q in self.quarantined})


@dataclass(frozen=True)
class CaseRef:
    """What a reply row is checked against: a case, the number its notice carried, and whether
    it waits for an answer (issued, asking one, not yet closed)."""

    case_id: str
    doc_number: str | None
    awaiting: bool
    issued_on: date | None
    why_not: str = ""  # when not awaiting: its state, as the quarantine reason says it


def case_lookup(cases: Collection[CaseRef]) -> dict[str, CaseRef]:
    """Each case under its id and under its document number."""
    found = {c.case_id: c for c in cases}
    found.update({c.doc_number: c for c in cases if c.doc_number})
    return found


def _value_text(value: Any) -> str:
    return "" if is_blank(value) else fold(str(value))[:200]


def _extra_value(value: Any) -> Any:
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return strip_controls(value)
    return value if isinstance(value, (int, float)) else strip_controls(str(value))


def clean_table(
    raws: list[RawTable], spec: TableSpec, *, period: Period, known_orgs: Collection[str],
    known_cases: Mapping[str, CaseRef] | None = None, today: date | None = None,
) -> CleanTable:
    """Typed good rows of all sources of one table, and every bad row with its reason.
    Replies are checked against `known_cases` (see `case_lookup`), dated no later than today."""
    frames: list[pd.DataFrame] = []
    quarantined: list[Quarantine] = []
    rows_read = 0
    for raw in raws:
        frame, bad, read = _clean_source(raw, spec, period=period, today=today or date.today())
        frames.append(frame)
        quarantined.extend(bad)
        rows_read += read
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if spec.name == "replies":
        rows, bad = _check_cases(rows, spec, known_cases or {})
    else:
        rows, bad = _check_references(rows, spec, known_orgs=known_orgs)
    quarantined.extend(bad)
    rows, bad = _drop_duplicates(rows, spec)
    quarantined.extend(bad)
    quarantined.sort(key=lambda q: (q.file, q.sheet, q.row))
    table = CleanTable(spec, [r.source for r in raws], [r.checksum for r in raws],
                       rows.reset_index(drop=True), quarantined, rows_read)
    _refuse_wrong_period(table, period)
    return table


def _clean_source(
    raw: RawTable, spec: TableSpec, *, period: Period, today: date
) -> tuple[pd.DataFrame, list[Quarantine], int]:
    """One source's typed rows, its bad rows, and how many data rows it had."""
    header = find_header(raw, spec)
    grid = raw.rows[header.row_index + 1 :]  # short rows are fine: cell() pads them
    numbers = raw.row_numbers[header.row_index + 1 :]
    source = raw.source

    def cell(row: list[Any], position: int) -> Any:
        return row[position] if position < len(row) else None

    typed: dict[str, list[Any]] = {}
    reasons: dict[int, list[tuple[str, str, str]]] = {}
    for column in spec.columns:
        position = header.columns.get(column.name)
        values = [None if position is None else cell(r, position) for r in grid]
        parsed = parse_column(values, column)
        optional = column.may_be_empty
        for i, (value, result) in enumerate(zip(values, parsed, strict=True)):
            if isinstance(result, Bad):
                reasons.setdefault(i, []).append(
                    (column.name, _value_text(value), f"{column.chinese[0]}{result.reason}"))
                parsed[i] = None
            elif result is None and not optional:
                reasons.setdefault(i, []).append((column.name, "", f"{column.chinese[0]}不能为空"))
        typed[column.name] = parsed
    _check_row_rules(spec, typed, period, reasons, today)

    frame = pd.DataFrame(typed, dtype=object)
    frame[EXTRA] = [
        {name: _extra_value(cell(r, p)) for name, p in header.extras.items()
         if not is_blank(cell(r, p))}
        for r in grid
    ]
    frame[ROW] = numbers
    frame[FILE] = source.path.name
    frame[SHEET] = source.sheet
    bad = [
        Quarantine(spec.name, source.path.name, source.sheet, numbers[i], col, value, reason)
        for i, problems in sorted(reasons.items())
        for col, value, reason in problems
    ]
    frame = frame.drop(index=list(reasons)) if reasons else frame
    return _one_row_per_choice(frame, spec), bad, len(grid)


def _one_row_per_choice(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """A row whose cell names several choices (主题党日、党课) becomes one row per choice, each
    keeping the source row's number: the database holds one meeting per type held."""
    for column in spec.columns:
        if column.several and not frame.empty:
            values = frame[column.name]
            if any(isinstance(v, tuple) for v in values):
                frame = frame.explode(column.name, ignore_index=True)
    return frame


OUTSIDE = "不在本次报送的期间"  # every reason of a row outside the period says it


def _reported_in(assessed: Period, period: Period) -> bool:
    """An assessment belongs to the run that reports its period, or that closes it."""
    return assessed == period or (assessed.kind != "month" and period.closes(assessed.kind)
                                  and period.containing(assessed.kind) == assessed)


def _refuse_wrong_period(table: CleanTable, period: Period) -> None:
    """A table whose rows all lie outside the period was almost surely run with the wrong
    --period: refuse it rather than accuse every organization of missing its duties."""
    source = table.sources[0]
    if table.rows_read and table.rows.empty and table.quarantined and all(
            OUTSIDE in q.reason for q in table.quarantined):
        raise BadInputError(f"全部 {table.rows_read} 行都不属于{period.label}，"
                            "请核对所选期间", file=source.path.name, sheet=source.sheet)
    if table.spec_name == "meetings" and not table.rows.empty:
        held = table.rows["held_on"]
        if not ((held >= period.first_day) & (held <= period.last_day)).any():
            raise BadInputError(f"{len(held)} 条会议记录没有一条在{period.label}内，"
                                "请核对所选期间", file=source.path.name, sheet=source.sheet)


def _check_row_rules(
    spec: TableSpec,
    typed: dict[str, list[Any]],
    period: Period,
    reasons: dict[int, list[tuple[str, str, str]]],
    today: date,
) -> None:
    """Rules across cells of one row that the column types alone cannot catch."""
    def h(column: str) -> str:
        return header(spec, column)

    if spec.name == "replies":
        for i, (case, number, replied) in enumerate(zip(typed["case_id"], typed["document_number"],
                                                        typed["replied_on"], strict=True)):
            if case is None and number is None:
                reasons.setdefault(i, []).append(
                    ("case_id", "",
                     f"未填写{h('case_id')}或{h('document_number')}，无法确定是哪一案件的反馈"))
            if replied is not None and replied > today:
                reasons.setdefault(i, []).append(
                    ("replied_on", replied.isoformat(),
                     f"{h('replied_on')}{replied.isoformat()}晚于今天（{today.isoformat()}）"))
    elif spec.name == "organizations":
        for i, (members, full) in enumerate(zip(typed["members"], typed["full_members"],
                                                strict=True)):
            if members is not None and full is not None and full > members:
                reasons.setdefault(i, []).append(
                    ("full_members", str(full),
                     f"{h('full_members')}{full}人，多于{h('members')}{members}人"))
    elif spec.name == "meetings":
        for i, (held, year) in enumerate(zip(typed["held_on"], typed["for_year"], strict=True)):
            if held is not None and held > period.last_day:
                reasons.setdefault(i, []).append(
                    ("held_on", held.isoformat(),
                     f"{h('held_on')}{held.isoformat()}晚于{period.label}，{OUTSIDE}"))
            if held is not None and year is not None and year > held.year:
                reasons.setdefault(i, []).append(
                    ("for_year", str(year),
                     f"{h('held_on')}是{held.isoformat()}，{h('for_year')}不能是更晚的{year}年"))
    elif spec.name == "assessments":
        for i, (total, done) in enumerate(zip(typed["tasks_total"], typed["tasks_done"],
                                              strict=True)):
            if total is not None and done is not None and done > total:
                reasons.setdefault(i, []).append(
                    ("tasks_done", str(done),
                     f"{h('tasks_done')}{done}项，多于{h('tasks_total')}{total}项"))
        for i, assessed in enumerate(typed["period"]):
            if isinstance(assessed, str) and not _reported_in(Period.parse(assessed), period):
                reasons.setdefault(i, []).append(
                    ("period", assessed, f"{h('period')}{Period.parse(assessed).label}{OUTSIDE}"
                                         f"（{period.label}）"))
    elif spec.name == "rectifications":
        names = [c.name for c in spec.columns]
        for i, values in enumerate(zip(*(typed[n] for n in names), strict=True)):
            for problem in rectification_problems(dict(zip(names, values, strict=True)),
                                                  latest=period.last_day,
                                                  latest_words=period.label):
                reasons.setdefault(i, []).append(problem)


def _unknown_codes(rows: pd.DataFrame, mask: pd.Series, spec: TableSpec, column: str
                   ) -> list[Quarantine]:
    out = []
    for _, row in rows[mask].iterrows():
        value = _value_text(row[column])
        out.append(Quarantine(spec.name, row[FILE], row[SHEET], int(row[ROW]), column, value,
                              f"{header(spec, column)}不存在：{value}"))
    return out


def _check_references(
    rows: pd.DataFrame, spec: TableSpec, *, known_orgs: Collection[str]
) -> tuple[pd.DataFrame, list[Quarantine]]:
    if rows.empty:
        return rows, []
    known = set(known_orgs)
    if spec.name == "organizations":
        known |= set(rows["org_code"])
        parent = rows["parent_code"]
        mask = parent.notna() & ~parent.isin(known)
        bad = _unknown_codes(rows, mask, spec, "parent_code")
        return rows[~mask], bad
    mask = ~rows["org_code"].isin(known)
    return rows[~mask], _unknown_codes(rows, mask, spec, "org_code")


def _check_cases(rows: pd.DataFrame, spec: TableSpec, cases: Mapping[str, CaseRef]
                 ) -> tuple[pd.DataFrame, list[Quarantine]]:
    """A reply must name a case that waits for one, and come after its notice; the good rows
    carry the case's id (`case_id`) however they named it."""
    if rows.empty:
        return rows, []
    bad: list[Quarantine] = []
    keep, ids = [], []
    for position, (_, row) in enumerate(rows.iterrows()):
        named = row["case_id"] if row["case_id"] is not None else row["document_number"]
        column = "case_id" if row["case_id"] is not None else "document_number"
        case = cases.get(named)
        by_number = cases.get(row["document_number"]) if row["document_number"] else None
        reason = ""
        if case is None:
            reason = (f"{header(spec, column)}{named}找不到对应的案件（没有哪份已印发的通知书"
                      "是这个案件编号或文号）")
        elif (by_number is not None and row["case_id"] is not None
              and by_number.case_id != case.case_id):
            reason = (f"{header(spec, 'document_number')}{row['document_number']}是案件"
                      f"{by_number.case_id}的，与{header(spec, 'case_id')}{named}不符")
        elif not case.awaiting:
            reason = f"案件{case.case_id}不接受反馈：{case.why_not}"
        elif case.issued_on and row["replied_on"] < case.issued_on:
            reason = (f"{header(spec, 'replied_on')}{row['replied_on'].isoformat()}早于案件"
                      f"{case.case_id}的印发日期{case.issued_on.isoformat()}")
        if reason:
            bad.append(Quarantine(spec.name, row[FILE], row[SHEET], int(row[ROW]), column,
                                  _value_text(named), reason))
            continue
        keep.append(position)
        ids.append(case.case_id)  # type: ignore[union-attr]
    good = rows.iloc[keep].copy()
    good["case_id"] = ids
    return good, bad


def _drop_duplicates(rows: pd.DataFrame, spec: TableSpec) -> tuple[pd.DataFrame, list[Quarantine]]:
    """Quarantine a source row whose key repeats an earlier row's. The rows one source row
    became (one per meeting type) never clash with each other, and they go or stay together:
    a row is loaded whole or quarantined whole."""
    if rows.empty:
        return rows, []
    key = list(spec.key)
    if not rows.duplicated(subset=key, keep="first").any():
        return rows, []
    keys = list(zip(*(rows[k] for k in key), strict=True))
    sources: dict[tuple[Any, Any, Any], list[int]] = {}
    for position, source_row in enumerate(zip(rows[FILE], rows[SHEET], rows[ROW], strict=True)):
        sources.setdefault(source_row, []).append(position)
    seen: dict[tuple[Any, ...], int] = {}  # key -> the row number that first held it
    dropped: list[int] = []
    bad = []
    for (file, sheet, number), positions in sources.items():
        clash = next((p for p in positions if keys[p] in seen), None)
        if clash is None:
            for p in positions:
                seen.setdefault(keys[p], int(number))
            continue
        dropped.extend(positions)
        reason = f"与第{seen[keys[clash]]}行重复"
        if len(positions) > 1:  # which of the row's meeting types repeats an earlier row
            reason += "".join(f"（{_choice_words(c, rows[c.name].iat[clash])}）"
                              for c in spec.columns if c.several and c.name in key)
        bad.append(Quarantine(spec.name, file, sheet, int(number), key[0],
                              _value_text(rows[key[0]].iat[clash]), reason))
    keep = pd.Series(True, index=range(len(rows)))
    keep[dropped] = False
    return rows[keep.to_numpy()], bad


def _choice_words(column: Any, key: Any) -> str:
    """A choice's Chinese name (主题党日 for theme_day), as the column's choices spell it."""
    return next((name for name, value in column.choices.items()
                 if value == key and not name.isascii()), str(key))
