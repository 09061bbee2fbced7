"""Province-scale benchmark: where a monthly cycle spends its time and memory at N organizations.

    python -m dutyflow.bench --orgs 20000 [--period 2026-12] [--json-out bench-results.json]

What it measures (generation of the input files is not part of any measured figure):

1. the real Prefect flow `flows.cycle.run_cycle` on a fresh SQLite database and a fresh,
   server-less Prefect (its ephemeral API), once from an .xlsx workbook and once from a folder
   of CSV files: wall seconds, and each task's and subflow's duration as Prefect recorded it;
   then the same stages called directly (the tasks' own functions, no Prefect), each with
   its seconds, throughput and peak RSS;
2. durable-rules (`rules.engine`) against the pandas reference and the zen-engine decision
   table on the same facts; the three match sets must be identical, or the benchmark fails
   with exit code 3;
3. the naive design, one Prefect task per organization, on a sample, scaled up to N;
4. Prefect task runs per cycle at two sizes, to show they do not grow with N.

Each measurement runs in its own Python process, so peak RSS (VmHWM, reset per stage where
the kernel allows it; else ru_maxrss) belongs to that measurement alone. The temporary Prefect
server runs in a child process of its own; its RSS is reported beside the client's.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import pickle
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dutyflow.periods import Period

ORG_COLUMNS = ["org_code", "org_name", "org_type", "members", "groups", "secretary"]
RECT_COLUMNS = ["item_id", "org_code", "description", "deadline", "status", "completed_on"]
ASSESS_COLUMNS = ["org_code", "assessed_period", "score", "tasks_total", "tasks_done"]
HISTORY_COLUMNS = ["org_code", "family", "subject", "span"]
MISMATCH_EXIT = 3


# --------------------------------------------------------------------------------------------
# Sample data as frames (no database): shared with tests/bench.


class SampleRows:
    """`dutyflow.sample.period_rows` per month, generated once each."""

    def __init__(self, branches: int, seed: int) -> None:
        self.branches, self.seed = branches, seed
        self._cache: dict[str, dict[str, list[dict]]] = {}

    def month(self, period: Period) -> dict[str, list[dict]]:
        from dutyflow.sample import period_rows

        key = str(period)
        if key not in self._cache:
            self._cache[key] = period_rows(period=key, branches=self.branches, seed=self.seed)
        return self._cache[key]


def sample_period_data(rows: SampleRows, period: str, history: pd.DataFrame | None = None,
                       meeting_months: int = 6) -> Any:
    """A `rules.facts.PeriodData` built straight from the sample generator's rows.

    Meetings cover up to `meeting_months` months back within the period's year (what
    models.accountability.read_period_frames reads is the whole year; the generator holds the
    yearly meeting only in December and quarterly ones in the quarter's last month, so six
    months give the same facts for any month).
    """
    from dutyflow.ingest.schemas import STATUSES
    from rules.facts import PeriodData

    p = Period.parse(period)
    tables = rows.month(p)
    months, current = [], p
    for _ in range(meeting_months):
        if current.year != p.year:
            break
        months.append(current)
        current = current.previous()
    meetings = pd.DataFrame([m for month in months for m in rows.month(month)["meetings"]],
                            columns=["org_code", "meeting_type", "held_on", "attendees"])
    rects = pd.DataFrame(tables["rectifications"])
    rects["status"] = rects["status"].map(STATUSES)
    assessments = pd.DataFrame(tables["assessments"]).rename(columns={"period": "assessed_period"})
    return PeriodData(
        period=p,
        organizations=pd.DataFrame(tables["organizations"])[ORG_COLUMNS],
        meetings=meetings,
        rectifications=rects[RECT_COLUMNS],
        assessments=assessments[ASSESS_COLUMNS],
        history=history if history is not None else pd.DataFrame(columns=HISTORY_COLUMNS),
    )


def sample_facts_with_history(policy: Any, rows: SampleRows, period: str, history_months: int,
                              evaluate: Callable[..., list[tuple[str, str]]] | None = None
                              ) -> pd.DataFrame:
    """The period's facts after `history_months` earlier months were judged in turn.

    Earlier months' findings become the history (as stored findings do in the database), so
    consecutive failures carry `prior` > 0 and the escalation rules have something to match.
    """
    from rules.compile import compile_policy
    from rules.facts import build_facts
    from rules.outcome import build_findings

    if evaluate is None:
        from rules.pandas_reference import evaluate_facts as reference

        evaluate = reference
    rules = compile_policy(policy)
    target = Period.parse(period)
    earlier = [target]
    for _ in range(history_months):
        earlier.append(earlier[-1].previous())
    history = pd.DataFrame(columns=HISTORY_COLUMNS)
    for month in reversed(earlier[1:]):
        facts = build_facts(policy, sample_period_data(rows, str(month), history))
        findings = build_findings(policy, str(month), facts, rules, evaluate(rules, facts))
        found = pd.DataFrame([(f.org_code, f.family, f.subject, f.span) for f in findings],
                             columns=HISTORY_COLUMNS)
        history = pd.concat([history, found], ignore_index=True)
    return build_facts(policy, sample_period_data(rows, period, history))


# --------------------------------------------------------------------------------------------
# Input files


def write_period_csv(folder: Path, *, period: str, branches: int, seed: int) -> Path:
    """The same rows as `write_period_workbook(messy=False)`, as four UTF-8-BOM CSV files."""
    from dutyflow.ingest.schemas import (
        ASSESSMENTS,
        MEETING_TYPE_NAMES,
        MEETINGS,
        ORGANIZATIONS,
        RECTIFICATIONS,
    )
    from dutyflow.sample import period_rows

    tables = period_rows(period=period, branches=branches, seed=seed)
    for row in tables["meetings"]:
        row["meeting_type"] = MEETING_TYPE_NAMES[row["meeting_type"]]
    for row in tables["rectifications"]:
        row["问题来源"], row["责任人"] = row.pop("source"), row.pop("responsible")
    folder.mkdir(parents=True, exist_ok=True)
    layout = ((ORGANIZATIONS, "organizations", ()), (MEETINGS, "meetings", ()),
              (RECTIFICATIONS, "rectifications", ("问题来源", "责任人")),
              (ASSESSMENTS, "assessments", ()))
    for spec, name, extra in layout:
        keys = [c.name for c in spec.columns] + list(extra)
        with open(folder / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.chinese[0] for c in spec.columns] + list(extra))
            for row in tables[name]:
                writer.writerow(["" if row.get(k) is None else
                                 row[k].isoformat() if isinstance(row.get(k), date) else row[k]
                                 for k in keys])
    return folder


def prepare_inputs(root: Path, *, period: str, branches: int, seed: int,
                   formats: list[str]) -> dict[str, Any]:
    from dutyflow.sample import write_period_workbook

    out: dict[str, Any] = {}
    if "xlsx" in formats:
        t0 = time.perf_counter()
        path = write_period_workbook(root / "xlsx", period=period, branches=branches, seed=seed,
                                     messy=False)
        out["xlsx"] = {"path": str(path), "generate_s": time.perf_counter() - t0,
                       "bytes": path.stat().st_size}
    if "csv" in formats:
        t0 = time.perf_counter()
        folder = write_period_csv(root / "csv", period=period, branches=branches, seed=seed)
        out["csv"] = {"path": str(folder), "generate_s": time.perf_counter() - t0,
                      "bytes": sum(p.stat().st_size for p in folder.iterdir())}
    return out


# --------------------------------------------------------------------------------------------
# Memory and stage timing


def _status_kib(pid: str = "self") -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: 5 > /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    status = _status_kib()
    if "VmHWM" in status:
        return status["VmHWM"] / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def child_rss_mib() -> dict[str, float]:
    """RSS and peak RSS of this process's descendants (the temporary Prefect server)."""
    rss = hwm = 0
    stack = _children(os.getpid())
    while stack:
        pid = stack.pop()
        status = _status_kib(str(pid))
        rss += status.get("VmRSS", 0)
        hwm += status.get("VmHWM", 0)
        stack += _children(pid)
    return {"rss_mib": rss / 1024, "peak_rss_mib": hwm / 1024}


