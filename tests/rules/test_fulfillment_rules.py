"""Responsibility fulfillment and duty reports: thresholds at their edges, and escalation
that follows measures actually taken."""

from __future__ import annotations

import pytest

from dutyflow.core.periods import Period
from tests.rules.helpers import by_subject, judge, measures, monthly_duties

OCT = Period.parse("2026-10")


def assessed(score: float, done: int = 10, total: int = 10, rating: str | None = None
             ) -> list[dict]:
    return [{"org_code": "B1", "assessed_period": "2026-10", "score": score, "tasks_total": total,
             "tasks_done": done, "duty_report_rating": rating}]


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


def test_weak_again_after_a_reminder_was_taken_is_a_talk_never_a_jump_to_criticism():
    reminded = measures(("B1", "fulfillment", "fulfillment", "2026-09", "reminder", True))
    talked = measures(("B1", "fulfillment", "fulfillment", "2026-09", "talk", True))
    criticised = measures(("B1", "fulfillment", "fulfillment", "2026-09",
                           "circulated_criticism", True))
    assert verdict(65, past=reminded) == "talk"
    assert verdict(65, past=talked) == "circulated_criticism"
    assert verdict(65, past=criticised) == "admonishment"  # 诫勉 only after a criticism
    assert verdict(95, past=criticised) is None  # a good month ends it


def test_a_rejected_or_pending_reminder_does_not_climb():
    not_taken = measures(("B1", "fulfillment", "fulfillment", "2026-09", "reminder", False))
    assert verdict(65, past=not_taken) == "reminder"


def test_a_poor_month_never_falls_below_its_own_level():
    reminded = measures(("B1", "fulfillment", "fulfillment", "2026-09", "reminder", True))
    assert verdict(50) == "talk"
    assert verdict(50, past=reminded) == "talk"


def test_a_weak_finding_keeps_every_reason_that_applies():
    findings, _ = judge("2026-10", meetings=monthly_duties("B1", OCT),
                        assessments=assessed(55, 5, 10))
    [finding] = findings
    assert finding.measure == "talk"
    assert "考核得分低于60分" in finding.text and "责任清单任务完成率低于60%" in finding.text
    assert finding.facts["score"] == 55 and finding.facts["done_ratio"] == 0.5


@pytest.mark.parametrize("rating, expected", [("good", None), ("fairly_good", None),
                                              ("average", "reminder"), ("poor", "talk")])
def test_a_duty_report_rated_average_earns_a_reminder_and_poor_a_talk(rating, expected):
    findings, _ = judge("2026-10", meetings=monthly_duties("B1", OCT),
                        assessments=assessed(90, rating=rating))
    assert by_subject(findings).get("duty_report") == expected
    if expected:
        [finding] = findings
        assert finding.facts["rating_name"] in ("一般", "差") and finding.basis
