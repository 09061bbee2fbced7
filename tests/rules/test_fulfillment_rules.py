"""Responsibility fulfillment: score and task thresholds at their edges, and escalation."""

from __future__ import annotations

import pytest

from dutyflow.core.periods import Period
from tests.rules.helpers import by_subject, history, judge, monthly_duties

OCT = Period.parse("2026-10")


def assessed(score: float, done: int = 10, total: int = 10) -> list[dict]:
    return [{"org_code": "B1", "assessed_period": "2026-10", "score": score, "tasks_total": total,
             "tasks_done": done}]


def verdict(score: float, done: int = 10, total: int = 10, past=None) -> str | None:
    findings, _ = judge("2026-10", meetings=monthly_duties("B1", OCT),
                        assessments=assessed(score, done, total), past=past)
    return by_subject(findings).get("fulfillment")


@pytest.mark.parametrize("score, expected", [
    (70, None), (69.9, "reminder"), (60, "reminder"), (59.9, "talk"), (0, "talk"),
])
def test_score_thresholds(score, expected):
    assert verdict(score) == expected


@pytest.mark.parametrize("done, expected", [(8, None), (7, "reminder"), (6, "reminder"),
                                            (5, "talk")])
def test_task_completion_thresholds(done, expected):
    assert verdict(90, done, 10) == expected


def test_no_tasks_on_the_list_is_not_a_failure():
    assert verdict(90, 0, 0) is None


def test_weak_in_consecutive_periods_escalates_to_criticism_then_admonishment():
    one = history(("B1", "fulfillment", "fulfillment", "2026-09"))
    two = history(("B1", "fulfillment", "fulfillment", "2026-09"),
                  ("B1", "fulfillment", "fulfillment", "2026-08"))
    assert verdict(65, past=one) == "circulated_criticism"
    assert verdict(65, past=two) == "admonishment"
    assert verdict(95, past=two) is None  # a good period ends the streak


def test_a_weak_finding_keeps_every_reason_that_applies():
    findings, _ = judge("2026-10", meetings=monthly_duties("B1", OCT),
                        assessments=assessed(55, 5, 10))
    [finding] = findings
    assert finding.action == "talk"
    assert "考核得分低于60分" in finding.text and "责任清单任务完成率低于60%" in finding.text
    assert finding.facts["score"] == 55 and finding.facts["done_ratio"] == 0.5
