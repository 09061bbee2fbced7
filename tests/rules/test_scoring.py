"""The monthly score at its edges, read from a policy: deductions by family and severity, the
family cap, recurrence, additions and their cap, the floor and the ceiling, and a unit's mean."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dutyflow.rules.policy import PolicyError
from dutyflow.rules.scoring import Ledger, Scoring, mean_score, round_score, score_month, score_text
from tests.rules.helpers import policy_with


def finding(action: str, family: str = "meeting", recurrence: str = "") -> dict:
    return {"family": family, "measure": action, "text": f"{family}问题", "recurrence": recurrence}


def one(rules: Scoring, ledger: Ledger):
    return score_month(rules, {"ZB1": ledger}, {}, ["ZB1"])["ZB1"]


def test_deductions_follow_the_measure_and_the_family_weight_from_the_policy(tmp_path):
    rules = policy_with(tmp_path, scores={"severity": {"return_for_correction": 0.5, "reminder": 2,
                                                "supervision": 3, "talk": 5,
                                                "self_inspection": 6, "circulated_criticism": 8,
                                                "admonishment": 10},
                                   "family_weight": {"rectification": 1.5}}).scores
    score = one(rules, Ledger(findings=[finding("reminder"), finding("talk", "rectification")]))
    assert score.score == 100 - 2 - 7.5
    assert [line.points for line in score.lines] == [-2, -7.5]
    text = score.explain()
    assert text.splitlines()[0] == "基础分 100" and "−7.5  问题整改" in text
    assert text.splitlines()[-1] == "得分 90.5"


def test_the_family_cap_and_the_floor(tmp_path):
    rules = policy_with(tmp_path, scores={"family_cap": {"meeting": 10}, "floor": 60}).scores
    capped = one(rules, Ledger(findings=[finding("talk")] * 5))  # 5 x 4 = 20, capped at 10
    assert capped.score == 90
    assert "组织生活扣分以10分为限（应扣20分）" in capped.explain()
    at_cap = one(rules, Ledger(findings=[finding("talk")] * 2 + [finding("reminder")]))
    assert at_cap.score == 100 - 10  # 8 + 2 is exactly the cap: no line
    assert "为限" not in at_cap.explain()
    floored = one(rules, Ledger(findings=[finding("admonishment", "rectification")] * 6))
    assert floored.score == 60 and "最低60分" in floored.explain()


def test_a_recurrence_costs_more(tmp_path):
    rules = policy_with(tmp_path, scores={"recurrence": 3}).scores
    score = one(rules, Ledger(findings=[finding("reminder", recurrence="市直工委函〔2026〕1号")]))
    assert score.score == 100 - 2 - 3
    assert "销号后反弹（市直工委函〔2026〕1号）" in score.explain()


def test_additions_are_capped_and_never_lift_a_score_above_the_base(tmp_path):
    rules = policy_with(tmp_path, scores={"closed_case": 2, "reply_on_time": 1,
                                   "additions_cap": 4}).scores
    ledger = Ledger(findings=[finding("talk")], closed=["A", "B"], on_time=["A", "C"])
    score = one(rules, ledger)  # -4, then +6 capped at +4
    assert score.score == 100
    assert "加分以4分为限（应加6分）" in score.explain()
    clean = one(rules, Ledger(closed=["A"]))
    assert clean.score == 100 and "最高100分" in clean.explain()


def test_a_measure_the_policy_gives_no_points_deducts_its_severity(tmp_path):
    rules = policy_with(tmp_path, scores={"severity": {"reminder": 5}}).scores
    assert rules.deduction("meeting", "reminder") == 5
    assert rules.deduction("meeting", "talk") == 4  # 约谈: the fourth step of severity


def test_a_unit_scores_the_mean_of_its_branches_less_its_own():
    rules = Scoring()
    ledgers = {"ZB1": Ledger(findings=[finding("talk")]), "DW": Ledger(findings=[finding("reminder")])}
    scores = score_month(rules, ledgers, {"DW": ["ZB1", "ZB2"]}, ["DW", "ZB1", "ZB2"])
    assert (scores["ZB1"].score, scores["ZB2"].score) == (96, 100)
    assert scores["DW"].kind == "unit" and scores["DW"].score == 98 - 2
    assert scores["DW"].explain().startswith("所属2个党组织平均分 98")


@pytest.mark.parametrize(("scores", "says"), [
    ({"severity": {"reminder": -2}}, "never negative"),
    ({"severity": {**{k: 1 for k in ("return_for_correction", "reminder", "supervision", "talk",
                                     "self_inspection", "circulated_criticism", "admonishment")},
                   "scolding": 1}}, "unknown measure 'scolding'"),
    ({"family_cap": {"parties": 5}}, "unknown family 'parties'"),
    ({"floor": 100}, "must be below the base"),
    ({"family_weight": {"meeting": -1}}, "never negative"),
    ({"bonus": 3}, "bonus"),
])
def test_a_bad_scores_section_is_refused_naming_it(tmp_path, scores, says):
    with pytest.raises((PolicyError, ValidationError), match=says):
        policy_with(tmp_path, scores=scores)


def test_scores_round_half_up_as_an_office_rounds_by_hand():
    assert round(96.125, 2) == 96.12  # Python's round is half to even: not what offices do
    assert round_score(96.125) == 96.13 and round_score(96.135) == 96.14
    assert round_score(1.005) == 1.01 and round_score(-0.0) == 0.0
    assert mean_score([96.25, 96.0]) == 96.13 and mean_score([]) == 0.0
    assert [score_text(v) for v in (96.125, 100.0, 96.1, 93.0)] == ["96.13", "100", "96.1", "93"]


def test_a_unit_scores_its_branches_mean_rounded_half_up():
    rules = Scoring(severity={"reminder": 3.875})
    ledgers = {"ZB1": Ledger(findings=[finding("reminder")])}  # 96.125 and 100: mean 98.0625
    scores = score_month(rules, ledgers, {"DW1": ["ZB1", "ZB2"]}, ["DW1", "ZB1", "ZB2"])
    assert scores["ZB1"].score == 96.13  # 100 - 3.875 = 96.125
    assert scores["DW1"].start == 98.07 and "得分 96.13" in scores["ZB1"].explain()
