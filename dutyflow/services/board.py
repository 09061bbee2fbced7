"""Where the answers stand at a month's end (整改反馈跟踪), per unit (直属党组织): what the
cycle's artifact shows and the office reads before its monthly meeting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import CHASE, DocumentStatus, FollowUp
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.documents import cases_by_document, period_documents
from dutyflow.models.followup import case_status, closed_between, followed_cases
from dutyflow.models.tables import Organization
from dutyflow.services.shards import subtree_roots

COLUMNS = {"awaiting": "待反馈", "overdue": "已逾期", "to_review": "已反馈待审核",
           "chased": "本期催办", "closed_now": "本期销号", "closed": "累计销号"}


@dataclass
class UnitLine:
    unit: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))


@dataclass(frozen=True)
class Board:
    period: str
    lines: list[UnitLine]
    overdue: list[tuple[str, str, Any]]  # case id, organization, the date it was due

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(line.counts[k] for line in self.lines) for k in COLUMNS}

    def table(self) -> list[dict[str, Any]]:
        return [{"unit": line.unit, "name": line.name,
                 **{COLUMNS[k]: v for k, v in line.counts.items()}} for line in self.lines]

    def markdown(self) -> str:
        label = Period.parse(self.period).label
        totals = self.totals
        if not any(totals.values()):
            return f"## 整改反馈跟踪（截至{label}末）\n\n暂无待反馈的已印发文书。"
        lines = [f"## 整改反馈跟踪（截至{label}末）", "",
                 "，".join(f"{words} **{totals[k]}**" for k, words in COLUMNS.items()) + "。", "",
                 "| 直属党组织 | " + " | ".join(COLUMNS.values()) + " |",
                 "| --- |" + " ---: |" * len(COLUMNS)]
        lines += [f"| {line.name} | " + " | ".join(str(v) for v in line.counts.values()) + " |"
                  for line in self.lines if any(line.counts.values())]
        if self.overdue:
            lines += ["", "逾期未反馈：" + "；".join(
                f"`{case}` {org}（应于{due}前）" for case, org, due in self.overdue[:50])]
        return "\n".join(lines)


def _office_day_bounds(period: Period) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.timezone)
    first = datetime.combine(period.first_day, time(), zone)
    return first, datetime.combine(period.last_day + timedelta(days=1), time(), zone)


def unit_codes(*, session: Any) -> pd.Series:
    """org_code -> the code of its unit (直属党组织: the top of its subtree)."""
    tree = pd.DataFrame(session.execute(
        Organization.__table__.select().with_only_columns(  # type: ignore[attr-defined]
            Organization.org_code, Organization.parent_code)).all(),
        columns=["org_code", "parent_code"])
    return subtree_roots(tree) if not tree.empty else pd.Series(dtype=object)


def follow_up_board(period: str) -> Board:
    """The answers of every case issued up to `period`, as of its last day, by unit."""
    p = Period.parse(period)
    with session_scope() as session:
        cases = followed_cases(session=session, until_period=period)
        letters = [c.id for c in period_documents(session=session, period=period, kinds=(CHASE,))
                   if c.status != DocumentStatus.WITHDRAWN]
        chased = {case_id for ids in cases_by_document(session=session,
                                                       document_ids=letters).values()
                  for case_id in ids}
        closed_now = closed_between(session=session, first=_office_day_bounds(p)[0],
                                    last=_office_day_bounds(p)[1])
        units = unit_codes(session=session)
        names = organization_names(session=session)
    lines: dict[str, UnitLine] = {}
    overdue = []
    for case in cases:
        if case.issued_on is not None and case.issued_on > p.last_day:
            continue  # not yet sent at the month's end
        unit = str(units.get(case.org_code, case.org_code))
        line = lines.setdefault(unit, UnitLine(unit, names.get(unit, unit)))
        status = case_status(case, p.last_day)
        if status == FollowUp.CLOSED:
            line.counts["closed"] += 1
        elif case.replied_on is not None:
            line.counts["to_review"] += 1
        elif status == FollowUp.OVERDUE:
            line.counts["overdue"] += 1
            overdue.append((case.id, names.get(case.org_code, case.org_code), case.reply_due))
        else:
            line.counts["awaiting"] += 1
        line.counts["chased"] += case.id in chased
        line.counts["closed_now"] += case.id in closed_now
    return Board(period, sorted(lines.values(), key=lambda line: line.unit), overdue)
