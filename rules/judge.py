"""The one judging pipeline: facts -> compiled rules -> engine -> findings -> actions.

The evaluate flow, `simulate`, the benchmark and the tests all judge through these two
functions, so they cannot drift apart. `evaluate` is the rule engine (durable-rules unless a
caller compares it with a reference evaluator that takes the same rules and facts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dutyflow.rules.compile import Rule, compile_policy
from dutyflow.rules.engine import evaluate_facts
from dutyflow.rules.facts import PeriodData, build_facts
from dutyflow.rules.outcome import CaseDraft, FindingDraft, build_findings, group_cases, settle
from dutyflow.rules.policy import Policy

Evaluator = Callable[[list[Rule], pd.DataFrame], list[tuple[str, str]]]


@dataclass(frozen=True)
class Judgement:
    """What a period's data comes to under a policy."""

    facts: int
    findings: list[FindingDraft]
    actions: list[CaseDraft]


def judge_facts(policy: Policy, period: str, facts: pd.DataFrame, *,
                evaluate: Evaluator = evaluate_facts) -> list[FindingDraft]:
    """The findings in these facts (a whole period, or one shard of it)."""
    rules = compile_policy(policy)
    return build_findings(policy, period, facts, rules, evaluate(rules, facts))


def merge_findings(parts: list[list[FindingDraft]]) -> list[FindingDraft]:
    """Shards' findings in the one order a single-process run gives."""
    return sorted((f for part in parts for f in part),
                  key=lambda f: (f.org_code, f.family, f.subject))


def judge(policy: Policy, data: PeriodData, *, evaluate: Evaluator = evaluate_facts) -> Judgement:
    """A whole period, judged in this process."""
    period = str(data.period)
    facts = build_facts(policy, data)
    findings = judge_facts(policy, period, facts, evaluate=evaluate)
    findings = settle(policy, findings)
    return Judgement(len(facts), findings, group_cases(policy, period, findings))
