"""Rectification items: days overdue at each threshold, and paper rectification."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dutyflow.core.periods import Period
from tests.rules.helpers import by_subject, judge, monthly_duties

OCT = Period.parse("2026-10")
LAST = OCT.last_day


def item(deadline: date, status: str = "in_progress", completed: date | None = None,
         item_id: str = "ZG-1", extended_to: date | None = None) -> dict:
    return {"item_id": item_id, "org_code": "B1", "description": "台账不全", "deadline": deadline,
            "status": status, "completed_on": completed, "extended_to": extended_to,
            "source": "巡察", "responsible": "王五"}


@pytest.mark.parametrize("days_over, expected", [
    (0, None), (1, "supervision"), (30, "supervision"), (31, "talk"), (90, "talk"),
    (91, "circulated_criticism"),
])
def test_open_item_escalates_with_days_past_its_deadline(days_over, expected):
    findings, cases = judge("2026-10", meetings=monthly_duties("B1", OCT),
                            rectifications=[item(LAST - timedelta(days=days_over))])
    assert by_subject(findings).get("ZG-1") == expected
    if expected:
        assert findings[0].facts["days_overdue"] == days_over
        # 通报批评 needs the committee: the office only proposes it
        assert cases[0].proposal == (expected == "circulated_criticism")


def test_an_approved_extension_moves_the_deadline():
    late = item(LAST - timedelta(days=40), extended_to=LAST + timedelta(days=10))
    assert judge("2026-10", meetings=monthly_duties("B1", OCT), rectifications=[late])[0] == []
    past_extension = item(LAST - timedelta(days=40), extended_to=LAST - timedelta(days=3))
    [finding] = judge("2026-10", meetings=monthly_duties("B1", OCT),
                      rectifications=[past_extension])[0]
    assert finding.measure == "supervision" and finding.facts["days_overdue"] == 3
    assert finding.facts["source"] == "巡察" and finding.facts["responsible"] == "王五"


@pytest.mark.parametrize("status", ["done", "closed"])
def test_finished_items_are_not_overdue(status):
    findings, _ = judge("2026-10", meetings=monthly_duties("B1", OCT),
                        rectifications=[item(date(2026, 5, 1), status, date(2026, 4, 30))])
    assert findings == []


@pytest.mark.parametrize("status", ["done", "closed"])
def test_done_with_no_completion_date_goes_back_for_correction_not_to_accountability(status):
    findings, cases = judge("2026-10", meetings=monthly_duties("B1", OCT),
                            rectifications=[item(date(2026, 12, 1), status, None)])
    assert by_subject(findings) == {"ZG-1": "return_for_correction"}
    assert findings[0].rule_id == "rectification.paper"
    assert cases[0].measure == "return_for_correction" and not cases[0].proposal
    assert findings[0].basis


def test_overdue_items_of_one_branch_share_one_supervision_notice():
    items = [item(LAST - timedelta(days=5), item_id="ZG-1"),
             item(LAST - timedelta(days=12), "open", item_id="ZG-2")]
    _, actions = judge("2026-10", meetings=monthly_duties("B1", OCT), rectifications=items)
    [action] = actions
    assert [e["subject"] for e in action.evidence] == ["ZG-1", "ZG-2"]
