"""Dry run of a changed policy against stored data: which actions would appear or disappear."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from dutyflow.periods import Period
from models.accountability import list_actions, read_period_frames
from models.db import session_scope
from rules.compile import compile_policy
from rules.engine import evaluate_facts
from rules.facts import PeriodData, build_facts
from rules.outcome import build_findings, group_actions
from rules.policy import load_policy


@dataclass
class PolicyDiff:
    period: str
    policy_version: str
    stored_versions: list[str]
    appear: list[str]
    disappear: list[str]
    stay: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def simulate_policy(*, period: str, policy_path: Path) -> PolicyDiff:
    """Evaluate `policy_path` on the stored period; compare with the stored open actions."""
    policy = load_policy(policy_path)
    p = Period.parse(period)
    with session_scope() as session:
        frames = read_period_frames(session=session, period=p)
        stored = [(a.id, a.policy_version) for a in list_actions(session=session, period=str(p))
                  if a.status != "withdrawn"]
    facts = build_facts(policy, PeriodData(period=p, **frames))
    rules = compile_policy(policy)
    findings = build_findings(policy, str(p), facts, rules, evaluate_facts(rules, facts))
    proposed = {a.id for a in group_actions(policy, str(p), findings)}
    current = {action_id for action_id, _ in stored}
    return PolicyDiff(
        period=str(p), policy_version=policy.version,
        stored_versions=sorted({version for _, version in stored}),
        appear=sorted(proposed - current), disappear=sorted(current - proposed),
        stay=sorted(proposed & current),
    )
