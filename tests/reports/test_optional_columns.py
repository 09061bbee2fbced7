"""The optional input columns (CONTRACT.md): read under Chinese or English headers, typed,
checked, and a ledger row naming several meeting types counted for each."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import (
    ASSESSMENTS,
    MEETINGS,
    ORGANIZATIONS,
    RECTIFICATIONS,
    TableSpec,
    table_specs,
)
from dutyflow.core.vocabulary import MeetingType, extend_meeting_types
from dutyflow.reports.reading import find_sources, read_source
from dutyflow.reports.validate import CleanTable, clean_table
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
    write_csv,
    write_xlsx,
)

OCTOBER = Period.parse("2026-10")
KNOWN = {"DW01", "DW01-ZB01", "DW01-ZB02"}
MEETING_KEY = ["org_code", "meeting_type", "held_on", "attendees"]


def clean(path: Path, spec: TableSpec, period: Period = OCTOBER) -> CleanTable:
    sources = [s for s in find_sources(path) if s.table == spec.name]
    return clean_table([read_source(s) for s in sources], spec, period=period, known_orgs=KNOWN)


def column(table: CleanTable, name: str) -> list[Any]:
    return list(table.rows[name])


def problems(table: CleanTable) -> list[tuple[int, str, str]]:
    return [(q.row, q.column, q.reason) for q in table.quarantined]


def write(tmp_path: Path, fmt: str, stem: str, headers: list[str], rows: list[list[Any]]) -> Path:
    """The same table as a workbook with a title row, or as a CSV saved by Excel in GB18030."""
    if fmt == "xlsx":
        return write_xlsx(tmp_path / f"{stem}.xlsx", {stem: (headers, rows)}, title="2026年10月报表")
    return write_csv(tmp_path / f"{stem}.csv", headers, rows, encoding="gb18030")


# ----------------------------------------------------------------------------- organizations

ORG_HEADER_SETS = {
    "chinese": ORG_OPTIONAL_HEADERS,
    "alternative chinese": ["正式党员人数", "是否设立支部委员会", "单位党组"],
    "english": ["full_members", "has_committee", "unit_party_group"],
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("headers", ORG_HEADER_SETS.values(), ids=ORG_HEADER_SETS.keys())
def test_full_members_committee_and_party_group_are_read_under_each_header(tmp_path, headers, fmt):
    table = clean(write(tmp_path, fmt, "组织", [*ORG_HEADERS, *headers],
                        org_rows_with_optional_columns()), ORGANIZATIONS)
    assert table.quarantined == []
    assert column(table, "full_members") == [115, 18, 6]
    assert column(table, "has_committee") == [None, True, False]
    assert column(table, "unit_party_group") == ["中共市教育局党组"] * 3
    assert all(row == {} for row in table.rows["extra"])  # real columns, not extras


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("已设", True), ("未设", False),
    ("yes", True), ("No", False), ("√", True), ("×", False), (1, True), (0, False),
    (True, True), (False, False), (" 是 ", True),
])
def test_a_yes_no_cell_is_read_in_the_ways_offices_write_it(tmp_path, cell, expected):
    rows = [[*org_rows()[1], 18, cell]]
    table = clean(write(tmp_path, "xlsx", "组织", [*ORG_HEADERS, "正式党员数", "是否设支委会"],
                        rows), ORGANIZATIONS)
    assert column(table, "has_committee") == [expected]


def test_bad_organization_cells_are_quarantined_with_row_column_and_reason(tmp_path):
    rows = [
        ["DW01", "中共市教育局机关委员会", "党委", "", "王建国", 120, 0, 115, None],
        ["DW01-ZB01", "中共市教育局第一党支部", "党支部", "DW01", "李明", 20, 2, 18, "maybe"],
        ["DW01-ZB02", "中共市教育局第二党支部", "党支部", "DW01", "张丽", 9, 0, -2, "否"],
        ["DW01-ZB03", "中共市教育局第三党支部", "党支部", "DW01", "赵强", 9, 0, 12, "是"],
        ["DW01-ZB04", "中共市教育局第四党支部", "党支部", "DW01", "钱平", 9, 0, None, None],
    ]
    table = clean(write(tmp_path, "csv", "组织", [*ORG_HEADERS, "正式党员数", "是否设支委会"],
                        rows), ORGANIZATIONS)
    assert problems(table) == [
        (3, "has_committee", "是否设支委会应填“是”或“否”：maybe"),
        (4, "full_members", "正式党员数不能为负数：-2"),
        (5, "full_members", "正式党员数12人，多于党员人数9人"),
    ]
    assert column(table, "org_code") == ["DW01", "DW01-ZB04"]
    # blank optional cells are simply empty
    assert column(table, "full_members") == [115, None]
    assert column(table, "has_committee") == [None, None]


def test_a_party_group_name_longer_than_the_database_column_is_quarantined(tmp_path):
    rows = [[*org_rows()[0], "党" * 201]]
    table = clean(write(tmp_path, "xlsx", "组织", [*ORG_HEADERS, "所在单位党组"], rows),
                  ORGANIZATIONS)
    assert problems(table) == [(3, "unit_party_group", "所在单位党组共201个字，超过200个字的上限")]


# ---------------------------------------------------------------------------------- meetings


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_ledger_row_naming_two_meeting_types_counts_for_each(tmp_path, fmt):
    rows = [["DW01-ZB01", "主题党日、党课", date(2026, 10, 15), 18],
            ["DW01-ZB02", "支部委员会会议", date(2026, 10, 20), 3]]
    table = clean(write(tmp_path, fmt, "组织生活", MEETING_HEADERS, rows), MEETINGS)
    assert table.quarantined == []
    assert [tuple(r) for r in table.rows[MEETING_KEY].itertuples(index=False)] == [
        ("DW01-ZB01", "theme_day", date(2026, 10, 15), 18),
        ("DW01-ZB01", "party_lecture", date(2026, 10, 15), 18),
        ("DW01-ZB02", "committee_meeting", date(2026, 10, 20), 3),
    ]
    first = 3 if fmt == "xlsx" else 2
    assert list(table.rows["_row"]) == [first, first, first + 1]  # both from the same row


@pytest.mark.parametrize("cell", [
    "主题党日、党课", "主题党日，党课", "主题党日,党课", "主题党日；党课", "主题党日;党课",
    "主题党日/党课", "主题党日／党课", "主题党日+党课", "主题党日＋党课", " 主题党日 、 党课 ",
    "主题党日活动、党课", "theme_day, party_lecture", "主題党日、党課",  # traditional forms
    "主题党日、党课、",
])
def test_every_separator_splits_a_meeting_type_cell(tmp_path, cell):
    rows = [["DW01-ZB01", cell, date(2026, 10, 15), 18]]
    table = clean(write(tmp_path, "csv", "会议", MEETING_HEADERS, rows), MEETINGS)
    assert column(table, "meeting_type") == ["theme_day", "party_lecture"]


def test_a_type_named_twice_in_one_cell_counts_once(tmp_path):
    rows = [["DW01-ZB01", "党课、党课", date(2026, 10, 15), 18],
            ["DW01-ZB01", "主题党日、主题党日活动", date(2026, 10, 16), 18]]
    table = clean(write(tmp_path, "xlsx", "会议", MEETING_HEADERS, rows), MEETINGS)
    assert table.quarantined == []
    assert column(table, "meeting_type") == ["party_lecture", "theme_day"]


def test_a_row_with_one_unknown_meeting_type_is_quarantined_naming_it(tmp_path):
    rows = [*meeting_rows(), ["DW01-ZB01", "主题党日、茶话会", date(2026, 10, 15), 18]]
    table = clean(write(tmp_path, "xlsx", "会议", MEETING_HEADERS, rows), MEETINGS)
    assert problems(table) == [
        (6, "meeting_type", "会议类型中的“茶话会”无法识别：主题党日、茶话会")]
    assert len(table.rows) == 3  # no part of the bad row is kept
    assert table.quarantined[0].value == "主题党日、茶话会"


def test_the_two_types_of_one_row_are_not_duplicates_but_a_repeated_row_is(tmp_path):
    rows = [["DW01-ZB01", "主题党日、党课", date(2026, 10, 15), 18],   # row 2
            ["DW01-ZB01", "党课", date(2026, 10, 15), 18],             # row 3: repeats a part
            ["DW01-ZB01", "主题党日、党课", date(2026, 10, 15), 18],   # row 4: repeats it all
            ["DW01-ZB01", "党课、党小组会", date(2026, 10, 15), 18],   # row 5: repeats a part
            ["DW01-ZB01", "党小组会", date(2026, 10, 15), 18]]         # row 6: new, once row 5 goes
    table = clean(write(tmp_path, "csv", "会议", MEETING_HEADERS, rows), MEETINGS)
    assert problems(table) == [
        (3, "org_code", "与第2行重复"),
        (4, "org_code", "与第2行重复（主题党日）"),
        (5, "org_code", "与第2行重复（党课）"),
    ]
    # a row goes or stays whole: row 5's group meeting is not half-loaded
    assert [(r, t) for r, t in zip(table.rows["_row"], table.rows["meeting_type"], strict=True)] \
        == [(2, "theme_day"), (2, "party_lecture"), (6, "group_meeting")]
    assert table.rows_read == 5 and table.rows_quarantined == 3


def test_a_meeting_type_declared_by_a_policy_may_share_a_cell_with_built_in_ones(tmp_path):
    study = MeetingType("study_session", "理论学习中心组学习", ("中心组学习",))
    specs = table_specs(extend_meeting_types([study]))
    rows = [["DW01-ZB01", "主题党日+中心组学习", date(2026, 10, 15), 18],
            ["DW01-ZB01", "主题党日、读书会", date(2026, 10, 16), 18]]
    table = clean(write(tmp_path, "xlsx", "会议", MEETING_HEADERS, rows), specs["meetings"])
    assert column(table, "meeting_type") == ["theme_day", "study_session"]
    assert problems(table) == [(4, "meeting_type", "会议类型中的“读书会”无法识别：主题党日、读书会")]
    # the built-in table still refuses the policy's type
    plain = clean(write(tmp_path / "plain", "xlsx", "会议", MEETING_HEADERS, rows[:1]), MEETINGS)
    assert problems(plain)[0][2] == "会议类型中的“中心组学习”无法识别：主题党日+中心组学习"


@pytest.mark.parametrize("header", ["所属年度", "年度", "所属年份", "for_year"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_year_a_meeting_is_for_is_read_under_each_header(tmp_path, header, fmt):
    rows = [["DW01-ZB01", "组织生活会", date(2027, 1, 12), 18, 2026],
            ["DW01-ZB02", "民主评议党员", date(2027, 1, 13), 8, "2026年"],
            ["DW01-ZB01", "主题党日", date(2027, 1, 14), 18, None],
            ["DW01-ZB02", "组织生活会、民主评议党员", date(2027, 1, 20), 8, "２０２６年度"]]
    table = clean(write(tmp_path, fmt, "会议", [*MEETING_HEADERS, header], rows), MEETINGS,
                  period=Period.parse("2027-01"))
    assert table.quarantined == []
    assert column(table, "for_year") == [2026, 2026, None, 2026, 2026]
    assert column(table, "meeting_type")[-2:] == ["life_meeting", "member_review"]


def test_a_year_that_is_not_one_is_quarantined(tmp_path):
    rows = [["DW01-ZB01", "组织生活会", date(2026, 10, 12), 18, 1999],
            ["DW01-ZB01", "组织生活会", date(2026, 10, 13), 18, "2100年"],
            ["DW01-ZB01", "组织生活会", date(2026, 10, 14), 18, "去年"],
            ["DW01-ZB01", "组织生活会", date(2026, 10, 15), 18, 2027],
            ["DW01-ZB01", "组织生活会", date(2026, 10, 16), 18, "2025"]]
    table = clean(write(tmp_path, "csv", "会议", [*MEETING_HEADERS, "所属年度"], rows), MEETINGS)
    assert problems(table) == [
        (2, "for_year", "所属年度超出可接受的范围（2000年至2099年）：1999"),
        (3, "for_year", "所属年度超出可接受的范围（2000年至2099年）：2100"),
        (4, "for_year", "所属年度不是年份：去年"),
        (5, "for_year", "召开日期是2026-10-15，所属年度不能是更晚的2027年"),
    ]
    assert column(table, "for_year") == [2025]


# ---------------------------------------------------------------------------- rectifications

RECT_HEADER_SETS = {
    "chinese": RECT_OPTIONAL_HEADERS,
    "alternative chinese": ["延期时限", "来源", "责任人"],
    "english": ["extended_to", "source", "responsible"],
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("headers", RECT_HEADER_SETS.values(), ids=RECT_HEADER_SETS.keys())
def test_extension_source_and_person_responsible_are_read_under_each_header(tmp_path, headers,
                                                                             fmt):
    table = clean(write(tmp_path, fmt, "整改台账", [*RECT_HEADERS, *headers],
                        rect_rows_with_optional_columns()), RECTIFICATIONS)
    assert table.quarantined == []
    assert column(table, "extended_to") == [date(2026, 11, 30), None]
    assert column(table, "source") == ["巡察", "督查"]
    assert column(table, "responsible") == ["李明", "张丽"]
    assert all(row == {} for row in table.rows["extra"])


def test_bad_rectification_cells_are_quarantined_with_row_column_and_reason(tmp_path):
    rows = [["ZG-1", "DW01-ZB01", "台账不全", "2026-09-30", "整改中", None, "2026年13月1日", "巡察", ""],
            ["ZG-2", "DW01-ZB01", "台账不全", "2026-09-30", "整改中", None, "2026-09-01", "巡察", ""],
            ["ZG-3", "DW01-ZB01", "台账不全", "2026-09-30", "整改中", None, "", "巡" * 51, "李明"],
            ["ZG-4", "DW01-ZB01", "台账不全", "2026-09-30", "整改中", None, "", "", ""]]
    table = clean(write(tmp_path, "csv", "整改台账", [*RECT_HEADERS, *RECT_OPTIONAL_HEADERS], rows),
                  RECTIFICATIONS)
    assert problems(table) == [
        (2, "extended_to", "延期至不是有效日期：2026年13月1日"),
        (3, "extended_to", "延期至2026-09-01，不晚于整改时限2026-09-30"),
        (4, "source", "问题来源共51个字，超过50个字的上限"),
    ]
    assert column(table, "item_id") == ["ZG-4"]
    assert column(table, "source") == [None] and column(table, "responsible") == [None]


def test_a_completion_before_the_problem_was_found_is_quarantined_as_the_ledger_refuses_it(
        tmp_path):
    """发现日期 (optional): a problem cannot be completed before it was found, nor found after
    the period; the e-ledger's form refuses the same entries in the same words."""
    rows = [["ZG-1", "DW01-ZB01", "台账不全", "2026-10-30", "已整改", "2026-09-01", "2026-09-10"],
            ["ZG-2", "DW01-ZB01", "台账不全", "2026-10-30", "整改中", None, "2026-11-02"],
            ["ZG-3", "DW01-ZB01", "台账不全", "2026-10-30", "已整改", "2026-10-09", "2026年9月10日"]]
    table = clean(write(tmp_path, "csv", "整改台账", [*RECT_HEADERS, "发现日期"], rows),
                  RECTIFICATIONS)
    assert problems(table) == [
        (2, "completed_on", "完成日期2026-09-01早于发现日期2026-09-10"),
        (3, "found_on", "发现日期2026-11-02晚于2026年10月"),
    ]
    assert column(table, "found_on") == [date(2026, 9, 10)]