class Stages:
    """Named stages with wall seconds, items, items/s and the stage's own peak RSS."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.peak_resets = reset_peak_rss()

    @contextlib.contextmanager
    def stage(self, name: str, unit: str = "", items: int | None = None
              ) -> Iterator[dict[str, Any]]:
        reset_peak_rss()
        row: dict[str, Any] = {"stage": name, "unit": unit, "items": items}
        t0 = time.perf_counter()
        yield row
        row["seconds"] = time.perf_counter() - t0
        row["peak_rss_mib"] = peak_rss_mib()
        if row["items"] and row["seconds"] > 0:
            row["per_second"] = row["items"] / row["seconds"]
        self.rows.append(row)


# --------------------------------------------------------------------------------------------
# Prefect


def warm_prefect() -> float:
    """Start the temporary API (outside any measured stage); seconds it took."""
    from prefect.client.orchestration import get_client

    t0 = time.perf_counter()
    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
        if error is not None:
            raise RuntimeError(f"the Prefect API did not answer: {error}")
    return time.perf_counter() - t0


def _seconds(run: Any) -> float | None:
    if run.start_time is not None and run.end_time is not None:
        return (run.end_time - run.start_time).total_seconds()
    return None


def flow_run_report(flow_run_id: Any, expect_tasks: int = 0, patience_s: float = 60.0
                    ) -> dict[str, Any]:
    """The flow run, its subflow runs (recursively) and every task run, as Prefect recorded them.

    Task runs reach the API through Prefect's event pipeline, a little after the flow returns:
    read until `expect_tasks` are there and two reads a second apart agree (or patience ends).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )

    with get_client(sync_client=True) as client:
        root = client.read_flow_run(flow_run_id)
        flows = [root]
        frontier = [root.id]
        while frontier:
            subs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=frontier)))
            subs = [s for s in subs if s.id not in {f.id for f in flows}]
            flows += subs
            frontier = [s.id for s in subs]
        names = {}
        for run in flows:
            names[run.id] = client.read_flow(run.flow_id).name
        def read_tasks() -> list[Any]:
            found: list[Any] = []
            while True:
                page = client.read_task_runs(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[f.id for f in flows])),
                    limit=200, offset=len(found))
                found += page
                if len(page) < 200:
                    return found

        deadline = time.monotonic() + patience_s
        tasks = read_tasks()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            again = read_tasks()
            settled = len(again) == len(tasks) and all(t.end_time for t in again)
            tasks = again
            if settled and len(tasks) >= expect_tasks:
                break
    placeholders = {f.parent_task_run_id for f in flows if f.parent_task_run_id}
    return {
        "flow_runs": [{"flow": names[f.id], "name": f.name, "state": f.state_name,
                       "start": str(f.start_time), "seconds": _seconds(f),
                       "run_seconds": f.total_run_time.total_seconds()}
                      for f in flows],
        "task_runs": [{"flow": names.get(t.flow_run_id, "?"), "task": t.name.rsplit("-", 1)[0],
                       "state": t.state_name, "start": str(t.start_time),
                       "seconds": _seconds(t),
                       "run_seconds": t.total_run_time.total_seconds(),
                       "subflow_placeholder": t.id in placeholders}
                      for t in tasks],
        "task_run_count": sum(1 for t in tasks if t.id not in placeholders),
        "subflow_placeholder_task_runs": len(placeholders & {t.id for t in tasks}),
        "flow_run_count": len(flows),
    }


