"""durable-rules against the pandas reference and the zen-engine decision table, on the same facts."""

from __future__ import annotations

import pickle
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.samples import SampleRows, sample_facts_with_history

if TYPE_CHECKING:
    from dutyflow.rules.compile import Rule
    from dutyflow.rules.judge import Evaluator


def time_evaluator(evaluate: Evaluator, rules: list[Rule], facts: pd.DataFrame) -> dict[str, Any]:
    """One evaluator on the facts after a warm-up: seconds, facts/s, peak RSS and its matches."""
    t0 = time.perf_counter()
    evaluate(rules, facts.head(200))  # compiles/registers the rules once per process
    first = time.perf_counter() - t0
    reset_peak_rss()
    t0 = time.perf_counter()
    matches = evaluate(rules, facts)
    seconds = time.perf_counter() - t0
    return {"warmup_s": first, "seconds": seconds, "facts_per_s": len(facts) / seconds,
            "peak_rss_mib": peak_rss_mib(), "matches": len(matches),
            "distinct_matches": len(set(matches)), "_set": set(matches)}


def compare(name: str, facts: pd.DataFrame, rules: list[Rule], evaluators: dict[str, Evaluator],
            failures: list[str]) -> dict[str, Any]:
    """Every evaluator timed on one set of facts, each match set checked against the first's;
    a difference is described in `failures`."""
    timed = {label: time_evaluator(fn, rules, facts) for label, fn in evaluators.items()}
    reference = next(iter(timed))
    base = timed[reference]["_set"]
    by_rule: dict[str, int] = {}
    for rule_id, _ in base:
        by_rule[rule_id] = by_rule.get(rule_id, 0) + 1
    entry: dict[str, Any] = {"facts_name": name, "facts": len(facts), "rules": len(rules),
                             "rules_matched": len(by_rule), "evaluators": {}}
    for label, t in timed.items():
        other = t.pop("_set")
        missing, extra = sorted(base - other), sorted(other - base)
        t["identical_to_durable"] = not missing and not extra
        t["ratio_to_durable"] = t["seconds"] / timed[reference]["seconds"]
        if missing or extra:
            failures.append(f"{label} on {name}: {len(missing)} matches missing, "
                            f"{len(extra)} extra; first missing {missing[:5]}, "
                            f"first extra {extra[:5]}")
        entry["evaluators"][label] = t
    return entry


def worker_engines(cfg: dict[str, Any]) -> dict[str, Any]:
    """durable-rules vs pandas reference vs zen decision table on the same facts."""
    from bench import decision_table, pandas_reference
    from dutyflow.rules.compile import compile_policy
    from dutyflow.rules.engine import evaluate_facts as durable
    from dutyflow.rules.policy import load_policy

    policy = load_policy()
    rules = compile_policy(policy)
    sets: dict[str, pd.DataFrame] = {}
    with open(Path(cfg["work"]) / "cycle-facts.pkl", "rb") as handle:
        sets["cycle facts (fresh database, no history)"] = pickle.load(handle)
    if cfg["history_months"]:
        t0 = time.perf_counter()
        rows = SampleRows(cfg["orgs"], cfg["seed"])
        sets[f"sample facts with {cfg['history_months']} months of history"] = \
            sample_facts_with_history(policy, rows, cfg["period"], cfg["history_months"])
        built = time.perf_counter() - t0
    else:
        built = 0.0
    evaluators: dict[str, Evaluator] = {  # durable-rules first: the others are checked against it
        "durable-rules": durable, "pandas reference": pandas_reference.evaluate_facts,
        "zen decision table": decision_table.evaluate_facts}
    failures: list[str] = []
    results = [compare(name, facts, rules, evaluators, failures) for name, facts in sets.items()]
    return {"sets": results, "failures": failures, "history_build_s": built}