# ------------------------------------------------------------------------------- assessments


@pytest.mark.parametrize("header", ["述职评议等次", "述职评议结果", "duty_report_rating"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_duty_report_rating_is_read_as_its_key_under_each_header(tmp_path, header, fmt):
    rows = [["DW01-ZB01", "2026-12", 88, 10, 9, "好"], ["DW01-ZB02", "2026-12", 80, 10, 9, "较好"],
            ["DW01", "2026-12", 75, 10, 9, "一般"], ["DW01-ZB01", "2026年", 60, 10, 9, "差"],
            ["DW01-ZB02", "2026", 80, 10, 9, "Fairly Good"], ["DW01", "2026", 80, 10, 9, None]]
    table = clean(write(tmp_path, fmt, "考核", [*ASSESS_HEADERS, header], rows), ASSESSMENTS,
                  period=Period.parse("2026-12"))
    assert table.quarantined == []
    assert column(table, "duty_report_rating") == ["good", "fairly_good", "average", "poor",
                                                   "fairly_good", None]


def test_an_unknown_rating_is_quarantined(tmp_path):
    rows = [["DW01-ZB01", "2026-10", 88, 10, 9, "优秀"], ["DW01-ZB02", "2026-10", 80, 10, 9, "差"]]
    table = clean(write(tmp_path, "xlsx", "考核", [*ASSESS_HEADERS, "述职评议等次"], rows),
                  ASSESSMENTS)
    assert problems(table) == [(3, "duty_report_rating", "述职评议等次无法识别：优秀")]
    assert column(table, "duty_report_rating") == ["poor"]


# ------------------------------------------------------------------------ without the columns


@pytest.mark.parametrize("spec, headers, rows", [
    (ORGANIZATIONS, ORG_HEADERS, org_rows()),
    (MEETINGS, MEETING_HEADERS, meeting_rows()),
    (RECTIFICATIONS, RECT_HEADERS, [r[:6] for r in rect_rows_with_optional_columns()]),
    (ASSESSMENTS, ASSESS_HEADERS, [["DW01-ZB01", "2026-10", 88, 10, 9]]),
], ids=["organizations", "meetings", "rectifications", "assessments"])
def test_a_table_without_the_optional_columns_reads_as_before(tmp_path, spec, headers, rows):
    table = clean(write(tmp_path, "xlsx", spec.names[-1], headers, rows), spec)
    assert table.quarantined == [] and len(table.rows) == len(rows)
    optional = [c.name for c in spec.columns if not c.required]
    for name in optional:
        if name != "groups":
            assert column(table, name) == [None] * len(rows)
    assert all(row == {} for row in table.rows["extra"])


def test_old_extra_columns_that_are_now_optional_columns_are_read_into_them(tmp_path):
    """The sample workbooks of the first release wrote 问题来源 and 责任人 as extra columns."""
    rows = [[*r[:6], "巡察", "李明", "13800000000"] for r in rect_rows_with_optional_columns()]
    table = clean(write(tmp_path, "xlsx", "整改", [*RECT_HEADERS, "问题来源", "责任人", "联系电话"],
                        rows), RECTIFICATIONS)
    assert column(table, "source") == ["巡察", "巡察"]
    assert column(table, "responsible") == ["李明", "李明"]
    assert table.rows.loc[0, "extra"] == {"联系电话": "13800000000"}
