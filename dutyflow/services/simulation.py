"""Dry run of a changed policy against stored data: which actions would appear or disappear,
and how the requirements notices quote would read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import FAMILIES, DocumentStatus, measure_name
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import session_scope
from dutyflow.rules.compile import compile_policy
from dutyflow.rules.judge import judge
from dutyflow.rules.policy import Policy, load_policy
from dutyflow.services.evaluate import read_period_data


@dataclass
class MeasureChange:
    """How one organization's case would change under the tried policy."""

    case_id: str
    org_code: str
    now: str | None  # the stored case's measure (None: no case today)
    then: str | None  # the measure under the tried policy (None: no case)
    proposal: bool = False

    @property
    def words(self) -> str:
        now = measure_name(self.now) if self.now else "无"
        then = measure_name(self.then) if self.then else "无"
        return f"{now} → {then}{'（须工委会议决定）' if self.proposal else ''}"


@dataclass
class WordingChange:
    """A requirement notices quote, as the policy in force words it and as the tried one would
    (empty: the rule is not in that policy)."""

    family: str  # 组织生活, 履责考核, ...
    rules: list[str]  # the compiled rules' ids that quote it
    now: str
    then: str


def wording_changes(current: Policy, tried: Policy) -> list[WordingChange]:
    """Each requirement whose wording the tried policy changes, once per family and wording."""
    def quoted(policy: Policy) -> dict[tuple[str, str], str]:
        return {(r.family, r.id.rsplit(".", 1)[0]): r.requirement for r in compile_policy(policy)}

    now, then = quoted(current), quoted(tried)
    changes: dict[tuple[str, str, str], WordingChange] = {}
    for family, rule in sorted(set(now) | set(then)):
        before, after = now.get((family, rule), ""), then.get((family, rule), "")
        if before != after:
            change = changes.setdefault((family, before, after), WordingChange(
                FAMILIES.get(family, family), [], before, after))
            change.rules.append(rule)
    return list(changes.values())


@dataclass
class PolicyDiff:
    period: str
    policy_version: str
    stored_versions: list[str]
    appear: list[str]
    disappear: list[str]
    stay: list[str]
    changes: list[MeasureChange] = field(default_factory=list)  # measure differs or case
    wording: list[WordingChange] = field(default_factory=list)  # requirements quoted anew

    def as_dict(self) -> dict:
        return asdict(self)


def simulate_policy(*, period: str, policy_path: Path) -> PolicyDiff:
    """Judge the stored period by `policy_path`; compare with the stored live cases and the
    wording with the policy in force. Writes nothing."""
    policy = load_policy(policy_path)
    in_force = load_policy(settings.policy_file)
    p = Period.parse(period)
    with session_scope() as session:
        data = read_period_data(session=session, policy=policy, period=p)
        stored = {a.id: a for a in list_cases(session=session, period=str(p))
                  if a.status != DocumentStatus.WITHDRAWN}
        stored_measures = {i: (a.org_code, a.measure, a.policy_version) for i, a in stored.items()}
    proposed = {c.id: c for c in judge(policy, data).actions}
    changes = []
    for case_id in sorted(set(proposed) | set(stored_measures)):
        now = stored_measures.get(case_id)
        then = proposed.get(case_id)
        if now and then and now[1] == then.measure:
            continue
        changes.append(MeasureChange(case_id, (then.org_code if then else now[0]),  # type: ignore[index]
                                     now[1] if now else None, then.measure if then else None,
                                     bool(then and then.proposal)))
    return PolicyDiff(
        period=str(p), policy_version=policy.version,
        stored_versions=sorted({m[2] for m in stored_measures.values()}),
        appear=sorted(set(proposed) - set(stored_measures)),
        disappear=sorted(set(stored_measures) - set(proposed)),
        stay=sorted(set(proposed) & set(stored_measures)), changes=changes,
        wording=wording_changes(in_force, policy),
    )
