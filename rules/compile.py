"""Compile the declared policy into flat rules: an id, an action, and ANDed comparisons on a fact.

The engine module turns these into durable-rules rulesets; any other evaluator (the pandas
reference, a decision table) can read the same list, so every implementation judges by the
same thresholds from the one policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from dutyflow.core.vocabulary import FREQUENCIES
from dutyflow.rules.policy import Policy

Op = Literal["==", "<", "<=", ">", ">="]


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Any

    def holds(self, fact: dict[str, Any]) -> bool:
        left = fact[self.field]
        return {
            "==": left == self.value, "<": left < self.value, "<=": left <= self.value,
            ">": left > self.value, ">=": left >= self.value,
        }[self.op]


@dataclass(frozen=True)
class Rule:
    """One compiled rule. `family` and `key` say which duty or item kind it judges."""

    id: str
    family: str  # meeting / rectification / fulfillment
    key: str  # duty id, overdue, paper, or fulfillment level
    action: str
    reason: str  # what this rule found, e.g. 考核得分低于60分
    conditions: tuple[Condition, ...]
    streak: str = ""  # e.g. ；连续2个月未落实
    requirement: str = ""  # the policy's wording of the duty the finding breaches
    measure: str = ""  # the fact field the threshold applies to

    @property
    def text(self) -> str:
        return self.reason + self.streak

    def matches(self, fact: dict[str, Any]) -> bool:
        return all(c.holds(fact) for c in self.conditions)


def _streak_ranges(steps: list[tuple[int, str]]) -> list[tuple[int, int | None, str]]:
    """(prior_from, prior_below, action) for each step; prior = earlier consecutive failures."""
    out = []
    for i, (consecutive, action) in enumerate(steps):
        upper = steps[i + 1][0] - 1 if i + 1 < len(steps) else None
        out.append((consecutive - 1, upper, action))
    return out


def _prior(lower: int, upper: int | None) -> tuple[Condition, ...]:
    conditions = (Condition("prior", ">=", lower),) if lower > 0 else ()
    return conditions + ((Condition("prior", "<", upper),) if upper is not None else ())


def compile_policy(policy: Policy) -> list[Rule]:
    rules: list[Rule] = []
    ladder = _streak_ranges([(s.consecutive, s.action) for s in policy.meetings.escalation])
    for duty in policy.meetings.duties:
        unit = FREQUENCIES[duty.frequency].unit
        for lower, upper, action in ladder:
            streak = f"；连续{lower + 1}{unit}未落实" if lower else ""
            if upper is None and lower:
                streak = f"；连续{lower + 1}{unit}及以上未落实"
            rules.append(Rule(
                id=f"meeting.{duty.id}.{lower + 1}", family="meeting", key=duty.id,
                action=action, reason=duty.text, streak=streak, requirement=duty.text,
                measure="held",
                conditions=(Condition("family", "==", "meeting"),
                            Condition("duty", "==", duty.id),
                            Condition("held", "<", duty.minimum), *_prior(lower, upper)),
            ))

    overdue = policy.rectification.overdue
    for i, step in enumerate(overdue):
        bounds = [Condition("days_overdue", ">", step.more_than_days)]
        if i + 1 < len(overdue):
            bounds.append(Condition("days_overdue", "<=", overdue[i + 1].more_than_days))
        beyond = f"（逾期超过{step.more_than_days}天）" if step.more_than_days else "（已逾期）"
        rules.append(Rule(
            id=f"rectification.overdue.{step.more_than_days}", family="rectification",
            key="overdue", action=step.action, reason=policy.rectification.overdue_text + beyond,
            requirement=policy.rectification.overdue_text, measure="days_overdue",
            conditions=(Condition("family", "==", "rectification"), Condition("open", "==", 1),
                        *bounds),
        ))
    paper = policy.rectification.paper
    rules.append(Rule(
        id="rectification.paper", family="rectification", key="paper", action=paper.action,
        reason=paper.text, requirement=paper.text, measure="paper",
        conditions=(Condition("family", "==", "rectification"), Condition("paper", "==", 1)),
    ))

    fulfil = policy.fulfillment
    streaks: list[tuple[int, int | None, str | None]] = [
        (0, fulfil.escalation[0].consecutive - 1 if fulfil.escalation else None, None)]
    streaks += [(lo, up, a) for lo, up, a in
                _streak_ranges([(s.consecutive, s.action) for s in fulfil.escalation])]
    for level in fulfil.levels:
        measures = (("score", level.score_below, f"考核得分低于{level.score_below:g}分"),
                    ("done_ratio", level.tasks_done_below,
                     f"责任清单任务完成率低于{level.tasks_done_below:.0%}"))
        for field, below, said in measures:
            for lower, upper, step_action in streaks:
                action = level.action
                if step_action and policy.rank(step_action) > policy.rank(action):
                    action = step_action
                streak = f"；连续{lower + 1}个考核期履责不力" if lower else ""
                rules.append(Rule(
                    id=f"fulfillment.{level.id}.{field}.{lower + 1}", family="fulfillment",
                    key=level.id, action=action, reason=said, streak=streak,
                    requirement=fulfil.text, measure=field,
                    conditions=(Condition("family", "==", "fulfillment"),
                                Condition(field, "<", below), *_prior(lower, upper)),
                ))
    return rules
