"""Judge hand-built period data with the real policy, compiler and durable-rules engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import (
    ASSESSMENTS,
    MEETINGS,
    ORGANIZATIONS,
    RECTIFICATIONS,
    TableSpec,
)
from dutyflow.rules.facts import PeriodData
from dutyflow.rules.judge import judge as judge_period
from dutyflow.rules.outcome import CaseDraft, FindingDraft
from dutyflow.rules.policy import DEFAULT_POLICY, Policy, load_policy

HISTORY_COLUMNS = ["org_code", "family", "subject", "span", "period", "measure", "measured"]


def branch(code: str = "B1", *, members: int = 20, groups: int = 0,
           full_members: int | None = None, has_committee: bool | None = None) -> dict[str, Any]:
    return {"org_code": code, "org_name": f"第{code}党支部", "org_type": "党支部",
            "members": members, "groups": groups, "secretary": "李明",
            "full_members": full_members, "has_committee": has_committee}


def meeting(kind: str, held_on: date, attendees: int = 10, org: str = "B1",
            for_year: int | None = None) -> dict[str, Any]:
    return {"org_code": org, "meeting_type": kind, "held_on": held_on, "attendees": attendees,
            "for_year": for_year}


def monthly_duties(org: str, month: Period) -> list[dict[str, Any]]:
    """The meetings a branch without party groups must hold every month."""
    return [meeting("committee_meeting", month.first_day, org=org),
            meeting("theme_day", month.first_day, org=org)]


def history(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Earlier findings (org, family, subject, span), nothing decided on them."""
    return pd.DataFrame([(*r, r[3], "reminder", False) for r in rows], columns=HISTORY_COLUMNS)


def measures(*rows: tuple[str, str, str, str, str, bool]) -> pd.DataFrame:
    """Earlier findings (org, family, subject, period, the finding's measure, taken?): taken
    when its case was approved or issued."""
    return pd.DataFrame([(o, f, s, p, p, a, m) for o, f, s, p, a, m in rows],
                        columns=HISTORY_COLUMNS)


def stored(rows: list[dict[str, Any]], table: TableSpec) -> pd.DataFrame:
    """Rows as the period's frames carry them: every declared column, as stored."""
    return pd.DataFrame(rows, columns=list(table.stored_columns))


def judge(period: str, *, orgs: list[dict] | None = None, meetings: list[dict] | None = None,
          rectifications: list[dict] | None = None, assessments: list[dict] | None = None,
          past: pd.DataFrame | None = None, policy: Policy | None = None,
          ) -> tuple[list[FindingDraft], list[CaseDraft]]:
    policy = policy or load_policy()
    p = Period.parse(period)
    data = PeriodData(
        period=p,
        organizations=stored(orgs if orgs is not None else [branch()], ORGANIZATIONS),
        meetings=stored(meetings or [], MEETINGS),
        rectifications=stored(rectifications or [], RECTIFICATIONS),
        assessments=stored(assessments or [], ASSESSMENTS),
        history=past if past is not None else history(),
    )
    judgement = judge_period(policy, data)
    return judgement.findings, judgement.actions


def by_subject(findings: list[FindingDraft]) -> dict[str, str]:
    return {f.subject: f.measure for f in findings}


def policy_with(tmp_path: Path, **sections: Any) -> Policy:
    """The default policy with whole top-level sections replaced, loaded as a user's file."""
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    data.update(sections)
    path = tmp_path / f"policy-{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_policy(path)
