"""Cases: one per organization and period with one proportionate measure, and ladders that
climb on measures actually taken."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from dutyflow.core.periods import Period
from tests.rules.helpers import (
    by_subject,
    history,
    judge,
    measures,
    meeting,
    monthly_duties,
    policy_with,
)

OCT = Period.parse("2026-10")
THEME_ONLY = [meeting("theme_day", OCT.first_day)]  # the committee meeting is missed


def test_several_findings_of_one_organization_make_one_case_with_the_most_severe_measure():
    overdue = {"item_id": "ZG-1", "org_code": "B1", "description": "台账不全",
               "deadline": OCT.last_day - timedelta(days=45), "status": "open",
               "completed_on": None}
    findings, cases = judge("2026-10", meetings=[], rectifications=[overdue],
                            assessments=[{"org_code": "B1", "assessed_period": "2026-10",
                                          "score": 65, "tasks_total": 10, "tasks_done": 9}])
    assert sorted(by_subject(findings).values()) == ["reminder", "reminder", "reminder", "talk"]
    [case] = cases
    assert case.id == "2026-10-B1"
    assert case.measure == "talk" and not case.proposal
    assert len(case.evidence) == 4 and case.evidence[0]["action"] == "talk"  # most severe first


def test_a_miss_after_a_taken_reminder_is_a_talk_then_a_proposal_of_criticism():
    reminded = measures(("B1", "meeting", "committee_meeting", "2026-09", "reminder", True))
    talked = measures(("B1", "meeting", "theme_day", "2026-09", "talk", True))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=reminded)[1]
    assert case.measure == "talk"
    assert "经提醒后仍未落实" in case.evidence[0]["text"]
    [case] = judge("2026-10", meetings=THEME_ONLY, past=talked)[1]
    assert case.measure == "circulated_criticism" and case.proposal


def test_rejected_withdrawn_or_pending_measures_do_not_climb():
    not_taken = measures(("B1", "meeting", "committee_meeting", "2026-09", "reminder", False))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=not_taken)[1]
    assert case.measure == "reminder"


def test_a_measure_two_months_back_does_not_climb_this_month():
    earlier = measures(("B1", "meeting", "committee_meeting", "2026-08", "reminder", True))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=earlier)[1]
    assert case.measure == "reminder"


def test_per_family_a_different_meeting_missed_each_month_still_climbs(tmp_path: Path):
    other_duty = measures(("B1", "meeting", "theme_day", "2026-09", "reminder", True))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=other_duty)[1]
    assert case.measure == "talk"
    per_duty = policy_with(tmp_path, escalation={"counts": "measures",
                                                 "scope": {"meeting": "duty"}})
    [case] = judge("2026-10", meetings=THEME_ONLY, past=other_duty, policy=per_duty)[1]
    assert case.measure == "reminder"
    same_duty = measures(("B1", "meeting", "committee_meeting", "2026-09", "reminder", True))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=same_duty, policy=per_duty)[1]
    assert case.measure == "talk"


def test_the_first_releases_finding_streaks_remain_a_policy_option(tmp_path: Path):
    streaks = policy_with(tmp_path, escalation={"counts": "findings"})
    twice = history(("B1", "meeting", "committee_meeting", "2026-09"),
                    ("B1", "meeting", "committee_meeting", "2026-08"))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=twice, policy=streaks)[1]
    assert case.measure == "circulated_criticism"
    assert "连续3个月" in case.evidence[0]["text"]


def test_the_policy_chooses_which_measures_need_a_committee(tmp_path: Path):
    office_may_talk = policy_with(tmp_path, committee_decides=["talk", "circulated_criticism",
                                                               "admonishment"])
    reminded = measures(("B1", "meeting", "committee_meeting", "2026-09", "reminder", True))
    [case] = judge("2026-10", meetings=THEME_ONLY, past=reminded, policy=office_may_talk)[1]
    assert case.measure == "talk" and case.proposal


def test_a_held_month_ends_the_ladder():
    reminded = measures(("B1", "meeting", "committee_meeting", "2026-09", "reminder", True))
    assert judge("2026-10", meetings=monthly_duties("B1", OCT), past=reminded)[1] == []
    assert date(2026, 10, 1) == OCT.first_day


