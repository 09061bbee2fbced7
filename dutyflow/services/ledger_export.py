"""The e-ledger written back in the workbook layout the ingest reads (the meetings sheet's
Chinese name and headers, one row per session with its types joined by 、), so an office
can still work in Excel: `dutyflow ledger export` and the portal ledger page's download."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS
from dutyflow.core.vocabulary import meeting_type_names
from dutyflow.models.db import session_scope
from dutyflow.models.ledger import meetings_between
from dutyflow.models.portal import subtree_codes
from dutyflow.models.reports import known_org_codes
from dutyflow.services.evaluate import read_policy
from dutyflow.services.workbooks import write_sheets

# the sheet's name as the ingest finds the meetings table by it
SHEET = "组织生活台账"
COLUMNS = ("org_code", "meeting_type", "held_on", "attendees")


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


def write_ledger(path: Path, codes: Collection[str] | None, period: str) -> int:
    """Write the period's ledger to `path`; the number of meetings written."""
    p = Period.parse(period)
    frame = ledger_frame(codes, p)
    write_sheets(path, {SHEET: frame}, title=f"{p.label}组织生活台账（电子台账导出）")
    return len(frame)


def export_ledger(*, period: str, output: Path, org: str | None = None) -> int:
    """`dutyflow ledger export`: all organizations, or `org` and its subtree."""
    codes = None
    if org:
        with session_scope() as session:
            codes = subtree_codes(session=session, org_code=org)
        if not codes:
            raise BadInputError(f"组织编码“{org}”不存在")
    return write_ledger(output, codes, period)
