"""Workbooks the office sends round and lays on the committee's table: one sheet per table,
written whole or not at all, and set for reading and printing: a title row (when given) naming
the period and the issuer, a bold header frozen under it, columns as wide as their content,
numbers, percentages and dates formatted, A4 landscape fitted to the page's width with the
header repeated on each printed page, and no column for a month nobody judged yet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"  # what an office's Excel prints tables in; the body size for a table on paper
TITLE_FONT = "黑体"
MAX_WIDTH = 60
MONTH_COLUMN = re.compile(r"^(\d{4}-\d{2}|\d{1,2}月)$")  # 2026-08, 8月: a month's scores
RATE_COLUMN = re.compile(r"率|占比|比例")
THIN = Side(style="thin", color="808080")


def _width(values: pd.Series, header: str) -> float:
    # a CJK character takes about two columns
    longest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in _shown(v)) for v in
                   [header, *values.tolist()]), default=8)
    return min(max(8, longest + 2), MAX_WIDTH)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return "2026-10-09"
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def unjudged_months(frame: pd.DataFrame) -> list[str]:
    """Month columns with no value at all: a month not judged yet, not a month of zeros."""
    return [c for c in frame.columns if MONTH_COLUMN.match(str(c)) and frame[c].isna().all()]


def _number_format(series: pd.Series, header: str) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series) or any(
            isinstance(v, date) for v in series.dropna().head(20)):
        return "yyyy-mm-dd"
    if pd.api.types.is_integer_dtype(series):
        return "0"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        if RATE_COLUMN.search(header) and len(values) and values.between(0, 1).all():
            return "0.0%"
        if len(values) and (values == values.round()).all():
            return "0"
        return "0.00"
    return None


def _lay_out(sheet: Worksheet, frame: pd.DataFrame, title: str | None) -> None:
    header_row = 2 if title else 1
    columns = len(frame.columns)
    if title:
        sheet.cell(1, 1, title).font = Font(name=TITLE_FONT, size=14, bold=True)
        sheet.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
        if columns > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        sheet.row_dimensions[1].height = 28
    body = Font(name=FONT, size=11)
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row,
                               max_col=max(columns, 1)):
        for cell in row:
            cell.font = body
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    for cell in sheet[header_row][:columns]:
        cell.font = Font(name=FONT, size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="EDEDED")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = _width(frame[column], str(column))
        shape = _number_format(frame[column], str(column))
        if shape:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=i, max_col=i):
                cell.number_format = shape
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    # printed: A4 landscape, one page wide, the header repeated on every page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_sheets(path: Path, sheets: Mapping[str, pd.DataFrame], *,
                 title: str | None = None) -> Path:
    """Write `sheets` (name -> table, in order) to `path` atomically: a reader never sees half
    a workbook, and a failure leaves the previous one. `title` (the period, the subject and
    the issuer) heads each sheet in a row of its own above the header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    start = 1 if title else 0
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name, frame in sheets.items():
                shown = frame.drop(columns=unjudged_months(frame))
                shown.to_excel(book, sheet_name=name[:31], index=False, startrow=start)
                _lay_out(book.sheets[name[:31]], shown, f"{title}（{name}）" if title and
                         len(sheets) > 1 else title)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
