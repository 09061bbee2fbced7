"""Evaluating a period: facts from its stored reports (in shards of whole organization
subtrees), judged by the policy's rules, and the findings and cases they make stored in one
transaction.

Plain functions, no Prefect. The evaluate flow's tasks are one-line wrappers of these and its
`evaluate_period` calls them in order (`flows/evaluate.py`), judging each shard with
`rules.judge.judge_facts` where its task runner puts it; the benchmark's direct run, `dutyflow
simulate` and the mid-month warning read and judge through the same functions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from dutyflow.core.errors import BadInputError
from dutyflow.core.faults import fault_point
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.documents.wording import describe_finding
from dutyflow.models.accountability import (
    StoreResult,
    finish_evaluation,
    get_case,
    read_period_frames,
    start_evaluation,
    store_cases,
    store_findings,
)
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import events_of, log_event
from dutyflow.models.ledger import period_reported
from dutyflow.rules.facts import PeriodData, build_facts, meetings_since
from dutyflow.rules.judge import merge_findings
from dutyflow.rules.outcome import CaseDraft, FindingDraft, group_cases, settle
from dutyflow.rules.policy import DEFAULT_POLICY, Policy, load_policy
from dutyflow.services.shards import assign_shards, subtree_roots


@dataclass
class EvaluationSummary:
    period: str
    policy_version: str
    facts: int
    findings: int
    actions: int
    stored: StoreResult
    shards: int = 1


def read_policy(policy_path: Path | None) -> Policy:
    """Load and validate the policy (the bundled default unless a file is named)."""
    return load_policy(policy_path or settings.policy_file)


@functools.lru_cache(maxsize=4)
def _policy_at(path: str, modified: int) -> Policy:
    return load_policy(Path(path))


def current_policy() -> Policy:
    """The policy in force, parsed again only when its file changes: the desk's and the
    portal's pages read it on every request, and validating it takes tens of milliseconds."""
    path = Path(settings.policy_file or DEFAULT_POLICY)
    return _policy_at(str(path), path.stat().st_mtime_ns)


# ------------------------------------------------------------------------------ facts


def require_reported(period: str) -> None:
    """Refuse to judge a period nothing was reported for (no workbook loaded for it, no
    meeting in the ledger): every organization would be found wanting."""
    p = Period.parse(period)
    with session_scope() as session:
        if not period_reported(session=session, period=p):
            raise BadInputError(f"{p} 既没有载入的报表，电子台账也没有记录会议：请给出报表文件，"
                                "或待各组织在台账中记录会议后再运行")


def read_period_data(*, session: Session, policy: Policy, period: Period) -> PeriodData:
    """The period's stored reports and earlier findings, its meetings as far back as the
    policy's duties due this period look."""
    frames = read_period_frames(session=session, period=period,
                                meetings_since=meetings_since(policy, period),
                                settle_working_days=policy.escalation.settle_working_days)
    return PeriodData(period=period, **frames)


def load_period_data(policy: Policy, period: str) -> PeriodData:
    """`read_period_data` in a transaction of its own."""
    with session_scope() as session:
        return read_period_data(session=session, policy=policy, period=Period.parse(period))


def rows_read(data: PeriodData) -> int:
    """How many rows the period's data holds, every frame together."""
    return sum(len(value) for value in (getattr(data, f.name) for f in fields(data))
               if isinstance(value, pd.DataFrame))


def shard_facts(policy: Policy, data: PeriodData, shards: int) -> list[pd.DataFrame]:
    """The period's facts, in at most `shards` parts of whole organization subtrees."""
    facts = build_facts(policy, data)
    return assign_shards(facts, subtree_roots(data.organizations), shards)


def build_period_facts(policy: Policy, period: str, shards: int) -> list[pd.DataFrame]:
    """Aggregate the period's stored reports and earlier findings into facts, in shards."""
    return shard_facts(policy, load_period_data(policy, period), shards)


# ------------------------------------------------------------------------------ cases


def decide_cases(policy: Policy, period: str, shard_findings: list[list[FindingDraft]]
                 ) -> tuple[list[FindingDraft], list[CaseDraft]]:
    """The shards' findings in the one order a single process gives, and the cases they make
    (one per organization)."""
    findings = settle(policy, merge_findings(shard_findings))
    return findings, group_cases(policy, period, findings)


def store_outcome(*, policy: Policy, period: str, facts: int, findings: list[FindingDraft],
                  actions: list[CaseDraft], flow_run_id: str | None = None) -> StoreResult:
    """Record the evaluation, its findings and cases in one transaction."""
    with session_scope() as session:
        lock_period(session, f"evaluate {period}")
        return store_evaluation(session=session, policy=policy, period=period, facts=facts,
                                findings=findings, actions=actions, flow_run_id=flow_run_id)


def settling_note(period: str, finding: FindingDraft, settle_working_days: int) -> str:
    """The audit line on an open case when a later failure is added to it."""
    return (f"{Period.parse(period).label}的问题并入本案（措施印发距期末不足"
            f"{settle_working_days}个工作日，本期暂不升级）：{describe_finding(finding.as_evidence())}")


def record_settling(*, session: Session, period: str, findings: list[FindingDraft],
                    policy: Policy) -> None:
    """Each failure still settling is written on the open case it joins, once: its answer
    must cover it, and `explain` and the case's audit trail say why nothing climbed."""
    for finding in findings:
        case_id = finding.facts.get("settling")
        if not case_id:
            continue
        case = get_case(session=session, case_id=case_id)
        note = settling_note(period, finding, policy.escalation.settle_working_days)
        if case is None or any(e.note == note for e in events_of(session=session,
                                                                  subject=case_id)):
            continue
        log_event(session=session, subject=case_id, period=case.period, event="merged",
                  note=note)


def store_evaluation(*, session: Session, policy: Policy, period: str, facts: int,
                     findings: list[FindingDraft], actions: list[CaseDraft],
                     flow_run_id: str | None) -> StoreResult:
    """Record the evaluation, its findings and cases inside the caller's transaction."""
    run = start_evaluation(session=session, period=period, policy_version=policy.version,
                           policy_name=policy.name, flow_run_id=flow_run_id)
    store_findings(session=session, period=period, policy_version=policy.version,
                   findings=findings)
    session.flush()
    fault_point("mid_evaluation")
    result = store_cases(session=session, period=period, policy_version=policy.version,
                         cases=actions)
    record_settling(session=session, period=period, findings=findings, policy=policy)
    finish_evaluation(session=session, run=run, facts=facts, findings=len(findings),
                      result=result)
    return result
