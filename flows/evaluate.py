"""The `evaluate_rules` flow: facts from the period's data, judged by the policy's rules.

Each task is one step of `dutyflow.services.evaluate` (judging a shard is
`rules.judge.judge_facts`); `evaluate_period` is their table of contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from dutyflow.core.periods import Period, PeriodParam
from dutyflow.flows.runners import shard_count, shard_runner
from dutyflow.models.accountability import StoreResult
from dutyflow.rules.judge import judge_facts
from dutyflow.rules.outcome import CaseDraft, FindingDraft
from dutyflow.rules.policy import Policy
from dutyflow.services import evaluate
from dutyflow.services.evaluate import EvaluationSummary


@task(cache_policy=NO_CACHE)
def read_policy(policy_path: Path | None) -> Policy:
    """Load and validate the policy (the bundled default unless a file is named)."""
    return evaluate.read_policy(policy_path)


@task(cache_policy=NO_CACHE)
def build_period_facts(policy: Policy, period: str, shards: int) -> list[pd.DataFrame]:
    """Aggregate the period's stored reports and earlier findings into facts, in shards."""
    return evaluate.build_period_facts(policy, period, shards)


@task(cache_policy=NO_CACHE)
def judge_shard(policy: Policy, period: str, facts: pd.DataFrame) -> list[FindingDraft]:
    """Run one shard's facts through the compiled rules (in this worker's own engine)."""
    return judge_facts(policy, period, facts)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def store_outcome(policy: Policy, period: str, facts: int, findings: list[FindingDraft],
                  actions: list[CaseDraft]) -> StoreResult:
    """Record the evaluation, its findings and actions in one transaction."""
    return evaluate.store_outcome(policy=policy, period=period, facts=facts, findings=findings,
                                  actions=actions, flow_run_id=flow_run.get_id())


def evaluate_period(period: str, policy_path: Path | None, runner: Any) -> EvaluationSummary:
    """The evaluation's tasks, in the calling flow run; shards are judged on `runner`."""
    logger = get_run_logger()
    policy = read_policy(policy_path)
    shards = build_period_facts(policy, period, shard_count(runner))
    futures = runner.map(judge_shard, {"policy": unmapped(policy), "period": unmapped(period),
                                       "facts": shards})
    findings, actions = evaluate.decide_cases(policy, period, [f.result() for f in futures])
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
