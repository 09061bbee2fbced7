"""The office's workbooks read back as Excel opens and prints them (openpyxl)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from openpyxl import load_workbook

from dutyflow.services.workbooks import write_sheets

TITLE = "中共某市委市直机关工作委员会 2026年第三季度党建工作考评排名"


def ranking_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "名次": [1, 2], "组织名称": ["中共市教育局第一党支部", "中共市财政局第二党支部"],
        "7月": [98.5, 97.0], "8月": [99.0, 96.5], "9月": [None, None],  # September not judged
        "季度得分": [98.75, 96.75], "落实率": [0.933, 0.5], "通报日期": [date(2026, 10, 15)] * 2})


def test_a_committee_table_has_its_title_a_frozen_bold_header_and_a_print_set_up(tmp_path):
    path = write_sheets(tmp_path / "排名.xlsx", {"基层党支部排名": ranking_frame()}, title=TITLE)
    sheet = load_workbook(path)["基层党支部排名"]
    assert sheet["A1"].value == TITLE and sheet["A1"].font.bold
    assert "A1:G1" in {str(r) for r in sheet.merged_cells.ranges}  # over the table's width
    header = [c.value for c in sheet[2]]
    assert header == ["名次", "组织名称", "7月", "8月", "季度得分", "落实率", "通报日期"]  # no 9月
    assert all(c.font.bold for c in sheet[2]) and sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$2:$2"
    formats = {header[c.column - 1]: c.number_format for c in sheet[3]}
    assert formats["名次"] == "0" and formats["季度得分"] == "0.00"
    assert formats["落实率"] == "0.0%" and formats["通报日期"] == "yyyy-mm-dd"
    widths = {h: sheet.column_dimensions[chr(65 + i)].width for i, h in enumerate(header)}
    assert widths["组织名称"] >= 2 * len("中共市教育局第一党支部") > widths["名次"]


def test_without_a_title_the_header_is_the_first_row(tmp_path):
    path = write_sheets(tmp_path / "预警.xlsx", {"尚未开展的组织生活": ranking_frame()})
    read = pd.read_excel(path, sheet_name="尚未开展的组织生活")
    assert list(read.columns)[:2] == ["名次", "组织名称"] and "9月" not in read.columns
    sheet = load_workbook(path)["尚未开展的组织生活"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold

