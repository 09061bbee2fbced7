"""Dry run of a changed policy against stored data: which actions would appear or disappear."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import ActionStatus
from dutyflow.models.accountability import list_actions, read_period_frames
from dutyflow.models.db import session_scope
from dutyflow.rules.facts import PeriodData
from dutyflow.rules.judge import judge
from dutyflow.rules.policy import load_policy


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
                  if a.status != ActionStatus.WITHDRAWN]
    proposed = {a.id for a in judge(policy, PeriodData(period=p, **frames)).actions}
    current = {action_id for action_id, _ in stored}
    return PolicyDiff(
        period=str(p), policy_version=policy.version,
        stored_versions=sorted({version for _, version in stored}),
        appear=sorted(proposed - current), disappear=sorted(current - proposed),
        stay=sorted(proposed & current),
    )
