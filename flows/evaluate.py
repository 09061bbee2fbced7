"""The `evaluate_rules` flow: facts from the period's data, judged by the policy's rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from dutyflow.core.faults import fault_point
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.settings import settings
from dutyflow.flows.runners import shard_count, shard_runner
from dutyflow.models.accountability import (
    StoreResult,
    finish_evaluation,
    read_period_frames,
    start_evaluation,
    store_cases,
    store_findings,
)
from dutyflow.models.db import lock_period, session_scope
from dutyflow.rules.facts import PeriodData, build_facts, meetings_since
from dutyflow.rules.judge import judge_facts, merge_findings
from dutyflow.rules.outcome import CaseDraft, FindingDraft, group_cases
from dutyflow.rules.policy import Policy, load_policy
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


@task(cache_policy=NO_CACHE)
def read_policy(policy_path: Path | None) -> Policy:
    """Load and validate the policy (the bundled default unless a file is named)."""
    return load_policy(policy_path or settings.policy_file)


@task(cache_policy=NO_CACHE)
def build_period_facts(policy: Policy, period: str, shards: int) -> list[pd.DataFrame]:
    """Aggregate the period's stored reports and earlier findings into facts, in shards of
    whole organization subtrees."""
    p = Period.parse(period)
    with session_scope() as session:
        frames = read_period_frames(session=session, period=p,
                                    meetings_since=meetings_since(policy, p))
    facts = build_facts(policy, PeriodData(period=p, **frames))
    return assign_shards(facts, subtree_roots(frames["organizations"]), shards)


@task(cache_policy=NO_CACHE)
def judge_shard(policy: Policy, period: str, facts: pd.DataFrame) -> list[FindingDraft]:
    """Run one shard's facts through the compiled rules (in this worker's own engine)."""
    return judge_facts(policy, period, facts)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def store_outcome(policy: Policy, period: str, facts: int, findings: list[FindingDraft],
                  actions: list[CaseDraft]) -> StoreResult:
    """Record the evaluation, its findings and actions in one transaction."""
    with session_scope() as session:
        lock_period(session, f"evaluate {period}")
        run = start_evaluation(session=session, period=period, policy_version=policy.version,
                               policy_name=policy.name, flow_run_id=flow_run.get_id())
        store_findings(session=session, period=period, policy_version=policy.version,
                       findings=findings)
        session.flush()
        fault_point("mid_evaluation")
        result = store_cases(session=session, period=period, policy_version=policy.version,
                             cases=actions)
        finish_evaluation(session=session, run=run, facts=facts, findings=len(findings),
                          result=result)
    return result


def evaluate_period(period: str, policy_path: Path | None, runner: Any) -> EvaluationSummary:
    """The evaluation's tasks, in the calling flow run; shards are judged on `runner`."""
    logger = get_run_logger()
    policy = read_policy(policy_path)
    shards = build_period_facts(policy, period, shard_count())
    futures = runner.map(judge_shard, {"policy": unmapped(policy), "period": unmapped(period),
                                       "facts": shards})
    findings = merge_findings([future.result() for future in futures])
    actions = group_cases(policy, period, findings)
    facts = sum(len(shard) for shard in shards)
    stored = store_outcome(policy, period, facts, quote(findings), quote(actions))
    logger.info("evaluate %s with policy %s: %d facts in %d shards, %d findings, %d actions "
                "(%d new, %d changed, %d withdrawn)", period, policy.version, facts, len(shards),
                len(findings), len(actions), stored.opened, stored.changed, stored.withdrawn)
    return EvaluationSummary(period, policy.version, facts, len(findings), len(actions), stored,
                             len(shards))


@flow(name="evaluate-rules", flow_run_name="evaluate {period}")
def evaluate_rules(period: PeriodParam, policy_path: Path | None = None) -> EvaluationSummary:
    """Judge a period's stored data by the policy and open, refresh or withdraw actions."""
    with shard_runner() as runner:
        return evaluate_period(str(Period.parse(period)), policy_path, runner)