def _naive_flow() -> Any:
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from rules.engine import evaluate_facts

    @task(cache_policy=NO_CACHE, name="evaluate_one_org")
    def evaluate_one_org(rules: list[Any], facts: pd.DataFrame) -> list[tuple[str, str]]:
        return evaluate_facts(rules, facts)

    @flow(name="naive-one-task-per-org")
    def naive(rules: list[Any], groups: list[pd.DataFrame]) -> list[tuple[str, str]]:
        futures = [evaluate_one_org.submit(rules, g) for g in groups]
        return [m for f in futures for m in f.result()]

    return naive


# --------------------------------------------------------------------------------------------
# Workers: each runs in its own process (python -m dutyflow.bench --worker NAME CONFIG)


def _configure(cfg: dict[str, Any]) -> None:
    from dutyflow.settings import reload_settings

    reload_settings()
    from dutyflow.logs import quiet_console

    quiet_console()


def worker_cycle(cfg: dict[str, Any]) -> dict[str, Any]:
    _configure(cfg)
    from flows.cycle import run_cycle

    server_s = warm_prefect()
    reset_peak_rss()
    t0 = time.perf_counter()
    state = run_cycle(period=cfg["period"], input_path=Path(cfg["input"]), return_state=True)
    wall = time.perf_counter() - t0
    peak = peak_rss_mib()
    if not state.is_completed():
        raise RuntimeError(f"the cycle ended {state.name}: {state.message}")
    summary = state.result()
    report = flow_run_report(state.state_details.flow_run_id)
    return {
        "wall_s": wall, "prefect_server_start_s": server_s, "peak_rss_mib": peak,
        "prefect_server": child_rss_mib(), **report,
        "rows_loaded": summary.ingest.rows_loaded,
        "rows_quarantined": summary.ingest.rows_quarantined,
        "facts": summary.evaluation.facts, "findings": summary.evaluation.findings,
        "actions": summary.evaluation.actions, "drafted": summary.drafted,
    }


def _snapshot(db_path: Path, target: Path) -> None:
    """A consistent copy of the SQLite database (WAL included), for the profiler."""
    source = sqlite3.connect(db_path)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    copy.close()
    source.close()


def direct_ingest(stages: Stages, period: str, input_path: Path) -> int:
    """The ingest flow's body, each task's function called as the flow calls it."""
    from dutyflow.ingest.schemas import TABLES
    from flows.ingest import (
        clean_report_table,
        find_report_tables,
        load_period,
        read_known_orgs,
        read_report_table,
    )

    with stages.stage("ingest: find tables") as row:
        sources = find_report_tables.fn(input_path)
        row["items"] = sum(len(v) for v in sources.values())
        row["unit"] = "sources"
    known = read_known_orgs.fn()
    cleaned = []
    for spec in TABLES:
        if spec.name not in sources:
            continue
        with stages.stage(f"ingest: read {spec.name}", "rows") as row:
            raws = read_report_table.fn(sources[spec.name])
            row["items"] = sum(len(r.rows) for r in raws)
        with stages.stage(f"ingest: clean {spec.name}", "rows") as row:
            table = clean_report_table.fn(raws, spec.name, period, known)
            row["items"] = len(table.rows)
        if spec.name == "organizations" and not table.rows.empty:
            known = known | set(table.rows["org_code"])
        cleaned.append(table)
    with stages.stage("ingest: load (one transaction)", "rows") as row:
        loads = load_period.fn(period, cleaned)
        row["items"] = sum(t.rows_loaded for t in loads)
    return sum(t.rows_loaded for t in loads)


