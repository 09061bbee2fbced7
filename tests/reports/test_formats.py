"""Every accepted format and encoding reads back to the same typed rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS, ORGANIZATIONS, RECTIFICATIONS
from dutyflow.reports.reading import find_sources, read_source
from dutyflow.reports.validate import CleanTable, clean_table
from tests.factories import (
    MEETING_HEADERS,
    ORG_HEADERS,
    meeting_rows,
    org_rows,
    write_csv,
    write_json,
    write_xlsx,
)

OCTOBER = Period.parse("2026-10")
KNOWN = {"DW01", "DW01-ZB01", "DW01-ZB02"}
EXPECTED_MEETINGS = [
    ("DW01-ZB01", "committee_meeting", date(2026, 10, 9), 5),
    ("DW01-ZB01", "theme_day", date(2026, 10, 15), 18),
    ("DW01-ZB02", "committee_meeting", date(2026, 10, 20), 3),
]


def clean(path: Path, spec=MEETINGS) -> CleanTable:
    sources = [s for s in find_sources(path) if s.table == spec.name]
    return clean_table([read_source(s) for s in sources], spec, period=OCTOBER, known_orgs=KNOWN)


def meeting_tuples(table: CleanTable) -> list[tuple]:
    return [tuple(r) for r in table.rows[["org_code", "meeting_type", "held_on", "attendees"]]
            .itertuples(index=False)]


def test_xlsx_with_chinese_headers_and_a_merged_title_row_reads_every_row(tmp_path):
    path = write_xlsx(tmp_path / "reports.xlsx", {"组织生活": (MEETING_HEADERS, meeting_rows())},
                      title="2026年10月组织生活台账")
    table = clean(path)
    assert meeting_tuples(table) == EXPECTED_MEETINGS
    assert table.quarantined == []
    # row numbers are the ones Excel shows: title row 1, header row 2, data from row 3
    assert list(table.rows["_row"]) == [3, 4, 5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same_rows(tmp_path, encoding):
    path = write_csv(tmp_path / "会议.csv", MEETING_HEADERS, meeting_rows(), encoding=encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # the file really is not UTF-8
    assert meeting_tuples(clean(path)) == EXPECTED_MEETINGS


def test_json_list_of_row_objects_reads_the_same_rows(tmp_path):
    path = write_json(tmp_path / "meetings.json", MEETING_HEADERS, meeting_rows())
    table = clean(path)
    assert meeting_tuples(table) == EXPECTED_MEETINGS
    assert list(table.rows["_row"]) == [1, 2, 3]


def test_english_headers_and_keys_are_accepted(tmp_path):
    rows = [["DW01-ZB01", "committee_meeting", "2026-10-09", "5"],
            ["DW01-ZB01", "theme_day", "2026-10-15", 18],
            ["DW01-ZB02", "Committee Meeting", "2026-10-20", 3]]
    path = write_csv(tmp_path / "meetings.csv", ["org_code", "meeting_type", "held_on", "attendees"],
                     rows)
    assert meeting_tuples(clean(path)) == EXPECTED_MEETINGS


def test_traditional_headers_with_stray_spaces_and_notes_are_recognised(tmp_path):
    headers = [" 組織編碼 ", "會議類型", "召開日期（年月日）", "實到人數*"]
    path = write_csv(tmp_path / "會議.csv", headers, meeting_rows())
    assert meeting_tuples(clean(path)) == EXPECTED_MEETINGS


def test_messy_cells_normalise_dates_full_width_digits_and_spaces(tmp_path):
    rows = [
        ["ＤＷ０１-ＺＢ０１ ", "支部委员会会议", "2026年10月9日", "５"],
        ["DW01-ZB01", " 主题党日 ", "2026/10/15", "18人"],
        ["DW01-ZB02", "支部委員會會議", 46315, 3.0],  # 46315 is 2026-10-20 as an Excel serial
    ]
    path = write_xlsx(tmp_path / "组织生活.xlsx", {"Sheet1": (MEETING_HEADERS, rows)})
    table = clean(path)
    assert table.quarantined == []
    assert meeting_tuples(table) == EXPECTED_MEETINGS


def test_blank_rows_are_skipped_and_row_numbers_still_match_the_file(tmp_path):
    rows = [meeting_rows()[0], [None, None, None, None], meeting_rows()[1]]
    path = write_xlsx(tmp_path / "meetings.xlsx", {"meetings": (MEETING_HEADERS, rows)})
    table = clean(path)
    assert len(table.rows) == 2
    assert list(table.rows["_row"]) == [2, 4]


def test_statuses_in_either_language_and_optional_completion_date(tmp_path):
    headers = ["问题编号", "组织编码", "问题描述", "整改时限", "整改状态", "完成日期"]
    rows = [["ZG-1", "DW01-ZB01", "台账不全", "2026-09-30", "未整改", None],
            ["ZG-2", "DW01-ZB01", "记录不规范", "2026-09-30", "in progress", ""],
            ["ZG-3", "DW01-ZB02", "学时不足", "2026年8月31日", "已銷號", "2026-08-20"],
            ["ZG-4", "DW01-ZB02", "阵地不达标", "2026-08-31", "done", "2026/8/1"]]
    path = write_csv(tmp_path / "整改台账.csv", headers, rows, encoding="gb18030")
    table = clean(path, RECTIFICATIONS)
    assert list(table.rows["status"]) == ["open", "in_progress", "closed", "done"]
    assert list(table.rows["completed_on"]) == [None, None, date(2026, 8, 20), date(2026, 8, 1)]


def test_extra_columns_are_kept_not_rejected(tmp_path):
    headers = [*ORG_HEADERS, "所在单位", "联系电话"]
    rows = [[*r, "市教育局", "0571-1234"] for r in org_rows()]
    path = write_xlsx(tmp_path / "组织.xlsx", {"组织": (headers, rows)})
    table = clean(path, ORGANIZATIONS)
    assert table.rows.loc[0, "extra"] == {"所在单位": "市教育局", "联系电话": "0571-1234"}
    assert list(table.rows["groups"]) == [0, 2, 0]


def test_one_workbook_holds_several_tables_found_by_sheet_name(tmp_path):
    path = write_xlsx(tmp_path / "2026年10月报表.xlsx", {
        "组织": (ORG_HEADERS, org_rows()), "会议": (MEETING_HEADERS, meeting_rows()),
        "说明": (["说明"], [["填表说明"]])})
    assert sorted(s.table for s in find_sources(path)) == ["meetings", "organizations"]


@pytest.mark.parametrize("cell", [float("inf"), float("-inf"), float("nan"), "inf", "1e400"])
def test_a_count_that_is_no_number_is_quarantined_not_a_crash(cell):
    """A workbook cell can hold inf or nan (a formula's overflow): the row is refused with the
    reason, like any other bad count (the fuzz test found the crash)."""
    from dutyflow.reports.normalise import Bad, parse_count

    refused = parse_count(cell)
    assert isinstance(refused, Bad) and "不是整数" in refused.reason
