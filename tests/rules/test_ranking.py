"""The quarter's ranking at its edges, read from a policy: equal scores sharing a place, ties
at both lists' cut-offs (listed within the allowance, counted when they would swamp the list),
the bottom list (never a perfect score, never the top list), movement, and a policy with no
correction window."""

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


def test_the_quarter_score_is_the_mean_of_the_judged_months_rounded_half_up():
    assert branch("A", 90, None, 96).score == 93
    assert branch("A", 90, 95, 96).score == 93.67
    assert branch("A", None, None, None).score == 0
    assert branch("A", 96.25, 96).score == 96.13  # 96.125: half up, not half to even (96.12)
    assert branch("A", 96.12, 96.13).score == 96.13


def test_equal_scores_share_a_place_and_only_the_score_earns_one():
    entries = [branch("ZB9", 95, 95), branch("ZB1", 95, 95),
               branch("ZB5", 96, 94, findings=2), branch("ZB3", 96, 94, findings=1),
               branch("ZB7", 94, 96, findings=1), branch("ZB2", 99, 99), branch("ZB4", 90)]
    rules = Ranking(top=0, bottom=0)
    for seed in range(5):
        shuffled = entries[:]
        random.Random(seed).shuffle(shuffled)
        order = sorted(ranked(rules, shuffled).values(), key=lambda s: s.rank)
        # within a place the order is the code's: stable, never a reason
        assert [s.org_code for s in order] == ["ZB2", "ZB1", "ZB3", "ZB5", "ZB7", "ZB9", "ZB4"]
        assert [s.rank for s in order] == [1, 2, 2, 2, 2, 2, 7]


def test_ties_at_the_top_cut_off_are_listed_within_the_allowance():
    entries = [branch("A", 100), branch("B", 99), branch("C", 98), branch("D", 98),
               branch("E", 97), branch("F", 90)]
    standings = ranked(Ranking(top=3, bottom=1, tie_allowance=1), entries)
    assert [o for o, s in standings.items() if s.listing == Listing.TOP] == ["A", "B", "C", "D"]
    assert (standings["C"].rank, standings["D"].rank, standings["E"].rank) == (3, 3, 5)
    assert standings["F"].listing == Listing.PROVISIONAL and not any(
        s.held for s in standings.values())


def test_ties_that_would_swamp_the_top_list_are_counted_not_listed():
    # 47 branches with full marks and a top list of 5: none of them is listed
    entries = [branch(f"ZB{i:02}", 100) for i in range(47)] + [
        branch("ZC1", 99), branch("ZC2", 95), branch("ZC3", 90)]
    standings = ranked(Ranking(top=5, bottom=1, tie_allowance=2), entries)
    assert not [s for s in standings.values() if s.listing == Listing.TOP]
    held = [s for s in standings.values() if s.held == Listing.TOP]
    assert len(held) == 47 and {s.rank for s in held} == {1}
    assert standings["ZC1"].rank == 48 and standings["ZC1"].listing is None
    assert standings["ZC3"].listing == Listing.PROVISIONAL
    # fewer ahead of the tie: those strictly above the cut-off stay listed
    entries = [branch("X", 100), branch("Y", 99.5)] + [branch(f"T{i}", 99) for i in range(6)]
    standings = ranked(Ranking(top=3, bottom=0, tie_allowance=2), entries)
    assert [o for o, s in standings.items() if s.listing == Listing.TOP] == ["X", "Y"]
    assert sum(s.held == Listing.TOP for s in standings.values()) == 6
    assert {standings[f"T{i}"].rank for i in range(6)} == {3}


def test_ties_at_the_bottom_cut_off_are_listed_within_the_allowance_or_counted():
    entries = [branch("A", 100), branch("B", 99), branch("C", 95), branch("D", 95),
               branch("E", 80)]
    standings = ranked(Ranking(top=1, bottom=2, tie_allowance=1), entries)
    assert {o for o, s in standings.items() if s.listing == Listing.PROVISIONAL} == {"C", "D", "E"}
    assert (standings["C"].rank, standings["D"].rank, standings["E"].rank) == (3, 3, 5)
    swamped = [branch("A", 100), branch("E", 80)] + [branch(f"T{i}", 95) for i in range(4)]
    standings = ranked(Ranking(top=1, bottom=2, tie_allowance=1), swamped)
    assert [o for o, s in standings.items() if s.listing == Listing.PROVISIONAL] == ["E"]
    assert sum(s.held == Listing.PROVISIONAL for s in standings.values()) == 4


def test_the_bottom_list_never_takes_a_perfect_score_or_the_top_list():
    clean = ranked(Ranking(top=1, bottom=3), [branch("A", 100), branch("B", 100), branch("C", 99)])
    assert clean["A"].listing == clean["B"].listing == Listing.TOP
    assert clean["C"].listing == Listing.PROVISIONAL
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
