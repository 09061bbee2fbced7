"""The optional columns reach their own database columns (not `extra`), on SQLite and
PostgreSQL; files without them load as before; migration 0003 adds and removes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text

from dutyflow.flows.ingest import ingest_reports
from dutyflow.models.db import alembic_config, session_scope
from dutyflow.models.reports import quarantined_rows
from dutyflow.models.tables import Assessment, Meeting, Organization, Rectification
from tests.conftest import scratch_pg_database
from tests.factories import (
    ASSESS_HEADERS,
    MEETING_HEADERS,
    ORG_HEADERS,
    ORG_OPTIONAL_HEADERS,
    RECT_HEADERS,
    RECT_OPTIONAL_HEADERS,
    meeting_rows,
    org_rows,
    org_rows_with_optional_columns,
    rect_rows_with_optional_columns,
    report_folder,
    write_csv,
    write_xlsx,
)

NEW_COLUMNS = {
    "organization": {"full_members", "has_committee", "unit_party_group"},
    "meeting": {"for_year"},
    "rectification": {"extended_to", "source", "responsible"},
    "assessment": {"duty_report_rating"},
}


def full_report(folder: Path, *, english: bool = False) -> Path:
    """A period's four tables with every optional column filled: a workbook with Chinese
    headers, or CSV files in GB18030 with English headers."""
    org_headers = [*ORG_HEADERS, *ORG_OPTIONAL_HEADERS]
    meeting_headers = [*MEETING_HEADERS, "所属年度"]
    rect_headers = [*RECT_HEADERS, *RECT_OPTIONAL_HEADERS]
    assess_headers = [*ASSESS_HEADERS, "述职评议等次"]
    meetings = [*meeting_rows(), ["DW01-ZB02", "主题党日、党课", date(2026, 10, 28), 8, None],
                ["DW01-ZB01", "组织生活会", date(2026, 10, 30), 18, "2026年"]]
    meetings[:3] = [[*r, None] for r in meetings[:3]]
    assessments = [["DW01-ZB01", "2026-10", 88, 10, 9, "较好"],
                   ["DW01-ZB02", "2026-10", 66, 10, 6, "差"]]
    tables = {"组织": (org_headers, org_rows_with_optional_columns()),
              "组织生活": (meeting_headers, meetings),
              "整改": (rect_headers, rect_rows_with_optional_columns()),
              "考核": (assess_headers, assessments)}
    if not english:
        write_xlsx(folder / "2026年10月报表.xlsx", tables, title="2026年10月党建报表")
        return folder
    english_headers = {
        "组织": ["org_code", "org_name", "org_type", "parent_code", "secretary", "members",
               "groups", "full_members", "has_committee", "unit_party_group"],
        "组织生活": ["org_code", "meeting_type", "held_on", "attendees", "for_year"],
        "整改": ["item_id", "org_code", "description", "deadline", "status", "completed_on",
               "extended_to", "source", "responsible"],
        "考核": ["org_code", "period", "score", "tasks_total", "tasks_done",
               "duty_report_rating"],
    }
    names = {"组织": "organizations", "组织生活": "meetings", "整改": "rectifications",
             "考核": "assessments"}
    for sheet, (_, rows) in tables.items():
        write_csv(folder / f"{names[sheet]}.csv", english_headers[sheet], rows, encoding="gb18030")
    return folder


@pytest.mark.parametrize("english", [False, True], ids=["xlsx chinese", "csv gb18030 english"])
def test_every_optional_column_is_stored_in_its_own_column(db_url, tmp_path, english):
    summary = ingest_reports(period="2026-10", input_path=full_report(tmp_path / "in",
                                                                       english=english))
    assert summary.quarantined == []
    with session_scope() as session:
        orgs = {o.org_code: o for o in session.execute(select(Organization)).scalars()}
        meetings = session.execute(select(Meeting).order_by(Meeting.held_on, Meeting.id)).scalars().all()
        items = {r.item_id: r for r in session.execute(select(Rectification)).scalars()}
        ratings = dict(session.execute(select(Assessment.org_code, Assessment.duty_report_rating)).all())
    assert {c: (o.full_members, o.has_committee, o.unit_party_group) for c, o in orgs.items()} == {
        "DW01": (115, None, "中共市教育局党组"),
        "DW01-ZB01": (18, True, "中共市教育局党组"),
        "DW01-ZB02": (6, False, "中共市教育局党组"),
    }
    assert [(m.org_code, m.meeting_type, m.held_on, m.attendees, m.for_year) for m in meetings] == [
        ("DW01-ZB01", "committee_meeting", date(2026, 10, 9), 5, None),
        ("DW01-ZB01", "theme_day", date(2026, 10, 15), 18, None),
        ("DW01-ZB02", "committee_meeting", date(2026, 10, 20), 3, None),
        ("DW01-ZB02", "theme_day", date(2026, 10, 28), 8, None),      # one ledger row,
        ("DW01-ZB02", "party_lecture", date(2026, 10, 28), 8, None),  # two meetings
        ("DW01-ZB01", "life_meeting", date(2026, 10, 30), 18, 2026),
    ]
    assert {i: (r.extended_to, r.source, r.responsible) for i, r in items.items()} == {
        "ZG-1": (date(2026, 11, 30), "巡察", "李明"),
        "ZG-2": (None, "督查", "张丽"),
    }
    assert ratings == {"DW01-ZB01": "fairly_good", "DW01-ZB02": "poor"}
    # real columns, so nothing of them is left in `extra`
    assert all(not o.extra for o in orgs.values())
    assert all(not m.extra for m in meetings) and all(not r.extra for r in items.values())
    meeting_load = next(t for t in summary.tables if t.table == "meetings")
    assert meeting_load.rows_loaded == 6  # database rows: one per type held


def test_bad_optional_cells_are_quarantined_and_stored_with_row_and_reason(db_url, tmp_path):
    folder = tmp_path / "in"
    write_xlsx(folder / "组织.xlsx", {"组织": ([*ORG_HEADERS, "正式党员数", "是否设支委会"], [
        *([*r, None, None] for r in org_rows()),                               # rows 3-5
        ["DW01-ZB03", "中共市教育局第三党支部", "党支部", "DW01", "赵强", 20, 0, 25, "是"],
        ["DW01-ZB04", "中共市教育局第四党支部", "党支部", "DW01", "钱平", 6, 0, 6, "maybe"],
    ])}, title="党组织名册")
    write_xlsx(folder / "组织生活台账.xlsx", {"组织生活": ([*MEETING_HEADERS, "所属年度"], [
        ["DW01-ZB01", "主题党日、党课", date(2026, 10, 15), 18, None],   # row 2
        ["DW01-ZB01", "主题党日、茶话会", date(2026, 10, 16), 18, None],  # row 3
        ["DW01-ZB01", "组织生活会", date(2026, 10, 17), 18, 1999]])})     # row 4
    write_csv(folder / "考核.csv", [*ASSESS_HEADERS, "述职评议等次"], [
        ["DW01", "2026-10", 88, 10, 9, "优秀"]], encoding="gb18030")     # row 2
    summary = ingest_reports(period="2026-10", input_path=folder)
    expected = [
        ("organizations", 6, "full_members", "正式党员数25人，多于党员人数20人"),
        ("organizations", 7, "has_committee", "是否设支委会应填“是”或“否”：maybe"),
        ("meetings", 3, "meeting_type", "会议类型中的“茶话会”无法识别：主题党日、茶话会"),
        ("meetings", 4, "for_year", "所属年度超出可接受的范围（2000年至2099年）：1999"),
        ("assessments", 2, "duty_report_rating", "述职评议等次无法识别：优秀"),
    ]
    assert [(q.table, q.row, q.column, q.reason) for q in summary.quarantined] == expected
    with session_scope() as session:
        stored = quarantined_rows(session=session, period="2026-10")
        kept = session.execute(select(Meeting.meeting_type).order_by(Meeting.id)).scalars().all()
        codes = set(session.execute(select(Organization.org_code)).scalars())
    assert sorted((q.table_name, q.row_number, q.column, q.reason) for q in stored) == sorted(expected)
    assert kept == ["theme_day", "party_lecture"]
    assert codes == {"DW01", "DW01-ZB01", "DW01-ZB02"}  # the two bad branches are not loaded


def test_files_without_the_optional_columns_load_exactly_as_before(db_url, tmp_path):
    folder = report_folder(tmp_path / "in")
    write_csv(folder / "整改台账.csv", RECT_HEADERS,
              [r[:6] for r in rect_rows_with_optional_columns()], encoding="gb18030")
    write_csv(folder / "考核.csv", ASSESS_HEADERS, [["DW01-ZB01", "2026-10", 88, 10, 9]])
    summary = ingest_reports(period="2026-10", input_path=folder)
    assert summary.quarantined == [] and summary.rows_loaded == 3 + 3 + 2 + 1
    with session_scope() as session:
        orgs = session.execute(select(Organization.full_members, Organization.has_committee,
                                      Organization.unit_party_group, Organization.extra)).all()
        meetings = session.execute(select(Meeting.meeting_type, Meeting.for_year)).all()
        items = session.execute(select(Rectification.extended_to, Rectification.source,
                                       Rectification.responsible)).all()
        ratings = session.execute(select(Assessment.duty_report_rating)).scalars().all()
    assert [tuple(o) for o in orgs] == [(None, None, None, {})] * 3
    assert sorted(m for m, _ in meetings) == ["committee_meeting", "committee_meeting", "theme_day"]
    assert {y for _, y in meetings} == {None}
    assert [tuple(i) for i in items] == [(None, None, None)] * 2
    assert ratings == [None]


def test_a_later_organizations_file_with_the_columns_fills_them_in(db_url, tmp_path):
    ingest_reports(period="2026-09", input_path=report_folder(
        tmp_path / "sep", meetings=[["DW01-ZB01", "主题党日", date(2026, 9, 15), 18]]))
    folder = report_folder(tmp_path / "oct")
    write_xlsx(folder / "组织.xlsx", {"组织": ([*ORG_HEADERS, *ORG_OPTIONAL_HEADERS],
                                           org_rows_with_optional_columns())})
    ingest_reports(period="2026-10", input_path=folder)
    with session_scope() as session:
        found = dict(session.execute(select(Organization.org_code,
                                            Organization.has_committee)).all())
    assert found == {"DW01": None, "DW01-ZB01": True, "DW01-ZB02": False}


# --------------------------------------------------------------------------------- migration


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database no test has upgraded: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    with scratch_pg_database("dutyflow_migrate") as url:
        yield url


def _columns(url: str) -> dict[str, set[str]]:
    engine = create_engine(url)
    try:
        found = inspect(engine)
        return {t: {c["name"] for c in found.get_columns(t)} for t in NEW_COLUMNS}
    finally:
        engine.dispose()


def test_migration_0003_adds_the_columns_to_a_database_with_data_and_takes_them_away(
        empty_database):
    url = empty_database
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organization (org_code, org_name, org_type, secretary, "
                          "members, groups, extra, updated_at) VALUES ('DW01', '中共市教育局"
                          "机关委员会', '党委', '王建国', 120, 0, '{}', CURRENT_TIMESTAMP)"))
    assert all(not (_columns(url)[t] & names) for t, names in NEW_COLUMNS.items())

    command.upgrade(config, "0003")
    assert all(names <= _columns(url)[t] for t, names in NEW_COLUMNS.items())
    with engine.begin() as conn:
        row = conn.execute(text("SELECT org_name, full_members, has_committee, unit_party_group "
                                "FROM organization")).one()
        assert tuple(row) == ("中共市教育局机关委员会", None, None, None)
        conn.execute(text("UPDATE organization SET full_members = 115, has_committee = :yes"),
                     {"yes": True})

    command.downgrade(config, "0002")
    assert all(not (_columns(url)[t] & names) for t, names in NEW_COLUMNS.items())
    with engine.begin() as conn:
        assert conn.execute(text("SELECT org_code FROM organization")).scalars().all() == ["DW01"]
    engine.dispose()
