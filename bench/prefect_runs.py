"""The real cycle under Prefect, and what Prefect recorded of its flow runs and task runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.memory import child_rss_mib, peak_rss_mib, reset_peak_rss
from bench.workers import configure


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


def stage_totals(report: dict[str, Any]) -> list[dict[str, Any]]:
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


def worker_cycle(cfg: dict[str, Any]) -> dict[str, Any]:
    """`run_cycle` on a fresh database and a fresh, server-less Prefect."""
    configure()
    from dutyflow.flows.cycle import run_cycle

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