def direct_evaluate(stages: Stages, period: str) -> pd.DataFrame:
    """The evaluate flow's body, with judge_facts split into compile, engine and outcome."""
    from flows.evaluate import read_policy, store_outcome
    from models.accountability import read_period_frames
    from models.db import session_scope
    from rules.compile import compile_policy
    from rules.engine import evaluate_facts
    from rules.facts import PeriodData, build_facts
    from rules.outcome import build_findings, group_actions

    p = Period.parse(period)
    with stages.stage("evaluate: read policy"):
        policy = read_policy.fn(None)
    with stages.stage("evaluate: read frames (SQL)", "rows") as row:
        with session_scope() as session:
            frames = read_period_frames(session=session, period=p)
        row["items"] = sum(len(v) for v in frames.values() if isinstance(v, pd.DataFrame))
    with stages.stage("evaluate: build facts (pandas)", "facts") as row:
        facts = build_facts(policy, PeriodData(period=p, **frames))
        row["items"] = len(facts)
    with stages.stage("evaluate: compile rules", "rules") as row:
        rules = compile_policy(policy)
        row["items"] = len(rules)
    with stages.stage("evaluate: durable-rules engine", "facts", len(facts)):
        matches = evaluate_facts(rules, facts)
    with stages.stage("evaluate: findings + actions", "matches", len(matches)):
        findings = build_findings(policy, period, facts, rules, matches)
        actions = group_actions(policy, period, findings)
    with stages.stage("evaluate: store (one transaction)", "findings", len(findings)):
        store_outcome.fn(policy, period, len(facts), findings, actions)
    return facts


def direct_draft(stages: Stages, period: str, on: date, limit: int | None = None) -> int:
    """The draft task's body (progress artifacts left out: they need a flow run)."""
    from dutyflow.documents.render import write_draft
    from flows.notices import _orgs
    from models.db import session_scope
    from models.documents import actions_needing_drafts, set_drafts

    with session_scope() as session:
        with stages.stage("draft: query actions + orgs", "actions") as row:
            actions = actions_needing_drafts(session=session, period=period)
            orgs = _orgs(session)
            row["items"] = len(actions)
        if limit is not None:
            actions = actions[:limit]
        drafts = {}
        with stages.stage("draft: render .docx + .html", "notices", len(actions)):
            for action in actions:
                org = orgs.get(action.org_code)
                parent = orgs.get(org.parent_code) if org and org.parent_code else None
                written = write_draft(action=action, org=org, parent=parent, on=on)
                drafts[action.id] = (str(written.docx), str(written.html))
        with stages.stage("draft: store paths", "notices", len(drafts)):
            set_drafts(session=session, drafts=drafts)
            session.commit()
    return len(drafts)


def worker_direct(cfg: dict[str, Any]) -> dict[str, Any]:
    """The cycle's stages called directly; snapshots of the database before each for profiling."""
    _configure(cfg)
    from models.db import session_scope

    with session_scope():
        pass  # create the schema outside the measured stages
    db, work = Path(cfg["db"]), Path(cfg["work"])
    stages = Stages()
    t0 = time.perf_counter()
    rows = direct_ingest(stages, cfg["period"], Path(cfg["input"]))
    ingest_s = time.perf_counter() - t0
    out: dict[str, Any] = {"rows_loaded": rows, "ingest_s": ingest_s}
    if cfg.get("ingest_only"):
        return {**out, "stages": stages.rows, "peak_resets": stages.peak_resets}
    _snapshot(db, work / "before-evaluate.db")
    t0 = time.perf_counter()
    facts = direct_evaluate(stages, cfg["period"])
    out["evaluate_s"] = time.perf_counter() - t0
    with open(work / "cycle-facts.pkl", "wb") as handle:
        pickle.dump(facts, handle)
    _snapshot(db, work / "before-draft.db")
    t0 = time.perf_counter()
    out["drafted"] = direct_draft(stages, cfg["period"], date.fromisoformat(cfg["on"]))
    out["draft_s"] = time.perf_counter() - t0
    out["facts"] = len(facts)
    return {**out, "stages": stages.rows, "peak_resets": stages.peak_resets}


