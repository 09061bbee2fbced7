"""The quarter's ranking at its edges, read from a policy: the stated tie order, ties at a
list's cut-off, the bottom list (never a perfect score, never the top list), movement, and a
policy with no correction window."""

from __future__ import annotations

import random

import pytest

from dutyflow.core.vocabulary import Listing
from dutyflow.rules.policy import PolicyError
from dutyflow.rules.ranking import Entry, Ranking, rank_quarter
from tests.rules.helpers import policy_with


def branch(code: str, *months: float | None, findings: int = 0) -> Entry:
    return Entry(code, "branch", tuple(months), findings)


def ranked(rules: Ranking, entries: list[Entry], previous: dict | None = None):
    return {s.org_code: s for s in rank_quarter(rules, entries, base=100, previous=previous)}


def test_the_quarter_score_is_the_mean_of_the_judged_months():
    assert branch("A", 90, None, 96).score == 93
    assert branch("A", 90, 95, 96).score == pytest.approx(93.67)
    assert branch("A", None, None, None).score == 0


def test_ties_are_broken_in_the_stated_order_whatever_the_input_order():
    entries = [branch("ZB9", 95, 95), branch("ZB1", 95, 95),  # equal in all but the code
               branch("ZB5", 96, 94, findings=2), branch("ZB3", 96, 94, findings=1),  # fewer
               branch("ZB7", 94, 96, findings=1),  # same mean and findings, better last month
               branch("ZB2", 99, 99)]
    rules = Ranking(top=0, bottom=0)
    expected = ["ZB2", "ZB1", "ZB9", "ZB7", "ZB3", "ZB5"]  # all but ZB2 score 95
    for seed in range(5):
        shuffled = entries[:]
        random.Random(seed).shuffle(shuffled)
        order = sorted(ranked(rules, shuffled).values(), key=lambda s: s.rank)
        assert [s.org_code for s in order] == expected
        assert [s.rank for s in order] == [1, 2, 3, 4, 5, 6]


def test_the_lists_take_their_n_and_those_equal_to_the_nth_and_never_a_perfect_score():
    entries = [branch("A", 100), branch("B", 100), branch("C", 100), branch("D", 97),
               branch("E", 90), branch("F", 90), branch("G", 80)]
    standings = ranked(Ranking(top=2, bottom=2), entries)
    assert {o for o, s in standings.items() if s.listing == Listing.TOP} == {"A", "B", "C"}
    assert {o for o, s in standings.items() if s.listing == Listing.PROVISIONAL} == {"E", "F", "G"}
    assert standings["D"].listing is None
    clean = ranked(Ranking(top=1, bottom=3), [branch("A", 100), branch("B", 100), branch("C", 99)])
    assert clean["B"].listing == Listing.TOP and clean["C"].listing == Listing.PROVISIONAL
    small = ranked(Ranking(top=2, bottom=2), [branch("A", 99), branch("B", 98), branch("C", 97)])
    assert [small[o].listing for o in "ABC"] == [Listing.TOP, Listing.TOP, Listing.PROVISIONAL]


def test_units_and_branches_are_ranked_apart_and_movement_is_against_last_quarter():
    entries = [Entry("DW1", "unit", (95,)), Entry("DW2", "unit", (97,)),
               branch("ZB1", 99), branch("ZB2", 90), branch("ZB3", 95)]
    standings = ranked(Ranking(top=1, bottom=1), entries, previous={"DW1": 2, "DW2": 1,
                                                                    "ZB2": 1, "ZB1": 3})
    assert (standings["DW2"].rank, standings["DW1"].rank) == (1, 2)
    assert standings["DW2"].movement == 0 and standings["DW1"].movement == 0
    assert standings["ZB1"].rank == 1 and standings["ZB1"].movement == 2
    assert standings["ZB2"].rank == 3 and standings["ZB2"].movement == -2
    assert standings["ZB3"].previous is None and standings["ZB3"].movement is None


def test_without_a_correction_window_the_bottom_list_is_confirmed_at_once(tmp_path):
    policy = policy_with(tmp_path, ranking={"top": 1, "bottom": 1, "correction_days": 0,
                                    "publish_bottom": False})
    assert policy.ranking.correction_days == 0 and not policy.ranking.publish_bottom
    standings = ranked(policy.ranking, [branch("A", 99), branch("B", 90)])
    assert standings["B"].listing == Listing.CONFIRMED


def test_a_bad_ranking_section_is_refused_naming_the_field(tmp_path):
    with pytest.raises(PolicyError, match="ranking"):
        policy_with(tmp_path, ranking={"top": -1})
    with pytest.raises(PolicyError, match="unknown group 'party'"):
        policy_with(tmp_path, ranking={"groups": ["party"]})
