"""Meeting duties: each at its boundary, quarter and year ends, party groups, escalation."""

from __future__ import annotations

from datetime import date

from dutyflow.core.periods import Period
from tests.rules.helpers import branch, by_subject, history, judge, meeting, monthly_duties

OCT, NOV, DEC = (Period.parse(p) for p in ("2026-10", "2026-11", "2026-12"))


def test_a_branch_that_held_every_monthly_meeting_gets_no_action():
    findings, actions = judge("2026-10", meetings=monthly_duties("B1", OCT))
    assert findings == [] and actions == []


def test_a_missed_committee_meeting_earns_a_reminder_with_its_evidence():
    findings, actions = judge("2026-10", meetings=[meeting("theme_day", date(2026, 10, 9))])
    assert by_subject(findings) == {"committee_meeting": "reminder"}
    [action] = actions
    assert action.action == "reminder" and action.rule_ids == ("meeting.committee_meeting.1",)
    facts = action.evidence[0]["facts"]
    assert facts["held_total"] == 0 and facts["minimum"] == 1 and facts["span"] == "2026-10"
    assert action.evidence[0]["text"] == "支部委员会会议每月至少召开1次"


def test_a_meeting_in_another_month_does_not_count_for_this_one():
    meetings = [meeting("committee_meeting", date(2026, 9, 30)), meeting("theme_day", OCT.first_day)]
    findings, _ = judge("2026-10", meetings=meetings)
    assert by_subject(findings) == {"committee_meeting": "reminder"}


def test_missing_the_same_duty_two_periods_running_earns_a_talk_three_circulated_criticism():
    meetings = [meeting("theme_day", OCT.first_day)]
    once = history(("B1", "meeting", "committee_meeting", "2026-09"))
    twice = history(("B1", "meeting", "committee_meeting", "2026-09"),
                    ("B1", "meeting", "committee_meeting", "2026-08"))
    gap = history(("B1", "meeting", "committee_meeting", "2026-08"))  # not consecutive
    other_duty = history(("B1", "meeting", "theme_day", "2026-09"))
    assert by_subject(judge("2026-10", meetings=meetings, past=once)[0]) == {
        "committee_meeting": "talk"}
    assert by_subject(judge("2026-10", meetings=meetings, past=twice)[0]) == {
        "committee_meeting": "circulated_criticism"}
    assert by_subject(judge("2026-10", meetings=meetings, past=gap)[0]) == {
        "committee_meeting": "reminder"}
    assert by_subject(judge("2026-10", meetings=meetings, past=other_duty)[0]) == {
        "committee_meeting": "reminder"}


def test_quarterly_duties_are_checked_only_in_the_quarters_last_month():
    november = judge("2026-11", meetings=monthly_duties("B1", NOV))[0]
    assert november == []
    december = judge("2026-12", meetings=monthly_duties("B1", DEC))[0]
    assert set(by_subject(december)) == {"general_meeting", "party_lecture", "life_meeting"}


def test_a_quarterly_meeting_earlier_in_the_quarter_counts():
    meetings = [*monthly_duties("B1", DEC), meeting("general_meeting", date(2026, 10, 12), 15),
                meeting("party_lecture", date(2026, 11, 3)), meeting("life_meeting", date(2026, 2, 1))]
    assert judge("2026-12", meetings=meetings)[0] == []


def test_general_meeting_with_exactly_half_the_members_is_below_quorum():
    base = [*monthly_duties("B1", DEC), meeting("party_lecture", DEC.first_day),
            meeting("life_meeting", DEC.first_day)]
    exactly_half = judge("2026-12", orgs=[branch(members=20)],
                         meetings=[*base, meeting("general_meeting", date(2026, 12, 3), 10)])[0]
    assert by_subject(exactly_half) == {"general_meeting": "reminder"}
    facts = exactly_half[0].facts
    assert facts["held_total"] == 1 and facts["held_valid"] == 0
    one_more = judge("2026-12", orgs=[branch(members=20)],
                     meetings=[*base, meeting("general_meeting", date(2026, 12, 3), 11)])[0]
    assert one_more == []


def test_party_group_meetings_are_required_per_group_only_where_groups_exist():
    with_groups = [branch("G", groups=2), branch("N", groups=0)]
    meetings = [*monthly_duties("G", OCT), *monthly_duties("N", OCT),
                meeting("group_meeting", date(2026, 10, 5), org="G")]
    findings = judge("2026-10", orgs=with_groups, meetings=meetings)[0]
    assert [(f.org_code, f.subject) for f in findings] == [("G", "group_meeting")]
    both = [*meetings, meeting("group_meeting", date(2026, 10, 6), org="G")]
    assert judge("2026-10", orgs=with_groups, meetings=both)[0] == []


def test_committees_are_not_held_to_branch_duties():
    committee = {**branch("C"), "org_type": "党委"}
    assert judge("2026-10", orgs=[committee])[0] == []


def test_several_findings_of_one_organization_make_one_action_per_type():
    findings, actions = judge("2026-10", meetings=[])
    assert sorted(by_subject(findings)) == ["committee_meeting", "theme_day"]
    [action] = actions
    assert len(action.evidence) == 2
    assert action.id == "2026-10-B1-reminder"
