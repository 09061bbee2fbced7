"""Compile the declared policy into flat rules: an id, an action, and ANDed comparisons on a fact.

The engine module turns these into durable-rules rulesets; any other evaluator (the pandas
reference, a decision table) can read the same list, so every implementation judges by the
same thresholds from the one policy. Each rule's `requirement`, the wording notices quote, is
written here from the rule's own numbers (the policy's text with its placeholders filled), so
a changed threshold changes what every notice quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from dutyflow.core.vocabulary import FREQUENCIES, RATING_NAMES, measure_name
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
    family: str  # meeting / rectification / fulfillment / duty_report
    key: str  # duty id, overdue, paper, fulfillment level or rating
    action: str
    reason: str  # what this rule found, e.g. 考核得分低于60分
    conditions: tuple[Condition, ...]
    streak: str = ""  # e.g. ；经提醒后仍未落实
    requirement: str = ""  # the policy's wording of the duty the finding breaches
    measure: str = ""  # the fact field the threshold applies to
    basis: str = ""  # the regulation and article (or 本市做法) the requirement rests on

    @property
    def text(self) -> str:
        return self.reason + self.streak

    def matches(self, fact: dict[str, Any]) -> bool:
        return all(c.holds(fact) for c in self.conditions)


def _steps(ladder: list[str]) -> list[tuple[int, int | None, str]]:
    """(prior_from, prior_below, action) per ladder step; `prior` is how many steps a fact
    climbs (measures taken, or earlier failures, as the policy counts them)."""
    last = len(ladder) - 1
    return [(k, k + 1 if k < last else None, action) for k, action in enumerate(ladder)]


def _prior(lower: int, upper: int | None) -> tuple[Condition, ...]:
    conditions = (Condition("prior", ">=", lower),) if lower > 0 else ()
    return conditions + ((Condition("prior", "<", upper),) if upper is not None else ())


def _streak(policy: Policy, ladder: list[str], step: int, unit: str, last: bool,
            failed: str = "未落实") -> str:
    """How a climbed step reads: after which measure, or after how many failures."""
    if not step:
        return ""
    if policy.escalation.counts == "measures":
        return f"；经{measure_name(ladder[step - 1])}后仍{failed}"
    return f"；连续{step + 1}{unit}{'及以上' if last else ''}{failed}"


def compile_policy(policy: Policy) -> list[Rule]:
    rules: list[Rule] = []
    ladder = policy.meetings.ladder
    for duty in policy.meetings.duties:
        unit = FREQUENCIES[duty.frequency].unit
        for lower, upper, action in _steps(ladder):
            rules.append(Rule(
                id=f"meeting.{duty.id}.{lower + 1}", family="meeting", key=duty.id,
                action=action, reason=duty.requirement,
                streak=_streak(policy, ladder, lower, unit, upper is None),
                requirement=duty.requirement, measure="held", basis=duty.basis,
                conditions=(Condition("family", "==", "meeting"),
                            Condition("duty", "==", duty.id),
                            Condition("held", "<", duty.minimum), *_prior(lower, upper)),
            ))

    rect = policy.rectification
    for i, step in enumerate(rect.overdue):
        bounds = [Condition("days_overdue", ">", step.more_than_days)]
        if i + 1 < len(rect.overdue):
            bounds.append(Condition("days_overdue", "<=", rect.overdue[i + 1].more_than_days))
        beyond = f"（逾期超过{step.more_than_days}天）" if step.more_than_days else "（已逾期）"
        rules.append(Rule(
            id=f"rectification.overdue.{step.more_than_days}", family="rectification",
            key="overdue", action=step.action, reason=rect.overdue_text + beyond,
            requirement=rect.overdue_text, measure="days_overdue", basis=rect.basis,
            conditions=(Condition("family", "==", "rectification"), Condition("open", "==", 1),
                        *bounds),
        ))
    rules.append(Rule(
        id="rectification.paper", family="rectification", key="paper", action=rect.paper.action,
        reason=rect.paper.text, requirement=rect.paper.text, measure="paper",
        basis=rect.paper.basis,
        conditions=(Condition("family", "==", "rectification"), Condition("paper", "==", 1)),
    ))

    fulfil = policy.fulfillment
    for level in fulfil.levels:
        measures = (("score", level.score_below, f"考核得分低于{level.score_below:g}分"),
                    ("done_ratio", level.tasks_done_below,
                     f"责任清单任务完成率低于{level.tasks_done_below:.0%}"))
        for field, below, said in measures:
            for lower, upper, step_action in _steps(fulfil.ladder):
                action = max(level.action, step_action, key=policy.rank)
                rules.append(Rule(
                    id=f"fulfillment.{level.id}.{field}.{lower + 1}", family="fulfillment",
                    key=level.id, action=action, reason=said,
                    # assessments are monthly (月调度): 连续2个月考核未达标
                    streak=_streak(policy, fulfil.ladder, lower, FREQUENCIES["month"].unit,
                                   upper is None, "考核未达标"),
                    requirement=fulfil.requirement, measure=field, basis=fulfil.basis,
                    conditions=(Condition("family", "==", "fulfillment"),
                                Condition(field, "<", below), *_prior(lower, upper)),
                ))

    chase = policy.replies.chase
    for rung, action in enumerate(chase.ladder):
        rules.append(Rule(
            id=f"follow_up.unanswered.{rung + 1}", family="follow_up", key="unanswered",
            action=action, reason="经催办后仍未按期报送整改情况反馈", requirement=chase.requirement,
            measure="unanswered", basis=chase.basis,
            conditions=(Condition("family", "==", "follow_up"), Condition("unanswered", "==", 1),
                        Condition("step", "==", rung)),
        ))

    if policy.duty_report:
        report = policy.duty_report
        for rating, action in report.ratings.items():
            rules.append(Rule(
                id=f"duty_report.{rating}", family="duty_report", key=rating, action=action,
                reason=f"书记抓党建工作述职评议等次为“{RATING_NAMES[rating]}”",
                requirement=report.requirement, measure="rating", basis=report.basis,
                conditions=(Condition("family", "==", "duty_report"),
                            Condition("rating", "==", rating)),
            ))
    return rules