def _time_evaluator(fn: Callable[..., list[tuple[str, str]]], rules: list[Any],
                    facts: pd.DataFrame) -> dict[str, Any]:
    t0 = time.perf_counter()
    fn(rules, facts.head(200))  # compiles/registers the rules once per process
    first = time.perf_counter() - t0
    reset_peak_rss()
    t0 = time.perf_counter()
    matches = fn(rules, facts)
    seconds = time.perf_counter() - t0
    return {"warmup_s": first, "seconds": seconds, "facts_per_s": len(facts) / seconds,
            "peak_rss_mib": peak_rss_mib(), "matches": len(matches),
            "distinct_matches": len(set(matches)), "_set": set(matches)}


def worker_engines(cfg: dict[str, Any]) -> dict[str, Any]:
    """durable-rules vs pandas reference vs zen decision table on the same facts."""
    from rules import decision_table, pandas_reference
    from rules.compile import compile_policy
    from rules.engine import evaluate_facts as durable
    from rules.policy import load_policy

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
    evaluators = {"durable-rules": durable, "pandas reference": pandas_reference.evaluate_facts,
                  "zen decision table": decision_table.evaluate_facts}
    results, failures = [], []
    for name, facts in sets.items():
        timed = {label: _time_evaluator(fn, rules, facts) for label, fn in evaluators.items()}
        base = timed["durable-rules"]["_set"]
        by_rule: dict[str, int] = {}
        for rule_id, _ in base:
            by_rule[rule_id] = by_rule.get(rule_id, 0) + 1
        entry: dict[str, Any] = {"facts_name": name, "facts": len(facts), "rules": len(rules),
                                 "rules_matched": len(by_rule), "evaluators": {}}
        for label, t in timed.items():
            other = t.pop("_set")
            missing, extra = sorted(base - other), sorted(other - base)
            t["identical_to_durable"] = not missing and not extra
            t["ratio_to_durable"] = t["seconds"] / timed["durable-rules"]["seconds"]
            if missing or extra:
                failures.append(f"{label} on {name}: {len(missing)} matches missing, "
                                f"{len(extra)} extra; first missing {missing[:5]}, "
                                f"first extra {extra[:5]}")
            entry["evaluators"][label] = t
        results.append(entry)
    return {"sets": results, "failures": failures, "history_build_s": built}


def worker_naive(cfg: dict[str, Any]) -> dict[str, Any]:
    """One Prefect task per organization on a sample, inside one flow run."""
    _configure(cfg)
    from rules.compile import compile_policy
    from rules.engine import evaluate_facts
    from rules.policy import load_policy

    with open(Path(cfg["work"]) / "cycle-facts.pkl", "rb") as handle:
        facts = pickle.load(handle)
    rules = compile_policy(load_policy())
    by_org = dict(tuple(facts.groupby("org_code", sort=True)))
    orgs = sorted(by_org)
    sample = sorted(random.Random(cfg["seed"]).sample(orgs, min(cfg["sample"], len(orgs))))
    groups = [by_org[o] for o in sample]
    server_s = warm_prefect()
    evaluate_facts(rules, groups[0])  # the durable ruleset registered outside the clock
    naive = _naive_flow()
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


def worker_profile(cfg: dict[str, Any]) -> dict[str, Any]:
    """cProfile of one direct stage group on the database as it was before that stage."""
    import cProfile
    import io
    import pstats

    _configure(cfg)
    stage, work = cfg["stage"], Path(cfg["work"])
    stages = Stages()
    profiler = cProfile.Profile()
    limit = None
    if stage == "ingest":
        def run() -> Any:
            return direct_ingest(stages, cfg["period"], Path(cfg["input"]))
    elif stage == "evaluate":
        shutil.copy(work / "before-evaluate.db", cfg["db"])

        def run() -> Any:
            return direct_evaluate(stages, cfg["period"])
    else:
        shutil.copy(work / "before-draft.db", cfg["db"])
        limit = cfg["limit"] or None

        def run() -> Any:
            return direct_draft(stages, cfg["period"], date.fromisoformat(cfg["on"]), limit)
    import dutyflow.documents.render  # noqa: F401  (imports are not what is profiled)
    import flows.evaluate  # noqa: F401
    import flows.ingest  # noqa: F401
    import flows.notices  # noqa: F401
    from models.db import session_scope

    with session_scope():
        pass
    profiler.enable()
    run()
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).sort_stats("cumulative")
    stats.print_stats(25)
    top: list[dict[str, Any]] = []
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][3], reverse=True):  # type: ignore[attr-defined]
        if Path(file).name == "bench.py" or func in ("<built-in method builtins.exec>",) \
                or "cProfile" in func or len(top) >= 40:
            continue
        top.append({"function": f"{Path(file).name}:{line}({func})", "calls": calls,
                    "tottime_s": tottime, "cumtime_s": cumtime})
    (work / f"profile-{stage}.txt").write_text(buffer.getvalue(), encoding="utf-8")
    return {"stage": stage, "limit": limit, "stages": stages.rows, "top": top,
            "text_path": str(work / f"profile-{stage}.txt")}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "cycle": worker_cycle, "direct": worker_direct, "engines": worker_engines,
    "naive": worker_naive, "profile": worker_profile,
}


