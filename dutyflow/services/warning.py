"""The mid-month warning (月中提醒): around the 20th, from what has been reported so far, the
duties each organization has not yet held this month (and this quarter or year when the month
closes one), and the answers soon due. A warning, not a measure: the reports are read, never
stored, and no case is opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from dutyflow.core.calendar import add_working_days
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS, ORGANIZATIONS, table_specs
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import FollowUp, measure_name, meeting_type_names
from dutyflow.documents.wording import chinese_date
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.followup import case_status, followed_cases
from dutyflow.models.reports import known_org_codes
from dutyflow.reports.validate import Quarantine
from dutyflow.rules.facts import PeriodData
from dutyflow.rules.judge import judge
from dutyflow.rules.policy import Policy
from dutyflow.services import ingest
from dutyflow.services.evaluate import read_period_data
from dutyflow.services.shards import subtree_roots
from dutyflow.services.workbooks import write_sheets

# how far ahead an answer counts as soon due: the rest of the month, at least this many days
SOON_WORKING_DAYS = 5


@dataclass(frozen=True)
class MidMonthWarning:
    period: str
    as_of: date
    not_held: pd.DataFrame  # unit, org_code, org_name, secretary, duty, held, minimum
    due_soon: pd.DataFrame  # unit, case_id, org_name, measure, document_number, due, overdue
    quarantined: list[Quarantine]

    def markdown(self) -> str:
        label = Period.parse(self.period).label
        lines = [f"# 月中提醒 · {label}（截至{chinese_date(self.as_of)}）", "",
                 f"尚未开展的组织生活 **{len(self.not_held)}** 项，涉及 "
                 f"**{self.not_held['org_code'].nunique() if len(self.not_held) else 0}** 个党组织；"
                 f"即将到期或已逾期的整改反馈 **{len(self.due_soon)}** 件。"
                 "本提醒不是问责措施，不立案。", ""]
        if len(self.not_held):
            lines += ["## 各直属党组织尚未开展的组织生活", "", "| 直属党组织 | 项数 | 党组织数 |",
                      "| --- | ---: | ---: |"]
            for unit, rows in self.not_held.groupby("unit", sort=True):
                lines.append(f"| {unit} | {len(rows)} | {rows['org_code'].nunique()} |")
        if len(self.due_soon):
            lines += ["", "## 即将到期的整改反馈", "", "| 案件 | 党组织 | 文号 | 反馈期限 |",
                      "| --- | --- | --- | --- |"]
            lines += [f"| `{r.case_id}` | {r.org_name} | {r.document_number} | {r.due}"
                      f"{'（已逾期）' if r.overdue else ''} |"
                      for r in self.due_soon.itertuples()][:100]
        if self.quarantined:
            lines += ["", f"另有 {len(self.quarantined)} 行报表数据有误，未计入（见工作簿）。"]
        return "\n".join(lines)

    def write_workbook(self, path: Path) -> Path:
        """A plain workbook the office can send round: one sheet per list."""
        return write_sheets(path, {
            "尚未开展的组织生活": self.not_held.rename(columns=NOT_HELD_HEADERS),
            "即将到期的整改反馈": self.due_soon.rename(columns=DUE_HEADERS),
            "未计入的数据": pd.DataFrame([q.__dict__ for q in self.quarantined],
                                       columns=["table", "file", "sheet", "row", "column",
                                                "value", "reason"]),
        })


NOT_HELD_HEADERS = {"unit": "直属党组织", "org_code": "组织编码", "org_name": "组织名称",
                    "secretary": "书记", "duty": "应开展", "span": "期间", "held": "已开展次数",
                    "minimum": "应不少于", "requirement": "要求"}
DUE_HEADERS = {"unit": "直属党组织", "case_id": "案件编号", "org_name": "组织名称",
               "measure": "措施", "document_number": "文号", "due": "反馈期限",
               "overdue": "已逾期"}


def _reported(input_path: Path, period: Period, policy: Policy, known: set[str]
              ) -> tuple[pd.DataFrame | None, pd.DataFrame, list[Quarantine]]:
    """The organizations and meetings reported so far (read and cleaned as the ingest does,
    not stored)."""
    specs = table_specs(policy.all_meeting_types)
    sources = ingest.find_report_tables(input_path)
    quarantined: list[Quarantine] = []
    orgs = None
    meetings = pd.DataFrame(columns=list(MEETINGS.stored_columns))
    for spec in ingest.loading_order(sources):
        if spec.name not in (ORGANIZATIONS.name, MEETINGS.name):
            continue
        table = ingest.clean_report_table(ingest.read_report_table(sources[spec.name]),
                                          specs[spec.name], period=str(period), known_orgs=known)
        known = ingest.known_after(known, table)
        quarantined += table.quarantined
        if spec.name == ORGANIZATIONS.name:
            orgs = table.rows
        else:
            meetings = table.rows
    return orgs, meetings, quarantined


def mid_month_warning(*, period: str, input_path: Path, policy: Policy,
                      today: date | None = None) -> MidMonthWarning:
    p = Period.parse(period)
    today = today or date.today()
    with session_scope() as session:
        known = known_org_codes(session=session)
        stored = read_period_data(session=session, policy=policy, period=p)
        cases = followed_cases(session=session, until_period=str(p))
        names = organization_names(session=session)
    reported_orgs, reported, quarantined = _reported(input_path, p, policy, known)
    orgs = stored.organizations
    if reported_orgs is not None and not reported_orgs.empty:
        fresh = reported_orgs[[c for c in orgs.columns if c in reported_orgs.columns]]
        orgs = pd.concat([orgs[~orgs["org_code"].isin(fresh["org_code"])], fresh],
                         ignore_index=True)
        names |= dict(zip(fresh["org_code"], fresh["org_name"], strict=True))
    # earlier months from the database; this month only from what has been reported so far
    earlier = stored.meetings[stored.meetings["held_on"] < p.first_day]
    meetings = pd.concat([earlier, reported[[c for c in earlier.columns if c in reported]]],
                         ignore_index=True)
    empty = pd.DataFrame()
    judged = judge(policy, PeriodData(period=p, organizations=orgs, meetings=meetings,
                                      rectifications=empty, assessments=empty,
                                      history=empty))
    units = subtree_roots(orgs[["org_code", "parent_code"]])
    secretaries = dict(zip(orgs["org_code"], orgs["secretary"], strict=True))
    kinds = meeting_type_names(policy.all_meeting_types)
    not_held = pd.DataFrame([{
        "unit": names.get(str(units.get(f.org_code, f.org_code)), ""),
        "org_code": f.org_code, "org_name": names.get(f.org_code, f.org_code),
        "secretary": secretaries.get(f.org_code, ""),
        "duty": f.facts.get("meeting_name") or kinds.get(f.facts.get("meeting_type", ""), ""),
        "span": Period.parse(f.span).label, "held": f.facts.get("held_total", 0),
        "minimum": f.facts.get("minimum"), "requirement": f.requirement,
    } for f in judged.findings if f.family == "meeting"], columns=list(NOT_HELD_HEADERS))
    horizon = max(p.last_day, add_working_days(today, SOON_WORKING_DAYS))
    due_soon = pd.DataFrame([{
        "unit": names.get(str(units.get(c.org_code, c.org_code)), ""), "case_id": c.id,
        "org_name": names.get(c.org_code, c.org_code), "measure": measure_name(c.measure),
        "document_number": c.document_number or "", "due": c.reply_due,
        "overdue": case_status(c, today) == FollowUp.OVERDUE,
    } for c in cases if c.replied_on is None and c.follow_up == FollowUp.AWAITING_REPLY
        and c.reply_due is not None and c.reply_due <= horizon],
        columns=list(DUE_HEADERS)).sort_values(["due", "case_id"], ignore_index=True)
    return MidMonthWarning(str(p), today, not_held.sort_values(
        ["unit", "org_code", "duty"], ignore_index=True), due_soon, quarantined)


def warning_workbook_path(period: str) -> Path:
    return Path(settings.output_dir) / period / f"{period}-月中提醒.xlsx"
