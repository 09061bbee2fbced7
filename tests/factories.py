"""Plain functions that build report files the way offices send them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

ORG_HEADERS = ["组织编码", "组织名称", "组织类型", "上级组织编码", "书记", "党员人数", "党小组数"]
MEETING_HEADERS = ["组织编码", "会议类型", "召开日期", "实到人数"]
RECT_HEADERS = ["问题编号", "组织编码", "问题描述", "整改时限", "整改状态", "完成日期"]
ASSESS_HEADERS = ["组织编码", "考核期", "考核得分", "责任清单任务数", "已完成任务数"]


def org_rows() -> list[list[Any]]:
    return [
        ["DW01", "中共市教育局机关委员会", "党委", "", "王建国", 120, 0],
        ["DW01-ZB01", "中共市教育局第一党支部", "党支部", "DW01", "李明", 20, 2],
        ["DW01-ZB02", "中共市教育局第二党支部", "党支部", "DW01", "张丽", 9, 0],
    ]


def meeting_rows() -> list[list[Any]]:
    return [
        ["DW01-ZB01", "支部委员会会议", date(2026, 10, 9), 5],
        ["DW01-ZB01", "主题党日", date(2026, 10, 15), 18],
        ["DW01-ZB02", "支部委员会会议", date(2026, 10, 20), 3],
    ]


def write_xlsx(path: Path, sheets: dict[str, tuple[Sequence[str], list[list[Any]]]],
               title: str | None = None) -> Path:
    """A workbook, one sheet per table, optionally with a merged title row above the header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        if title:
            sheet.append([title])
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet.append(list(headers))
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_csv(path: Path, headers: Sequence[str], rows: list[list[Any]],
              encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_json(path: Path, headers: Sequence[str], rows: list[list[Any]]) -> Path:
    objects = [{h: (v.isoformat() if isinstance(v, date) else v) for h, v in zip(headers, row, strict=True)}
               for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    return path


def report_folder(folder: Path, *, meetings: list[list[Any]] | None = None) -> Path:
    """A minimal good folder: organizations and meetings as .xlsx with title rows."""
    write_xlsx(folder / "组织.xlsx", {"Sheet1": (ORG_HEADERS, org_rows())}, title="党组织名册")
    write_xlsx(folder / "组织生活台账.xlsx",
               {"组织生活": (MEETING_HEADERS, meetings if meetings is not None else meeting_rows())},
               title="2026年10月组织生活台账")
    return folder


# The optional columns (CONTRACT.md "Optional input columns"), under their first Chinese header.
ORG_OPTIONAL_HEADERS = ["正式党员数", "是否设支委会", "所在单位党组"]
RECT_OPTIONAL_HEADERS = ["延期至", "问题来源", "整改责任人"]


def org_rows_with_optional_columns() -> list[list[Any]]:
    """org_rows() with 正式党员数, 是否设支委会 and 所在单位党组 filled as offices fill them."""
    optional = [[115, None, "中共市教育局党组"], [18, "是", "中共市教育局党组"],
                [6, "否", "中共市教育局党组"]]
    return [[*row, *more] for row, more in zip(org_rows(), optional, strict=True)]


def rect_rows_with_optional_columns() -> list[list[Any]]:
    return [
        ["ZG-1", "DW01-ZB01", "台账不全", date(2026, 9, 30), "整改中", None,
         date(2026, 11, 30), "巡察", "李明"],
        ["ZG-2", "DW01-ZB02", "学时不足", date(2026, 8, 31), "已整改", date(2026, 8, 20),
         None, "督查", "张丽"],
    ]


def sample_with_rows(folder: Path, month: str, sheet: str, rows: list[list[Any]]) -> Path:
    """A bundled sample workbook with `rows` appended to one of its sheets, saved in `folder`."""
    from openpyxl import load_workbook

    name = f"{month}-党建报表.xlsx"
    book = load_workbook(Path(__file__).resolve().parents[1] / "samples" / name)
    for row in rows:
        book[sheet].append(row)
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / name)
    return folder / name


# An item 120 days past its deadline in August: its case proposes 通报批评.
LATE_ITEM = ["ZG-LATE-1", "DW0001-ZB01", "巡察反馈问题整改进度滞后", "2026-05-03", "未整改", None]


REPLY_HEADERS = ("案件编号", "文号", "反馈日期", "整改措施", "是否完成", "佐证材料")


def sample_with_sheet(folder: Path, month: str, sheet: str, headers: Sequence[str],
                      rows: list[list[Any]]) -> Path:
    """A bundled sample workbook with one more sheet (e.g. 整改反馈), saved in `folder`."""
    from openpyxl import load_workbook

    name = f"{month}-党建报表.xlsx"
    book = load_workbook(Path(__file__).resolve().parents[1] / "samples" / name)
    added = book.create_sheet(sheet)
    added.append(list(headers))
    for row in rows:
        added.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / name)
    return folder / name


def approve_criticism_circular(period: str, reviewer: str = "张主任") -> str:
    """The office drafts the period's 通报 from the criticisms the committee decided and
    approves it, as a reviewer would at the desk; its id."""
    from dutyflow.models.db import session_scope
    from dutyflow.models.documents import record_decision
    from dutyflow.services.criticism import draft_criticism_circular, open_circular

    draft_criticism_circular(period=period)
    with session_scope() as session:
        circular = open_circular(session=session, period=period)
        assert circular is not None, f"no criticism decided in {period}"
        record_decision(session=session, document_id=circular.id, decision="approve",
                        reviewer=reviewer, note="")
        return circular.id


def printed_row(output: str, key: str) -> list[str]:
    """The cells of the row a command's table printed for `key` (an id, a code): off a
    terminal the CLI separates cells by spaces only and never wraps a row."""
    return next(line.split() for line in output.splitlines() if key in line.split())


def sheet_rows(sheet: Any) -> list[dict[str, Any]]:
    """A workbook sheet dutyflow wrote, as rows by header: its title row (one cell, merged
    across) above the header is skipped."""
    first = [c.value for c in sheet[1]]
    at = 2 if sum(v is not None for v in first) == 1 and sheet.max_row > 1 else 1
    header = [c.value for c in sheet[at]]
    return [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=at + 1)]


def read_sheet(path: Path, sheet_name: str) -> Any:
    """A sheet dutyflow wrote, as a DataFrame under its header (below the title row)."""
    import pandas as pd

    return pd.read_excel(path, sheet_name=sheet_name, header=1)
