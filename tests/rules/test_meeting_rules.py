"""Meeting duties at the regulation's edges: quorum, committees, yearly meetings judged after
the year, ledger rows of several types, quarter ends and party groups."""

from __future__ import annotations

from datetime import date

from dutyflow.core.periods import Period
from tests.rules.helpers import branch, by_subject, judge, meeting, monthly_duties

OCT, NOV, DEC = (Period.parse(p) for p in ("2026-10", "2026-11", "2026-12"))
MAR27 = Period.parse("2027-03")


def test_a_branch_that_held_every_monthly_meeting_gets_no_case():
    findings, cases = judge("2026-10", meetings=monthly_duties("B1", OCT))
    assert findings == [] and cases == []


def test_a_missed_committee_meeting_earns_a_reminder_with_its_evidence_and_basis():
    findings, cases = judge("2026-10", meetings=[meeting("theme_day", date(2026, 10, 9))])
    assert by_subject(findings) == {"committee_meeting": "reminder"}
    [case] = cases
    assert case.measure == "reminder" and case.rule_ids == ("meeting.committee_meeting.1",)
    evidence = case.evidence[0]
    assert evidence["facts"]["held_total"] == 0 and evidence["facts"]["span"] == "2026-10"
    assert "支部工作条例" in evidence["basis"]


def test_a_meeting_in_another_month_does_not_count_for_this_one():
    meetings = [meeting("committee_meeting", date(2026, 9, 30)), meeting("theme_day", OCT.first_day)]
    findings, _ = judge("2026-10", meetings=meetings)
    assert by_subject(findings) == {"committee_meeting": "reminder"}


def test_a_six_member_branch_has_no_committee_and_cannot_miss_its_meetings():
    theme = [meeting("theme_day", OCT.first_day)]
    assert judge("2026-10", orgs=[branch(members=9, full_members=6)], meetings=theme)[0] == []
    assert judge("2026-10", orgs=[branch(members=6)], meetings=theme)[0] == []
    seven = judge("2026-10", orgs=[branch(members=9, full_members=7)], meetings=theme)[0]
    assert by_subject(seven) == {"committee_meeting": "reminder"}


def test_the_committee_column_decides_when_it_is_given():
    theme = [meeting("theme_day", OCT.first_day)]
    declared = judge("2026-10", orgs=[branch(full_members=5, has_committee=True)], meetings=theme)
    assert by_subject(declared[0]) == {"committee_meeting": "reminder"}
    none = judge("2026-10", orgs=[branch(full_members=12, has_committee=False)], meetings=theme)
    assert none[0] == []


def test_quarterly_duties_are_checked_only_in_the_quarters_last_month():
    assert judge("2026-11", meetings=monthly_duties("B1", NOV))[0] == []
    december = judge("2026-12", meetings=monthly_duties("B1", DEC))[0]
    # 组织生活会 and 民主评议 are not judged on 31 December: the branch has until March
    assert set(by_subject(december)) == {"general_meeting", "party_lecture"}


def test_a_quarterly_meeting_earlier_in_the_quarter_counts():
    meetings = [*monthly_duties("B1", DEC), meeting("general_meeting", date(2026, 10, 12), 15),
                meeting("party_lecture", date(2026, 11, 3))]
    assert judge("2026-12", meetings=meetings)[0] == []


def test_quorum_is_at_least_half_of_the_members_with_a_vote():
    base = [*monthly_duties("B1", DEC), meeting("party_lecture", DEC.first_day)]
    twenty_with_sixteen_full = branch(members=20, full_members=16)

    def general(attendees: int):
        return judge("2026-12", orgs=[twenty_with_sixteen_full],
                     meetings=[*base, meeting("general_meeting", date(2026, 12, 3), attendees)])[0]

    assert general(8) == []  # exactly half of the 16 full members: 半数以上 includes half
    [below] = general(7)
    assert below.subject == "general_meeting"
    assert below.facts["held_total"] == 1 and below.facts["held_valid"] == 0
    assert below.facts["voting"] == 16


def test_a_life_meeting_held_in_january_counts_for_the_year_before():
    march = [*monthly_duties("B1", MAR27), meeting("general_meeting", date(2027, 3, 2), 15),
             meeting("party_lecture", date(2027, 3, 2)), meeting("member_review", date(2027, 1, 8))]
    held_in_january = [*march, meeting("life_meeting", date(2027, 1, 15))]
    assert judge("2027-03", meetings=held_in_january)[0] == []
    [missed] = judge("2027-03", meetings=march)[0]
    assert missed.subject == "life_meeting" and missed.span == "2026"


def test_the_year_a_meeting_is_for_decides_over_its_date():
    march = [*monthly_duties("B1", MAR27), meeting("general_meeting", date(2027, 3, 2), 15),
             meeting("party_lecture", date(2027, 3, 2)), meeting("member_review", date(2027, 1, 8))]
    for_2027 = [*march, meeting("life_meeting", date(2027, 1, 15), for_year=2027)]
    assert by_subject(judge("2027-03", meetings=for_2027)[0]) == {"life_meeting": "reminder"}
    late_2025 = [*march, meeting("life_meeting", date(2026, 1, 10), for_year=2026)]
    assert judge("2027-03", meetings=late_2025)[0] == []


def test_one_ledger_row_of_two_types_counts_for_each():
    # ingest stores 主题党日、党课 as one row per type, same day (tests/reports covers the cell)
    same_session = [meeting("committee_meeting", date(2026, 12, 2)),
                    meeting("theme_day", date(2026, 12, 18)),
                    meeting("party_lecture", date(2026, 12, 18)),
                    meeting("general_meeting", date(2026, 12, 18), 15)]
    assert judge("2026-12", meetings=same_session)[0] == []


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
