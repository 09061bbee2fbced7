"""The mid-month warning (月中提醒): around the 20th, from what has been reported so far, the
duties each organization has not yet met this month (and this quarter or year when the month
closes one: fewer valid meetings than the policy asks, the judge's own comparison), the answers
already overdue, and those due within the next few working days. A warning, not a measure:
the reports are read, never stored, and no case is opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dutyflow.core.calendar import add_working_days, calendar_warnings
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS, ORGANIZATIONS, table_specs
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import FollowUp, measure_name, meeting_type_names
from dutyflow.documents.wording import chinese_date
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.followup import case_status, followed_cases
from dutyflow.models.ledger import ledger_rows
from dutyflow.models.reports import known_org_codes
from dutyflow.reports.validate import Quarantine
from dutyflow.rules.facts import PeriodData
from dutyflow.rules.judge import judge
from dutyflow.rules.policy import MeetingDuty, Policy
from dutyflow.services import ingest
from dutyflow.services.evaluate import read_period_data
from dutyflow.services.shards import subtree_roots
from dutyflow.services.workbooks import write_sheets


@dataclass(frozen=True)
class MidMonthWarning:
    period: str
    as_of: date
    not_held: pd.DataFrame  # unit, org_code, org_name, secretary, duty, span, held, required, …
    overdue: pd.DataFrame  # answers past their due date, nothing received (ANSWER_HEADERS)
    due_soon: pd.DataFrame  # answers due within the settings' warning_due_days working days
    quarantined: list[Quarantine]
    calendar: tuple[str, ...] = ()  # years whose holidays were estimated (core.calendar)

    def markdown(self) -> str:
        label = Period.parse(self.period).label
        soon = settings.warning_due_days
        lines = [f"# 月中提醒 · {label}（截至{chinese_date(self.as_of)}）", "",
                 f"尚未开展的组织生活 **{len(self.not_held)}** 项，涉及 "
                 f"**{self.not_held['org_code'].nunique() if len(self.not_held) else 0}** 个党组织；"
                 f"整改反馈已逾期未报送 **{len(self.overdue)}** 件，"
                 f"今后{soon}个工作日内到期 **{len(self.due_soon)}** 件。"
                 "本提醒不是问责措施，不立案。", ""]
        lines += [f"> **注意：** {text}\n" for text in self.calendar]
        if len(self.not_held):
            lines += ["## 各直属党组织尚未开展的组织生活", "", "| 直属党组织 | 项数 | 党组织数 |",
                      "| --- | ---: | ---: |"]
            for unit, rows in self.not_held.groupby("unit", sort=True):
                lines.append(f"| {unit} | {len(rows)} | {rows['org_code'].nunique()} |")
        for title, answers in ((OVERDUE_SHEET, self.overdue), (DUE_SOON_SHEET, self.due_soon)):
            if len(answers):
                lines += ["", f"## {title}", "", "| 案件 | 党组织 | 文号 | 反馈期限 |",
                          "| --- | --- | --- | --- |"]
                lines += [f"| `{r.case_id}` | {r.org_name} | {r.document_number} | "
                          f"{chinese_date(r.due)} |" for r in answers.itertuples()][:100]
        if self.quarantined:
            lines += ["", f"另有 {len(self.quarantined)} 行报表数据有误，未计入（见工作簿）。"]
        return "\n".join(lines)

    def write_workbook(self, path: Path) -> Path:
        """A plain workbook the office can send round: one sheet per list."""
        return write_sheets(path, title=f"{settings.office.issuer_name}"
                            f"{Period.parse(self.period).label}月中提醒", sheets={
            NOT_HELD_SHEET: self.not_held.rename(columns=NOT_HELD_HEADERS),
            OVERDUE_SHEET: self.overdue.rename(columns=ANSWER_HEADERS),
            DUE_SOON_SHEET: self.due_soon.rename(columns=ANSWER_HEADERS),
            QUARANTINE_SHEET: pd.DataFrame(
                [(q.table_name, q.file, q.sheet, q.row, q.column_header, q.value, q.reason)
                 for q in self.quarantined], columns=QUARANTINE_HEADERS),
        })


NOT_HELD_SHEET, OVERDUE_SHEET = "尚未开展的组织生活", "已逾期未反馈的整改"
DUE_SOON_SHEET, QUARANTINE_SHEET = "近期到期的整改反馈", "未计入的数据"
NOT_HELD_HEADERS = {"unit": "直属党组织", "org_code": "组织编码", "org_name": "组织名称",
                    "secretary": "书记", "duty": "应开展", "span": "期间", "held": "已开展次数",
                    "required": "应不少于", "not_counted": "未计入次数（到会人数不足）",
                    "requirement": "要求"}
ANSWER_HEADERS = {"unit": "直属党组织", "case_id": "案件编号", "org_name": "组织名称",
                  "measure": "措施", "document_number": "文号", "due": "反馈期限"}
QUARANTINE_HEADERS = ["报表", "文件", "工作表", "行号", "列", "内容", "原因"]


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
        ledger = pd.DataFrame(ledger_rows(session=session, first=p.first_day,
                                          last=p.last_day), columns=list(MEETINGS.stored_columns))
        cases = followed_cases(session=session, until_period=str(p))
        names = organization_names(session=session)
    reported_orgs, reported, quarantined = _reported(input_path, p, policy, known)
    orgs = stored.organizations
    if reported_orgs is not None and not reported_orgs.empty:
        fresh = reported_orgs[[c for c in orgs.columns if c in reported_orgs.columns]]
        orgs = pd.concat([orgs[~orgs["org_code"].isin(fresh["org_code"])], fresh],
                         ignore_index=True)
        names |= dict(zip(fresh["org_code"], fresh["org_name"], strict=True))
    # earlier months from the database; this month only from what has been reported so far,
    # the workbook's rows for the organizations it has, the ledger's for the others
    earlier = stored.meetings[stored.meetings["held_on"] < p.first_day]
    ledger = ledger[~ledger["org_code"].isin(reported["org_code"])]
    meetings = pd.concat([earlier, reported[[c for c in earlier.columns if c in reported]]]
                         + ([ledger] if not ledger.empty else []), ignore_index=True)
    empty = pd.DataFrame()
    judged = judge(policy, PeriodData(period=p, organizations=orgs, meetings=meetings,
                                      rectifications=empty, assessments=empty,
                                      history=empty))
    units = subtree_roots(orgs[["org_code", "parent_code"]])
    secretaries = dict(zip(orgs["org_code"], orgs["secretary"], strict=True))
    kinds = meeting_type_names(policy.all_meeting_types)
    duties = {d.id: d for d in policy.meetings.duties}

    def unit_of(org_code: str) -> str:
        return names.get(str(units.get(org_code, org_code)), "")

    not_held = pd.DataFrame([{
        "unit": unit_of(f.org_code),
        "org_code": f.org_code, "org_name": names.get(f.org_code, f.org_code),
        "secretary": secretaries.get(f.org_code, ""),
        "duty": f.facts.get("meeting_name") or kinds.get(f.facts.get("meeting_type", ""), ""),
        "span": Period.parse(f.span).label, "held": held, "required": required,
        "not_counted": f.facts.get("held_total", 0) - held, "requirement": f.requirement,
    } for f in judged.findings if f.family == "meeting"
        for held, required in [_held_and_required(f.facts, duties)] if held < required],
        columns=list(NOT_HELD_HEADERS))
    horizon = add_working_days(today, settings.warning_due_days)
    waiting = [c for c in cases if c.replied_on is None and c.reply_due is not None
               and c.follow_up == FollowUp.AWAITING_REPLY]

    def answers(chosen: list[Any]) -> pd.DataFrame:
        return pd.DataFrame([{
            "unit": unit_of(c.org_code), "case_id": c.id,
            "org_name": names.get(c.org_code, c.org_code), "measure": measure_name(c.measure),
            "document_number": c.document_number or "", "due": c.reply_due,
        } for c in chosen], columns=list(ANSWER_HEADERS)).sort_values(["due", "case_id"],
                                                                      ignore_index=True)

    overdue = answers([c for c in waiting if case_status(c, today) == FollowUp.OVERDUE])
    due_soon = answers([c for c in waiting if c.reply_due and today <= c.reply_due <= horizon])
    return MidMonthWarning(str(p), today, not_held.sort_values(
        ["unit", "org_code", "duty"], ignore_index=True), overdue, due_soon, quarantined,
        tuple(calendar_warnings(today, horizon)))


def _held_and_required(facts: dict[str, Any], duties: dict[str, MeetingDuty]) -> tuple[int, int]:
    """Meetings that count (a general meeting below its quorum does not) and the number the
    duty asks, as the judge compares them: a per-group minimum times the branch's groups."""
    duty = duties[facts["duty"]]
    groups = int(facts.get("groups") or 0) if duty.per_group else 1
    return int(facts.get("held_valid", 0)), duty.minimum * groups


def warning_workbook_path(period: str) -> Path:
    return Path(settings.output_dir) / period / f"{period}-月中提醒.xlsx"
