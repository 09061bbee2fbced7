"""Fuzzed report files: no crash, no traceback, every row accounted for, nothing half-written.

A CI run draws DUTYFLOW_FUZZ_EXAMPLES files (default 150); the dedicated run is
`DUTYFLOW_FUZZ_EXAMPLES=10000 pytest tests/reliability/test_fuzz_input.py` (see RELIABILITY.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import insert

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import TABLES
from dutyflow.models.db import session_scope
from dutyflow.models.reports import count_rows, load_table
from dutyflow.models.tables import Organization
from dutyflow.reports.reading import find_sources, read_source
from dutyflow.reports.validate import clean_table

EXAMPLES = int(os.environ.get("DUTYFLOW_FUZZ_EXAMPLES", "150"))
PERIOD = Period.parse("2026-10")
KNOWN = ["B1", "B2", "B3"]
STATS = {"files": 0, "refused": 0, "rows": 0, "loaded": 0, "quarantined": 0}

cells = st.one_of(
    st.none(), st.just(""), st.just("   "),
    st.integers(-10**6, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(KNOWN + ["XX9", " b1 ", "Ｂ１"]),
    st.sampled_from(["支部委员会会议", "主题党日", "党课", "tea party", "未整改", "done", "已銷號",
                     "党支部", "党委", "2026年10月9日", "2026/10/9", "2026-13-45", "46315",
                     "=SUM(A1:A9)", "１２人", "-3", "2026-Q3", "2026年第三季度", "1e309"]),
    st.dates(date(1890, 1, 1), date(2200, 1, 1)),
    st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)),
    st.text(max_size=40), st.text(min_size=5000, max_size=6000, alphabet="党支部会议x<&>\"'"),
)


def plausible(column) -> st.SearchStrategy:
    """Mostly what an office would type in this column, sometimes anything at all."""
    from dutyflow.core.report_tables import Kind

    if column.name.endswith("org_code"):
        good = st.sampled_from(KNOWN)
    elif column.kind is Kind.DATE:
        good = st.one_of(st.dates(date(2026, 1, 1), date(2026, 10, 31)),
                         st.sampled_from(["2026年10月9日", "2026/10/9", "2026-10-09"]))
    elif column.kind in (Kind.INT, Kind.NUMBER):
        good = st.one_of(st.integers(0, 100), st.sampled_from(["１２", "12人"]))
    elif column.kind is Kind.CHOICE:
        good = st.sampled_from(sorted(column.choices))
    elif column.kind is Kind.PERIOD:
        good = st.sampled_from(["2026-10", "2026年10月"])
    else:
        good = st.text(min_size=1, max_size=20)
    # (one_of would flatten `cells` into a dozen equal branches and drown the good values)
    return st.integers(0, 9).flatmap(lambda n: cells if n == 0 else good)


@st.composite
def report(draw):
    spec = draw(st.sampled_from(TABLES))
    headers = []
    for column in spec.columns:
        choice = draw(st.sampled_from(["en", "zh"] * 6 + ["zh-spaced", "missing", "garbage"]))
        if choice == "missing" and draw(st.booleans()):
            continue
        headers.append({"en": column.name, "zh": column.chinese[0],
                        "zh-spaced": f" {column.chinese[0]}（必填） ",
                        "garbage": draw(st.text(max_size=12)), "missing": column.name}[choice])
    extras = draw(st.lists(st.text(max_size=10), max_size=2))
    by_header = {}
    for column in spec.columns:
        for h in (column.name, column.chinese[0], f" {column.chinese[0]}（必填） "):
            by_header[h] = column
    row = st.tuples(*[plausible(by_header[h]) if h in by_header else cells for h in headers],
                    *[cells for _ in extras]).map(list)
    headers += extras
    rows = draw(st.lists(row, max_size=12))
    if rows and draw(st.booleans()):
        rows.append(list(rows[0]))  # a duplicated row
    fmt = draw(st.sampled_from(["xlsx", "csv-utf8", "csv-bom", "csv-gb18030", "json",
                                "csv-nul", "truncated-xlsx"]))
    title = draw(st.booleans())
    return spec, headers, rows, fmt, title


def _text(value) -> str:
    return "" if value is None else str(value)


def _cell(value):
    # openpyxl refuses control characters; a real workbook cannot hold them either
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write(path_dir: Path, spec, headers, rows, fmt, title) -> Path:
    if fmt in ("xlsx", "truncated-xlsx"):
        book = Workbook()
        sheet = book.active
        sheet.title = spec.name
        if title:
            sheet.append(["2026年10月报表"])
        sheet.append([_cell(_text(h)) for h in headers])
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
        path = path_dir / f"{spec.name}.xlsx"
        path.write_bytes(data[: len(data) // 2] if fmt == "truncated-xlsx" else data)
        return path
    if fmt == "json":
        path = path_dir / f"{spec.name}.json"
        objects = [{_text(h): (v.isoformat() if isinstance(v, (date, datetime)) else v)
                    for h, v in zip(headers, row, strict=False)} for row in rows]
        path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
        return path
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow(["2026年10月报表"])
    writer.writerow([_text(h) for h in headers])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    text = buffer.getvalue()
    if fmt == "csv-nul":
        text = text.replace(",", ",\x00", 3)
    encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gb18030": "gb18030",
                "csv-nul": "utf-8"}[fmt]
    path = path_dir / f"{spec.name}.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    return path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_db(request, tmp_path_factory):
    """The database the generated files are loaded into: SQLite, then PostgreSQL."""
    folder = tmp_path_factory.mktemp("fuzz")
    STATS.update(dict.fromkeys(STATS, 0))
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'fuzz.db'}"
    else:
        from tests.conftest import _wipe

        url = request.getfixturevalue("pg_database")
        _wipe(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DUTYFLOW_DATABASE_URL", url)
        from dutyflow.core.settings import reload_settings

        reload_settings()
        with session_scope() as session:
            session.execute(insert(Organization), [
                {"org_code": c, "org_name": c, "org_type": "党支部", "members": 10, "groups": 0,
                 "extra": {}} for c in KNOWN])
        yield folder
    reload_settings()
    print(f"\nfuzz ({request.param}): {STATS}")


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(case=report())
def test_any_report_file_is_loaded_or_refused_cleanly_and_every_row_is_accounted_for(
        case, fuzz_db, tmp_path_factory):
    spec, headers, rows, fmt, title = case
    folder = tmp_path_factory.mktemp("case")
    path = write(folder, spec, headers, rows, fmt, title)
    STATS["files"] += 1
    try:
        sources = find_sources(path)
        table = clean_table([read_source(s) for s in sources], spec, period=PERIOD,
                            known_orgs=set(KNOWN))
    except BadInputError as exc:
        STATS["refused"] += 1
        message = str(exc)
        assert "\n" not in message and path.name in message
        return
    good, bad = len(table.rows), table.rows_quarantined
    assert good + bad == table.rows_read  # every row loaded or quarantined, none lost
    for q in table.quarantined:
        assert q.reason and q.row >= 1 and q.file == path.name
    STATS["rows"] += table.rows_read
    STATS["loaded"] += good
    STATS["quarantined"] += bad
    with session_scope() as session:
        before = count_rows(session=session, table=spec.name, period=str(PERIOD))
        columns = [c.name for c in spec.columns] + ["extra"]
        load_table(session=session, period=str(PERIOD), table=spec.name, rows=table.rows,
                   columns=columns, quarantined=[], source_file=path.name, sheet="",
                   checksums=table.checksums, rows_read=table.rows_read)
        session.flush()
        after = count_rows(session=session, table=spec.name, period=str(PERIOD))
        if spec.name == "organizations":
            assert after >= before  # upserts by code
        else:
            assert after == good  # the period holds exactly the good rows
        session.rollback()


def test_a_zip_bomb_named_xlsx_is_refused_without_being_expanded(tmp_path):
    path = tmp_path / "meetings.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
        chunk = b"\0" * (1 << 20)
        for _ in range(600):
            member.write(chunk)
    assert path.stat().st_size < 5_000_000
    with pytest.raises(BadInputError, match="解压后超过 512 MiB"):
        find_sources(path)


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"\x00" * 100,
                                     "组织编码,会议类型\n".encode("utf-16")])
def test_files_that_are_not_what_they_claim_are_refused_in_one_line(tmp_path, content):
    path = tmp_path / "meetings.xlsx"
    path.write_bytes(content)
    with pytest.raises(BadInputError) as error:
        read_source(find_sources(path)[0])
    assert "\n" not in str(error.value) and "meetings.xlsx" in str(error.value)
