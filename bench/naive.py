"""The naive design, one Prefect task per organization, run on a sample and scaled up to N."""

from __future__ import annotations

import pickle
import random
import time
from pathlib import Path
from typing import Any

import pandas as pd

from bench.memory import child_rss_mib, peak_rss_mib, reset_peak_rss
from bench.prefect_runs import flow_run_report, warm_prefect
from bench.workers import configure


def naive_flow() -> Any:
    """A flow that submits one durable-rules task per organization's facts."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from dutyflow.rules.engine import evaluate_facts

    @task(cache_policy=NO_CACHE, name="evaluate_one_org")
    def evaluate_one_org(rules: list[Any], facts: pd.DataFrame) -> list[tuple[str, str]]:
        return evaluate_facts(rules, facts)

    @flow(name="naive-one-task-per-org")
    def naive(rules: list[Any], groups: list[pd.DataFrame]) -> list[tuple[str, str]]:
        futures = [evaluate_one_org.submit(rules, g) for g in groups]
        return [m for f in futures for m in f.result()]

    return naive


def worker_naive(cfg: dict[str, Any]) -> dict[str, Any]:
    """One Prefect task per organization on a sample, inside one flow run."""
    configure()
    from dutyflow.rules.compile import compile_policy
    from dutyflow.rules.engine import evaluate_facts
    from dutyflow.rules.policy import load_policy

    with open(Path(cfg["work"]) / "cycle-facts.pkl", "rb") as handle:
        facts = pickle.load(handle)
    rules = compile_policy(load_policy())
    by_org = dict(tuple(facts.groupby("org_code", sort=True)))
    orgs = sorted(by_org)
    sample = sorted(random.Random(cfg["seed"]).sample(orgs, min(cfg["sample"], len(orgs))))
    groups = [by_org[o] for o in sample]
    server_s = warm_prefect()
    evaluate_facts(rules, groups[0])  # the durable ruleset registered outside the clock
    naive = naive_flow()
    reset_peak_rss()
    t0 = time.perf_counter()
    state = naive(rules, groups, return_state=True)
    wall = time.perf_counter() - t0
    matches = state.result()
    report = flow_run_report(state.state_details.flow_run_id, expect_tasks=len(sample))
    t0 = time.perf_counter()
    batch = evaluate_facts(rules, pd.concat(groups))
    batch_s = time.perf_counter() - t0
    if set(matches) != set(batch):
        raise RuntimeError("the per-organization tasks matched differently from one batch")
    per_org = wall / len(sample)
    task_seconds = [t["seconds"] for t in report["task_runs"] if t["seconds"] is not None]
    return {
        "sample_orgs": len(sample), "orgs_with_facts": len(orgs),
        "sample_facts": int(sum(len(g) for g in groups)), "flow_wall_s": wall,
        "per_org_s": per_org, "estimated_s_for_all": per_org * len(orgs),
        "task_runs": report["task_run_count"], "task_runs_expected": len(sample),
        "mean_task_run_s": sum(task_seconds) / max(1, len(task_seconds)),
        "same_sample_one_batch_s": batch_s, "prefect_server_start_s": server_s,
        "peak_rss_mib": peak_rss_mib(), "prefect_server": child_rss_mib(),
    }
