"""Few, rich facts: what the engine is shown, and that packing never changes a judgement.

Every fact here is also judged fact by fact (the pandas reference reads the facts as built),
and durable-rules, which now sees the packed facts, must find exactly the same matches.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from bench import SampleRows, pandas_reference, sample_facts_with_history
from dutyflow.rules.compile import Condition, Rule, compile_policy
from dutyflow.rules.engine import evaluate_facts
from dutyflow.rules.packing import MAX_RANK, pack
from dutyflow.rules.policy import load_policy


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """Overrides tests/conftest.py's server harness: nothing here needs Prefect."""
    yield


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return compile_policy(load_policy())


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return sample_facts_with_history(load_policy(), SampleRows(120, seed=11), "2026-12",
                                     history_months=2)


def test_the_engine_sees_one_fact_per_organization_for_the_sample(rules, facts):
    packed = pack(rules, facts)
    # every family of the sample is one per organization and slot, or under MAX_RANK items
    assert len(packed.facts) == facts["org_code"].nunique()
    assert len(facts) > 4 * len(packed.facts)
    assert set(evaluate_facts(rules, facts)) == set(pandas_reference.evaluate_facts(rules, facts))


def test_each_match_names_the_fact_it_is_about(rules, facts):
    matches = evaluate_facts(rules, facts)
    by_id = facts.set_index("fid")
    assert matches
    for rule_id, fid in matches:
        rule = next(r for r in rules if r.id == rule_id)
        assert rule.matches(by_id.loc[fid].to_dict()), (rule_id, fid)


def _items(org: str, count: int, days: int = 40) -> list[dict]:
    return [{"fid": f"r|{org}-{i}", "family": "rectification", "org_code": org,
             "subject": f"{org}-{i}", "open": 1, "paper": 0, "prior": 0,
             "days_overdue": days + i} for i in range(count)]


def test_ledger_items_past_the_packed_ranks_are_asserted_alone_and_still_judged(rules):
    facts = pd.DataFrame(_items("B1", MAX_RANK + 5) + _items("B2", 1, days=0))
    packed = pack(rules, facts)
    assert len(packed.facts) == 2 + 5  # two packed organizations, five items beyond the ranks
    found = set(evaluate_facts(rules, facts))
    assert found == set(pandas_reference.evaluate_facts(rules, facts))
    assert {fid for _, fid in found} == {f"r|B1-{i}" for i in range(MAX_RANK + 5)}


def test_a_rule_that_does_not_name_its_family_stops_packing(rules):
    loose = Rule("loose", "x", "x", "x", "x", (Condition("days_overdue", ">", 41),))
    facts = pd.DataFrame(_items("B1", 3))
    packed = pack([*rules, loose], facts)
    assert len(packed.facts) == len(facts)
    assert ("loose", "r|B1-2") in evaluate_facts([*rules, loose], facts)


def test_facts_without_an_organization_or_a_duty_are_asserted_as_they_are(rules):
    meeting = next(r for r in rules if r.family == "meeting" and r.id.endswith(".1"))
    duty = next(c.value for c in meeting.conditions if c.field == "duty")
    facts = pd.DataFrame([
        {"fid": "m|B1", "family": "meeting", "org_code": "B1", "duty": duty, "held": 0.0,
         "prior": 0},
        {"fid": "m|B2", "family": "meeting", "org_code": "B2", "duty": None, "held": 0.0,
         "prior": 0}])
    assert len(pack(rules, facts).facts) == 2
    assert set(evaluate_facts(rules, facts)) == set(pandas_reference.evaluate_facts(rules, facts))
    assert (meeting.id, "m|B1") in evaluate_facts(rules, facts)


def test_a_packed_fact_stays_under_the_engines_field_limit(rules, facts, monkeypatch):
    import dutyflow.rules.packing as packing

    monkeypatch.setattr(packing, "MAX_FIELDS", 12)
    packed = pack(rules, facts)
    rich = packed.facts[packed.facts["fid"].str.startswith("pack|")]
    widest = max(rich.drop(columns="fid").notna().sum(axis=1))
    assert 0 < widest <= 12
    assert len(packed.facts) > facts["org_code"].nunique()  # some slots asserted as they are
    assert set(evaluate_facts(rules, facts)) == set(pandas_reference.evaluate_facts(rules, facts))
