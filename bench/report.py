"""The results as the plain-text tables a run prints."""

from __future__ import annotations

from typing import Any

from bench.prefect_runs import stage_totals


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


def _stage(direct: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((r for r in direct.get("stages", []) if r["stage"] == name), None)


def side_by_side(results: dict[str, Any]) -> list[list[Any]]:
    """The Prefect cycle, the direct run and the evaluators in one table, each against the
    floor it is measured by."""
    formats = results.get("config", {}).get("formats") or []
    if not formats or formats[0] not in results.get("direct", {}):
        return []
    direct = results["direct"][formats[0]]
    floor = direct["ingest_s"] + direct["evaluate_s"] + direct["draft_s"] + \
        direct.get("follow_up_s", 0.0)
    orgs_row = _stage(direct, "ingest: clean organizations")
    orgs = orgs_row["items"] if orgs_row else results["config"]["orgs"]
    rows: list[list[Any]] = []
    for run in results.get("cli", {}).get("runs", []):
        rows.append([f"dutyflow run, {run['label']} (process wall)", run["wall_s"],
                     orgs / run["wall_s"], run["wall_s"] / floor, "direct run"])
    cycle = results.get("cycle", {}).get(formats[0])
    if cycle:
        rows.append(["the cycle's flow run (server already up)", cycle["wall_s"],
                     orgs / cycle["wall_s"], cycle["wall_s"] / floor, "direct run"])
    rows.append(["direct run: the same stages without Prefect", floor,
                 orgs / floor, 1.0, ""])
    evaluate = direct["evaluate_s"]
    rows.append(["  evaluate stage (frames, facts, engine, findings, store)", evaluate,
                 orgs / evaluate, None, ""])
    judging = sum(r["seconds"] for r in direct["stages"] if r["stage"] in (
        "evaluate: build facts (pandas)", "evaluate: durable-rules engine",
        "evaluate: findings + actions"))
    rows.append(["  judging (facts, engine, findings)", judging, orgs / judging, None, ""])
    engines = results.get("engines", {}).get("sets") or []
    if engines:
        by = engines[0]["evaluators"]
        pandas_s = by["pandas reference"]["seconds"]
        for label in ("durable-rules", "zen decision table", "pandas reference"):
            if label in by:
                rows.append([f"  rule evaluation, {label} ({engines[0]['facts']:,} facts)",
                             by[label]["seconds"], orgs / by[label]["seconds"],
                             by[label]["seconds"] / pandas_s, "pandas"])
    rows.append([f"(per second: organizations, of {orgs:,})", None, None, None, ""])
    return rows


CYCLE_TARGET_S, READ_RATIO_TARGET = 15.0, 7.0
EVALUATE_TARGET, READ_ONLY_TARGET_S, SECOND_RUN_TARGET_S = 20_000, 0.5, 4.0


def _verdict(met: bool, reason: str) -> str:
    return "met" if met else f"not met: {reason}"


def _slowest(direct: dict[str, Any], prefix: str = "", count: int = 3) -> str:
    """The direct run's largest stages: where the time went."""
    stages = sorted((r for r in direct["stages"] if r["stage"].startswith(prefix)),
                    key=lambda r: -r["seconds"])[:count]
    return ", ".join(f"{r['stage']} {r['seconds']:.1f} s" for r in stages)


def cycle_reason(direct: dict[str, Any]) -> str:
    """Where a province's run went, from the direct run's stages, and what to do next."""
    said = f"slowest stages: {_slowest(direct)}"
    draft = _stage(direct, "draft: render .docx + .html")
    total = direct["ingest_s"] + direct["evaluate_s"] + direct["draft_s"] + \
        direct.get("follow_up_s", 0.0)
    if draft and draft.get("items"):
        processes = draft.get("processes", 1)
        said += (f"; drafting is {draft['seconds'] / total:.0%} of the stages "
                 f"({draft['items']:,} notices, {1000 * draft['seconds'] / draft['items']:.1f} "
                 f"ms each, on {processes} process{'es' if processes > 1 else ''})")
        said += (". Next step: draft on every core when no Dask cluster is configured"
                 if processes == 1 else ". Next step: more cores than this machine's, on a "
                 "Dask cluster (DUTYFLOW_DASK_ADDRESS), and less Python per notice")
    return said


def read_only_reason(wall: float, floors: dict[str, float]) -> str:
    """Where a read-only command's time went, from this run's floors (bench/floors.py)."""
    if not floors:
        return "imports (SQLAlchemy, the table classes, settings) and the first query"
    python, before = floors["python"], floors["python"] + floors["tables"]
    said = (f"Python starts in {python:.2f} s, SQLAlchemy imports in {floors['sqlalchemy']:.2f} s, "
            f"its ORM and SQLModel in {floors['orm'] - floors['sqlalchemy']:.2f} s more and the "
            f"table classes in {floors['tables'] - floors['orm']:.2f} s more: {before:.2f} s "
            f"before the first query; the command line, settings, query and table "
            f"{max(wall - before, 0.0):.2f} s")
    if before >= READ_ONLY_TARGET_S:
        said += (f"; no command reading through the table classes can answer in under "
                 f"{READ_ONLY_TARGET_S} s on this machine. Next step: the listing commands "
                 "read through the database's own driver (sqlite3, psycopg)")
    else:
        said += "; next step: the slowest of those after start-up, by python -X importtime"
    return said


def second_run_reason(wall: float, floors: dict[str, float]) -> str:
    """Where a second `dutyflow run` went, from this run's floors."""
    if not floors:
        return "the cycle's own work and Prefect's client"
    prefect, cycle = floors["prefect"], floors["cycle"]
    rest = max(wall - floors["python"] - cycle, 0.0)
    said = (f"importing Prefect takes {prefect:.1f} s and the cycle's own modules "
            f"{cycle - prefect:.1f} s more; the flow run (ingest finding the workbook "
            f"unchanged, evaluate, tasks on the kept server) and the command line {rest:.1f} s")
    if floors["python"] + cycle >= SECOND_RUN_TARGET_S * 0.75:
        said += (". Next step: a kept runner with the flows already imported (Prefect's serve), "
                 "to which dutyflow run hands the run over the API")
    return said


def targets(results: dict[str, Any]) -> list[list[Any]]:
    """The issue's targets (29), each with its figure, ratio and verdict; a target not met
    says where the time went, from this run's own measurements."""
    formats = results.get("config", {}).get("formats") or []
    direct = results.get("direct", {}).get(formats[0]) if formats else None
    cli = results.get("cli", {})
    runs = {r["label"]: r for r in cli.get("runs", [])}
    rows: list[list[Any]] = []
    orgs_row = _stage(direct, "ingest: clean organizations") if direct else None
    orgs = orgs_row["items"] if orgs_row else results.get("config", {}).get("orgs", 0)
    later, read = runs.get("later run"), cli.get("pandas_read_s")
    if later and read and direct:
        wall = later["wall_s"]
        rows.append([f"dutyflow run, {results['config']['orgs']:,} branches, .xlsx, whole "
                     "process", f"{wall:.1f} s", f"{wall / read:.1f} × pandas+calamine "
                     f"({read:.1f} s)", f"< {CYCLE_TARGET_S:.0f} s and ≤ {READ_RATIO_TARGET:.0f} ×",
                     _verdict(wall < CYCLE_TARGET_S and wall / read <= READ_RATIO_TARGET,
                              cycle_reason(direct))])
    if direct:
        stage = orgs / direct["evaluate_s"]
        engines = results.get("engines", {}).get("sets") or []
        engine = (orgs / engines[0]["evaluators"]["durable-rules"]["seconds"]) if engines else None
        rows.append(["evaluate stage, organizations/s", f"{stage:,.0f}",
                     f"engine alone {engine:,.0f}/s" if engine else "",
                     f"≥ {EVALUATE_TARGET:,}",
                     _verdict(stage >= EVALUATE_TARGET,
                              (f"the stage cannot outrun its rule engine ({engine:,.0f}/s); "
                               if engine and engine < EVALUATE_TARGET else "")
                              + _slowest(direct, "evaluate:")
                              + ". Next step: judge the shards on every core, one engine per "
                              "process (durable-rules keeps process-wide state)")])
    dask = next((r for label, r in runs.items() if "Dask" in label), None)
    if dask and later:
        rows.append(["Dask LocalCluster(2) vs one process", f"{dask['wall_s']:.1f} s",
                     f"{dask['wall_s'] / later['wall_s']:.2f} × one process "
                     f"({later['wall_s']:.1f} s)", "no slower",
                     _verdict(dask["wall_s"] <= later["wall_s"] * 1.05,
                              "the workers, the flow process and the Prefect server share "
                              f"{results['machine']['cpus']} cores. Next step: measure where "
                              "each worker has a core of its own (the scaling model, "
                              "BENCHMARKS.md)")])
    commands = results.get("commands", {})
    floors = commands.get("floors", {})
    if commands.get("read_only"):
        worst_name, worst = max(commands["read_only"].items(), key=lambda i: i[1]["median_s"])
        rows.append(["a read-only command on the demo database (slowest, median)",
                     f"{worst['median_s']:.2f} s", f"dutyflow {worst_name}",
                     f"< {READ_ONLY_TARGET_S} s",
                     _verdict(worst["median_s"] < READ_ONLY_TARGET_S,
                              read_only_reason(worst["median_s"], floors))])
    if commands.get("second_run_s"):
        second = commands["second_run_s"]
        rows.append(["a second dutyflow run of a 60-branch month", f"{second:.1f} s",
                     f"first month {commands['months'].get('2026-08', 0):.1f} s",
                     f"< {SECOND_RUN_TARGET_S:.0f} s",
                     _verdict(second < SECOND_RUN_TARGET_S, second_run_reason(second, floors))])
    rows.append(["200,000 branches, whole process", "make bench-big", "", "< 180 s, < 2 GiB",
                 "measured by make bench-big"])
    return rows


def render_report(results: dict[str, Any]) -> str:
    """Every table the results hold, numbered as the measurements are."""
    out = []
    cfg = results["config"]
    machine = results["machine"]
    out.append(f"dutyflow benchmark: {cfg['orgs']:,} branches, period {cfg['period']}, "
               f"seed {cfg['seed']}, {machine['cpus']} CPUs, Python {machine['python']}, "
               f"load average at start {machine['load_average_at_start'][0]:.2f}, at end "
               f"{machine.get('load_average_at_end', [0.0])[0]:.2f}")
    goals = targets(results)
    if goals:
        out.append(_table("\n0. the targets (issue 29)", ["figure", "measured", "ratio",
                                                          "target", ""], goals))
    side = side_by_side(results)
    if side:
        out.append(_table("\n0b. side by side (seconds; the floor is the same work with less "
                          "around it)", ["", "seconds", "per second", "x floor", "floor"], side))
    for fmt, cycle in results.get("cycle", {}).items():
        rows = [[f"{r['flow']} / {r['task']}", r["runs"], r["seconds"]]
                for r in stage_totals(cycle)]
        tasks = sum(r["seconds"] for r in stage_totals(cycle) if r["runs"] and
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