def _run_worker(name: str, config_path: str) -> int:
    cfg = json.loads(Path(config_path).read_text(encoding="utf-8"))
    try:
        result = WORKERS[name](cfg)
        status = 0
    except Exception as exc:  # reported to the parent, which prints it and fails
        import traceback

        traceback.print_exc()
        result, status = {"error": f"{type(exc).__name__}: {exc}"}, 1
    result["process_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(cfg["result"]).write_text(json.dumps(result, default=str, ensure_ascii=False),
                                   encoding="utf-8")
    if name == "engines" and result.get("failures"):
        return MISMATCH_EXIT
    return status


# --------------------------------------------------------------------------------------------
# Orchestration (parent process)


class BenchError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def spawn(name: str, cfg: dict[str, Any], root: Path, label: str) -> dict[str, Any]:
    """Run one worker in a fresh interpreter with its own database and Prefect home."""
    work = root / label
    work.mkdir(parents=True, exist_ok=True)
    cfg = {**cfg, "work": str(cfg.get("work", work)), "result": str(work / f"{name}.json"),
           "db": cfg.get("db", str(work / "dutyflow.db"))}
    config_path = work / f"{name}-config.json"
    config_path.write_text(json.dumps(cfg, default=str), encoding="utf-8")
    env = {**os.environ,
           "PREFECT_HOME": str(work / "prefect-home"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DUTYFLOW_DATABASE_URL": f"sqlite:///{cfg['db']}",
           "DUTYFLOW_OUTPUT_DIR": str(work / "out")}
    env.pop("PREFECT_API_URL", None)  # always the temporary, server-less API of that process
    log = work / f"{name}.log"
    print(f"  [{label}] {name} ... ", end="", flush=True)
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        code = subprocess.call([sys.executable, "-m", "dutyflow.bench", "--worker", name,
                                str(config_path)], env=env, stdout=handle, stderr=handle)
    print(f"{time.perf_counter() - t0:.1f} s", flush=True)
    result_path = Path(cfg["result"])
    result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else {}
    result["log"] = str(log)
    if code == MISMATCH_EXIT:
        raise BenchError("EVALUATORS DISAGREE:\n  " + "\n  ".join(result.get("failures", [])),
                         MISMATCH_EXIT)
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        raise BenchError(f"worker {name} ({label}) failed with exit code {code}: "
                         f"{result.get('error', '')}\n" + "\n".join(tail))
    return result


def _stage_totals(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per flow and task name, in the order they ran: runs and summed seconds (start to end);
    after each flow's tasks, the time its run spent outside them and outside its subflows
    (Prefect's own work: run creation, state changes, walking task parameters, logging)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for f in sorted(report["flow_runs"], key=lambda f: f["start"]):
        rows[(f["flow"], "(whole flow run)")] = {"flow": f["flow"], "task": "(whole flow run)",
                                                 "runs": 1, "seconds": f["seconds"] or 0.0}
        inside = 0.0
        for t in sorted(report["task_runs"], key=lambda t: t["start"]):
            if t["flow"] != f["flow"]:
                continue
            inside += t["seconds"] or 0.0
            if t["subflow_placeholder"]:
                continue
            row = rows.setdefault((t["flow"], t["task"]), {"flow": t["flow"], "task": t["task"],
                                                           "runs": 0, "seconds": 0.0})
            row["runs"] += 1
            row["seconds"] += t["seconds"] or 0.0
        rows[(f["flow"], "(outside tasks)")] = {
            "flow": f["flow"], "task": "(outside its tasks and subflows)", "runs": None,
            "seconds": (f["seconds"] or 0.0) - inside}
    return list(rows.values())


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(title: str, headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    lines = [title, "  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                              for i, (h, w) in enumerate(zip(headers, widths, strict=True)))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    return "\n".join(lines)


def render_report(results: dict[str, Any]) -> str:
    out = []
    cfg = results["config"]
    machine = results["machine"]
    out.append(f"dutyflow benchmark: {cfg['orgs']:,} branches, period {cfg['period']}, "
               f"seed {cfg['seed']}, {machine['cpus']} CPUs, Python {machine['python']}, "
               f"load average at start {machine['load_average_at_start'][0]:.2f}, at end "
               f"{machine.get('load_average_at_end', [0.0])[0]:.2f}")
    for fmt, cycle in results.get("cycle", {}).items():
        rows = [[f"{r['flow']} / {r['task']}", r["runs"], r["seconds"]]
                for r in _stage_totals(cycle)]
        tasks = sum(r["seconds"] for r in _stage_totals(cycle) if r["runs"] and
                    r["task"] != "(whole flow run)")
        rows.append(["all orchestration (cycle wall - all task time)", None,
                     cycle["wall_s"] - tasks])
        out.append(_table(
            f"\n1. run_cycle from {fmt}: {cycle['wall_s']:.1f} s wall, "
            f"{cycle['rows_loaded']:,} rows, {cycle['facts']:,} facts, {cycle['findings']:,} "
            f"findings, {cycle['actions']:,} actions, {cycle['drafted']:,} drafted; peak RSS "
            f"{cycle['peak_rss_mib']:.0f} MiB (Prefect server "
            f"{cycle['prefect_server']['peak_rss_mib']:.0f} MiB); "
            f"{cycle['task_run_count']} task runs, {cycle['flow_run_count']} flow runs",
            ["flow / task (Prefect's recorded durations)", "runs", "seconds"], rows))
    for fmt, direct in results.get("direct", {}).items():
        rows = [[r["stage"], r.get("items"), r.get("unit", ""), r["seconds"],
                 r.get("per_second"), r["peak_rss_mib"]] for r in direct["stages"]]
        out.append(_table(f"\n1b. stages called directly ({fmt}, no Prefect)",
                          ["stage", "items", "unit", "seconds", "items/s", "peak RSS MiB"],
                          rows))
    engines = results.get("engines")
    if engines:
        for entry in engines["sets"]:
            rows = [[label, e["seconds"], e["facts_per_s"], e["ratio_to_durable"],
                     e["warmup_s"], e["distinct_matches"], e["peak_rss_mib"],
                     "yes" if e["identical_to_durable"] else "NO"]
                    for label, e in entry["evaluators"].items()]
            out.append(_table(
                f"\n2. evaluators on {entry['facts_name']}: {entry['facts']:,} facts, "
                f"{entry['rules']} rules ({entry['rules_matched']} matched)",
                ["evaluator", "seconds", "facts/s", "x durable", "warm-up s", "matches",
                 "peak RSS MiB", "identical"], rows))
    naive = results.get("naive")
    if naive:
        rows = [["sample organizations", naive["sample_orgs"]],
                ["sample facts", naive["sample_facts"]],
                ["flow wall (one task per organization), s", naive["flow_wall_s"]],
                ["per organization, s", naive["per_org_s"]],
                ["task runs recorded (of the sample's)",
                 f"{naive['task_runs']} of {naive.get('task_runs_expected', '?')}"],
                ["mean task run, s", naive["mean_task_run_s"]],
                ["same sample as one batch, s", naive["same_sample_one_batch_s"]],
                [f"estimated for {naive['orgs_with_facts']:,} organizations, s",
                 naive["estimated_s_for_all"]],
                ["batch durable-rules on all facts, s", naive.get("batch_engine_s")],
                ["naive estimate / batch engine", naive.get("ratio_to_batch_engine")],
                ["naive estimate / whole batch evaluate stage", naive.get("ratio_to_batch_stage")],
                ["task runs created per cycle (estimated)", naive["orgs_with_facts"]]]
        out.append(_table("\n3. naive design: one Prefect task per organization",
                          ["", "value"], rows))
    counts = results.get("task_runs")
    if counts:
        rows = [[f"{c['orgs']:,} branches ({c['source']})", c["task_runs"], c["flow_runs"],
                 c["subflow_placeholders"]] for c in counts]
        out.append(_table("\n4. Prefect runs per cycle", ["cycle", "task runs", "flow runs",
                                                           "subflow placeholder task runs"],
                          rows))
    profile = results.get("profile")
    if profile:
        rows = [[t["function"], t["calls"], t["tottime_s"], t["cumtime_s"]]
                for t in profile["top"][:15]]
        limit = f" (first {profile['limit']} notices)" if profile.get("limit") else ""
        out.append(_table(f"\n5. cProfile of the slowest stage group: {profile['stage']}{limit}",
                          ["function", "calls", "tottime s", "cumtime s"], rows))
    return "\n".join(out)


def run(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Every measurement in turn; `results` fills as they finish (saved after each)."""
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    root = Path(args.workdir or tempfile.mkdtemp(prefix="dutyflow-bench-")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    on = date(Period.parse(args.period).year, Period.parse(args.period).index, 28).isoformat() \
        if Period.parse(args.period).kind == "month" else date.today().isoformat()
    import durable
    import prefect
    import zen  # noqa: F401

    versions = {"prefect": prefect.__version__, "pandas": pd.__version__}
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        versions.update({"durable-rules": version("durable-rules"),
                         "zen-engine": version("zen-engine")})
    del durable
    results.update({
        "config": {"orgs": args.orgs, "period": args.period, "seed": args.seed,
                   "formats": formats, "naive_sample": args.naive_sample,
                   "small_orgs": args.small_orgs, "history_months": args.history_months,
                   "workdir": str(root), "notices_dated": on},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "versions": versions,
                    "load_average_at_start": os.getloadavg()},
        "ok": False,
    })
    base = {"period": args.period, "orgs": args.orgs, "seed": args.seed, "on": on}
    print(f"dutyflow bench: {args.orgs:,} branches, period {args.period}, work in {root}")
    print("  generating input files (not measured) ...", flush=True)
    inputs = prepare_inputs(root / "inputs", period=args.period, branches=args.orgs,
                            seed=args.seed, formats=formats)
    results["inputs"] = inputs
    results["cycle"], results["direct"] = {}, {}
    for fmt in formats:
        results["cycle"][fmt] = spawn("cycle", {**base, "input": inputs[fmt]["path"]}, root,
                                      f"cycle-{fmt}")
        _save(results, args.json_out)
    for i, fmt in enumerate(formats):
        results["direct"][fmt] = spawn("direct", {**base, "input": inputs[fmt]["path"],
                                                  "ingest_only": i > 0}, root, f"direct-{fmt}")
        _save(results, args.json_out)
    main_direct = root / f"direct-{formats[0]}"
    results["engines"] = spawn("engines", {**base, "work": str(main_direct),
                                           "history_months": args.history_months},
                               root, "engines")
    _save(results, args.json_out)
    if args.naive_sample:
        naive = spawn("naive", {**base, "work": str(main_direct), "sample": args.naive_sample},
                      root, "naive")
        durable_s = results["engines"]["sets"][0]["evaluators"]["durable-rules"]["seconds"]
        stage_s = results["direct"][formats[0]]["evaluate_s"]
        naive["batch_engine_s"] = durable_s
        naive["batch_evaluate_stage_s"] = stage_s
        naive["ratio_to_batch_engine"] = naive["estimated_s_for_all"] / durable_s
        naive["ratio_to_batch_stage"] = naive["estimated_s_for_all"] / stage_s
        results["naive"] = naive
        _save(results, args.json_out)
    counts = [{"orgs": args.orgs, "source": f"cycle from {f}",
               "task_runs": c["task_run_count"], "flow_runs": c["flow_run_count"],
               "subflow_placeholders": c["subflow_placeholder_task_runs"]}
              for f, c in results["cycle"].items()]
    if args.small_orgs:
        small_inputs = prepare_inputs(root / "inputs-small", period=args.period,
                                      branches=args.small_orgs, seed=args.seed,
                                      formats=[formats[0]])
        small = spawn("cycle", {**base, "orgs": args.small_orgs,
                                "input": small_inputs[formats[0]]["path"]}, root, "cycle-small")
        results["cycle_small"] = small
        counts.insert(0, {"orgs": args.small_orgs, "source": f"cycle from {formats[0]}",
                          "task_runs": small["task_run_count"], "flow_runs": small["flow_run_count"],
                          "subflow_placeholders": small["subflow_placeholder_task_runs"]})
    results["task_runs"] = counts
    if args.profile:
        direct = results["direct"][formats[0]]
        groups = {"ingest": direct["ingest_s"], "evaluate": direct["evaluate_s"],
                  "draft": direct["draft_s"]}
        slowest = max(groups, key=lambda k: groups[k])
        results["profile"] = spawn("profile", {**base, "work": str(main_direct),
                                               "input": inputs[formats[0]]["path"],
                                               "stage": slowest, "limit": args.profile_limit},
                                   root, f"profile-{slowest}")
    results["ok"] = True


def _save(results: dict[str, Any], path: str) -> None:
    Path(path).write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False),
                          encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dutyflow.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=20_000, help="branches (default 20,000)")
    parser.add_argument("--period", default="2026-12",
                        help="a month; December has every duty due (default 2026-12)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default="xlsx,csv",
                        help="input formats, the first also gets evaluate/draft stages")
    parser.add_argument("--naive-sample", type=int, default=200,
                        help="organizations in the one-task-per-organization run (0: skip)")
    parser.add_argument("--small-orgs", type=int, default=100,
                        help="a second, small cycle to compare task-run counts (0: skip)")
    parser.add_argument("--history-months", type=int, default=3,
                        help="earlier sample months judged first, for facts with history")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the cProfile of the slowest stage")
    parser.add_argument("--profile-limit", type=int, default=500,
                        help="notices rendered under the profiler when drafting is slowest")
    parser.add_argument("--workdir", help="keep files here (default: a temporary folder, "
                                          "removed unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json-out", default="bench-results.json")
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "CONFIG"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return _run_worker(*args.worker)
    Period.parse(args.period)
    if Period.parse(args.period).kind != "month":
        print("error: --period must be a month like 2026-12", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    try:
        run(args, results)
    except BenchError as exc:
        results["error"] = str(exc)
        print(f"\nFAILED: {exc}", file=sys.stderr)
        print(f"files kept in {results.get('config', {}).get('workdir')}", file=sys.stderr)
        return exc.code
    finally:
        results["total_s"] = time.perf_counter() - t0
        results.setdefault("machine", {})["load_average_at_end"] = os.getloadavg()
        _save(results, args.json_out)
    if not args.workdir and not args.keep:
        shutil.rmtree(results["config"]["workdir"], ignore_errors=True)
    print()
    print(render_report(results))
    print(f"\ntotal {results['total_s']:.0f} s; JSON written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
