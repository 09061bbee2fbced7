"""The e-ledger written back in the workbook layout the ingest reads (the meetings sheet's
Chinese name and headers, one row per session with its types joined by 、; and when the
ledger keeps rectification items, the rectifications sheet, each item as it stood at the
period's end), so an office can still work in Excel: `dutyflow ledger export` and the portal
ledger page's download."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS, RECTIFICATIONS
from dutyflow.core.vocabulary import ITEM_STATUS_NAMES, meeting_type_names
from dutyflow.models.db import session_scope
from dutyflow.models.ledger import as_of, meetings_between, rectifications_of
from dutyflow.models.portal import subtree_codes
from dutyflow.models.reports import known_org_codes
from dutyflow.services.evaluate import read_policy
from dutyflow.services.workbooks import write_sheets

# the sheet's name as the ingest finds the meetings table by it
SHEET = "组织生活台账"
COLUMNS = ("org_code", "meeting_type", "held_on", "attendees")
# the rectifications sheet's name (the ingest finds the table by 整改), every column of it
RECTIFICATIONS_SHEET = "整改台账"


@dataclass(frozen=True)
class Exported:
    meetings: int
    rectifications: int

    def words(self) -> str:
        """What was written, as the command says it."""
        items = f"、{self.rectifications} 项整改问题" if self.rectifications else ""
        return f"{self.meetings} 次组织生活{items}"


def ledger_frame(codes: Collection[str] | None, period: Period) -> pd.DataFrame:
    """The period's ledger meetings of these organizations (all when None) under the
    meetings table's Chinese headers."""
    names = meeting_type_names(read_policy(None).all_meeting_types)
    headers = [MEETINGS.column(c).chinese[0] for c in COLUMNS]
    with session_scope() as session:
        codes = known_org_codes(session=session) if codes is None else codes
        rows = [(m.org_code, "、".join(names.get(t, t) for t in m.meeting_types), m.held_on,
                 m.attendees)
                for m in meetings_between(session=session, codes=codes, first=period.first_day,
                                          last=period.last_day)]
    return pd.DataFrame(rows, columns=headers)


def rectifications_frame(codes: Collection[str] | None, period: Period) -> pd.DataFrame:
    """The ledger's rectification items of these organizations (all when None) as they stood
    at the period's end (models.ledger.as_of, as the cycle reads them), under the
    rectifications table's Chinese headers, statuses in Chinese."""
    columns = RECTIFICATIONS.columns
    with session_scope() as session:
        rows = [row for item in rectifications_of(session=session, codes=codes)
                if (row := as_of(item, period)) is not None]
    values = [[ITEM_STATUS_NAMES[row[c.stored]] if c.name == "status" else row[c.stored]
               for c in columns] for row in rows]
    return pd.DataFrame(values, columns=[c.chinese[0] for c in columns])


def write_ledger(path: Path, codes: Collection[str] | None, period: str) -> Exported:
    """Write the period's ledger to `path`: its meetings, and its rectification items when it
    keeps any (a sheet of none would read as a report that has no items)."""
    p = Period.parse(period)
    frame = ledger_frame(codes, p)
    items = rectifications_frame(codes, p)
    sheets = {SHEET: frame} | ({RECTIFICATIONS_SHEET: items} if len(items) else {})
    title = f"{p.label}组织生活台账（电子台账导出）" if len(sheets) == 1 else \
        f"{p.label}电子台账导出"
    write_sheets(path, sheets, title=title)
    return Exported(len(frame), len(items))


def export_ledger(*, period: str, output: Path, org: str | None = None) -> Exported:
    """`dutyflow ledger export`: all organizations, or `org` and its subtree."""
    codes = None
    if org:
        with session_scope() as session:
            codes = subtree_codes(session=session, org_code=org)
        if not codes:
            raise BadInputError(f"组织编码“{org}”不存在")
    return write_ledger(output, codes, period)
