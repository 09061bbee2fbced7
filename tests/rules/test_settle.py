"""Which failures join a settling measure's open case (policy escalation.settle_working_days):
all of an organization's, or none, and never one that earns more on its own."""

from __future__ import annotations

from dutyflow.rules.outcome import FindingDraft, group_cases, settle
from dutyflow.rules.policy import load_policy

CASE = "2026-08-DW0001-ZB01"


def finding(subject: str, measure: str, settling: str | None, org: str = "DW0001-ZB01"):
    facts = {"span": "2026-09"}
    if settling:
        facts |= {"settling": settling, "settling_measure": "reminder"}
    return FindingDraft(id=f"{org}-{subject}", period="2026-09", span="2026-09", org_code=org,
                        family="meeting", subject=subject, rule_id="r", rule_ids=("r",),
                        measure=measure, text="t", facts=facts, requirement="q", basis="b")


def test_an_organization_whose_failures_all_settle_opens_no_case():
    policy = load_policy()
    findings = settle(policy, [finding("theme_day", "reminder", CASE),
                               finding("group_meeting", "reminder", CASE),
                               finding("theme_day", "reminder", None, org="DW0002-ZB01")])
    assert [f.facts.get("settling") for f in findings] == [CASE, CASE, None]
    assert [c.org_code for c in group_cases(policy, "2026-09", findings)] == ["DW0002-ZB01"]


def test_a_failure_harsher_on_its_own_opens_the_case_and_none_settles():
    policy = load_policy()
    findings = settle(policy, [finding("theme_day", "reminder", CASE),
                               finding("fulfillment", "talk", CASE)])
    assert all("settling" not in f.facts and "settling_measure" not in f.facts
               for f in findings)
    [case] = group_cases(policy, "2026-09", findings)
    assert case.measure == "talk" and len(case.evidence) == 2


def test_one_failure_not_settling_keeps_the_organization_in_a_case():
    policy = load_policy()
    findings = settle(policy, [finding("theme_day", "reminder", CASE),
                               finding("lecture", "reminder", None)])
    assert all("settling" not in f.facts for f in findings)
    assert len(group_cases(policy, "2026-09", findings)) == 1
