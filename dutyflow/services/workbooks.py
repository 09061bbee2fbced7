"""Workbooks the office sends round: one sheet per table, the header frozen, columns wide
enough for Chinese names, written whole or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter


def _width(values: pd.Series, header: str) -> float:
    # a CJK character takes about two columns
    longest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in str(v)) for v in
                   [header, *values.tolist()]), default=8)
    return min(max(8, longest + 2), 60)


def write_sheets(path: Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write `sheets` (name -> table, in order) to `path` atomically: a reader never sees half
    a workbook, and a failure leaves the previous one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as book:
            for name, frame in sheets.items():
                frame.to_excel(book, sheet_name=name[:31], index=False)
                sheet = book.sheets[name[:31]]
                sheet.freeze_panes = "A2"
                for i, column in enumerate(frame.columns, start=1):
                    sheet.column_dimensions[get_column_letter(i)].width = _width(
                        frame[column], str(column))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
