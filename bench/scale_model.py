"""The inputs of issue 29's scaling model: `python -m bench.scale_model --orgs 5000
[--shards 8] [--workers 1,2] [--postgresql]` (`make bench-scale`).

A benchmark, not a timed test. One month of the sample generator's branches (CSV, not timed) is
run through the cycle's stages called directly, as `bench/stages.py` does, on a fresh database
(SQLite, or a scratch database on the local PostgreSQL server, dropped afterwards):

- the serial part, what one flow process does alone: ingest (read, clean, load), reading the
  period's frames, building and splitting the facts, deciding the cases, storing them, planning
  the drafts, recording them; each stage's seconds, its database writes apart;
- the parallel part: each shard of the two sharded stages (judging, drafting) timed on its own,
  one after another in this process;
- Dask's overhead: the same shards on a LocalCluster of 1 and of 2 workers (one thread each, the
  cycle's preload), wall time of the map against the shards' own seconds over the workers; a
  no-op task's round trip, and the bytes each stage sends and receives;
- PostgreSQL's write ceiling: COPY of the loaded meeting rows (real shape, indexes included)
  into a copy of the table, by one stream and by two at once.

Prints Markdown tables and the per-organization coefficients, then the model's predictions
(`--predict 5000000 --at 16,64,256`), and writes them as JSON (`--json-out`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.desk_scale import PG_SERVER, drop_database
from bench.inputs import write_period_csv
from bench.stages import Stages, create_schema, direct_ingest

PERIOD = "2026-12"  # every duty due: the heaviest month
ON = date(2027, 1, 4)
# the serial stages that write to the database (the rest of the serial part is the flow
# process's own CPU, or reading)
WRITES = ("ingest: load (one transaction)", "evaluate: store (one transaction)",
          "draft: record paths")


def noop(x: int) -> int:
    return x


def timed_call(function: Any, *args: Any, **kwargs: Any) -> tuple[int, float]:
    """Run one shard on a worker; (the worker's pid, the shard's own seconds there)."""
    t0 = time.perf_counter()
    function(*args, **kwargs)
    return os.getpid(), time.perf_counter() - t0


def lanes(results: list[tuple[int, float]]) -> dict[int, float]:
    """Each worker's busy seconds in a map."""
    busy: dict[int, float] = {}
    for pid, seconds in results:
        busy[pid] = busy.get(pid, 0.0) + seconds
    return busy


def warm_up(policy: Any, facts: Any, items: list, folder: str) -> float:
    """What a worker pays once, before its first shard: the rules compiled and the engine's
    ruleset built, the drafting's dictionaries and templates loaded; seconds."""
    from dutyflow.rules.judge import judge_facts
    from dutyflow.services.drafting import draft_shard

    t0 = time.perf_counter()
    judge_facts(policy, PERIOD, facts)
    draft_shard(items, on=ON, output_dir=Path(folder))
    return time.perf_counter() - t0


def serialising_s(objects: list[Any]) -> float:
    """Pickling and unpickling these objects once, as Dask moves a task's arguments or result."""
    t0 = time.perf_counter()
    for obj in objects:
        pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    return time.perf_counter() - t0


def timed_map(client: Any, function: Any, *iterables: Any, **kwargs: Any) -> tuple[float, list]:
    t0 = time.perf_counter()
    futures = client.map(function, *iterables, pure=False, **kwargs)
    results = client.gather(futures)
    return time.perf_counter() - t0, results


def serial_and_shards(stages: Stages, shards: int, folder: Path) -> dict[str, Any]:
    """The month's stages in the cycle's order; the sharded ones shard by shard."""
    from dutyflow.rules.judge import judge_facts
    from dutyflow.services import evaluate
    from dutyflow.services.drafting import draft_shard, plan_drafts, record_drafts

    direct_ingest(stages, PERIOD, folder / "csv")
    with stages.stage("evaluate: read policy"):
        policy = evaluate.read_policy(None)
    with stages.stage("evaluate: read frames (SQL)", "rows") as row:
        data = evaluate.load_period_data(policy, PERIOD)
        row["items"] = evaluate.rows_read(data)
    with stages.stage("evaluate: build and split facts", "facts") as row:
        fact_shards = evaluate.shard_facts(policy, data, shards)
        row["items"] = sum(len(s) for s in fact_shards)
    judged, judge_s = [], []
    for shard in fact_shards:
        t0 = time.perf_counter()
        judged.append(judge_facts(policy, PERIOD, shard))
        judge_s.append(time.perf_counter() - t0)
    with stages.stage("evaluate: decide cases (merge shards)", "findings") as row:
        findings, cases = evaluate.decide_cases(policy, PERIOD, judged)
        row["items"] = len(findings)
    with stages.stage("evaluate: store (one transaction)", "findings", len(findings)):
        evaluate.store_outcome(policy=policy, period=PERIOD,
                               facts=sum(len(s) for s in fact_shards),
                               findings=findings, actions=cases)
    with stages.stage("draft: plan (SQL, histories)", "cases") as row:
        item_shards = plan_drafts(period=PERIOD, shards=shards, on=ON)
        row["items"] = sum(len(s) for s in item_shards)
    # the first shard of a process pays for loading what drafting and judging need; measured
    # apart (a worker's fixed cost), so the shards' seconds are each one's own work
    warm = warm_up(policy, fact_shards[0].head(50), item_shards[0][:1], str(folder / "warm"))
    drafts: dict[str, tuple[str, str]] = {}
    draft_s = []
    for items in item_shards:
        t0 = time.perf_counter()
        drafts.update(draft_shard(items, on=ON, output_dir=folder / "out-serial"))
        draft_s.append(time.perf_counter() - t0)
    with stages.stage("draft: record paths", "notices", len(drafts)):
        record_drafts(drafts)
    moved = [*((policy, PERIOD, s) for s in fact_shards), *judged, *item_shards, drafts]
    sizes = {
        "judge_in": sum(len(pickle.dumps((policy, PERIOD, s))) for s in fact_shards),
        "judge_out": sum(len(pickle.dumps(j)) for j in judged),
        "draft_in": sum(len(pickle.dumps(s)) for s in item_shards),
        "draft_out": len(pickle.dumps(drafts)),
    }
    return {"policy": policy, "fact_shards": fact_shards, "item_shards": item_shards,
            "judge_s": judge_s, "draft_s": draft_s, "bytes": sizes, "warm_up_s": warm,
            "serialising_s": serialising_s(moved),
            "facts": sum(len(s) for s in fact_shards), "findings": len(findings),
            "cases": len(cases), "drafts": len(drafts)}


def on_dask(work: dict[str, Any], workers: int, folder: Path, repeat: int) -> dict[str, Any]:
    """The same shards on a LocalCluster of `workers` processes, each map `repeat` times: its
    wall, each worker's own seconds in its shards (timed there, so the machine's load slows
    both alike), and Dask's overhead: the wall beyond the busiest worker's own seconds."""
    from distributed import Client, LocalCluster

    from dutyflow.rules.judge import judge_facts
    from dutyflow.services.drafting import draft_shard

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, preload=["dutyflow.flows.dask_preload"]) as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(workers, timeout=300)
        start_s = time.perf_counter() - t0
        warm = client.run(warm_up, work["policy"], work["fact_shards"][0].head(50),
                          work["item_shards"][0][:1], str(folder / "warm"))
        noop_s, _ = timed_map(client, noop, range(200))
        noop_s, _ = timed_map(client, noop, range(200))  # the second: connections warm
        shards, item_shards = work["fact_shards"], work["item_shards"]
        n, n_items = len(shards), len(item_shards)
        measured: dict[str, list[dict[str, Any]]] = {"judge": [], "draft": []}
        for turn in range(repeat):
            for stage, (wall, results) in (
                    ("judge", timed_map(client, timed_call, [judge_facts] * n,
                                        [work["policy"]] * n, [PERIOD] * n, shards)),
                    ("draft", timed_map(client, timed_call, [draft_shard] * n_items,
                                        item_shards, on=ON,
                                        output_dir=folder / f"out-dask-{workers}-{turn}"))):
                busy = lanes(results)
                measured[stage].append({"wall_s": wall, "busiest_s": max(busy.values()),
                                        "work_s": sum(busy.values()),
                                        "overhead_s": wall - max(busy.values()),
                                        "workers_used": len(busy)})
    # the turn of median overhead
    picked = {stage: sorted(turns, key=lambda t: t["overhead_s"])[len(turns) // 2]
              for stage, turns in measured.items()}
    return {"workers": workers, "cluster_start_s": start_s, "noop_task_ms": noop_s / 200 * 1000,
            "warm_up_s": max(warm.values()), "judge": picked["judge"],
            "draft": picked["draft"], "turns": measured, "load_average": os.getloadavg()[0]}


def copy_ceiling(url: str) -> dict[str, Any]:
    """COPY of the loaded meeting rows into copies of the table (its indexes too), by one
    stream and by two at once: rows/s and MB/s the server takes."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conninfo = (f"host={parsed.host} port={parsed.port or 5432} user={parsed.username} "
                f"dbname={parsed.database}")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        buffer = io.BytesIO()
        with conn.cursor() as cur, cur.copy("COPY meeting TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        rows = conn.execute("SELECT count(*) FROM meeting").fetchone()[0]  # type: ignore[index]
        for name in ("copy_a", "copy_b", "copy_c"):
            conn.execute(f"CREATE TABLE {name} (LIKE meeting INCLUDING ALL)")
    data = buffer.getvalue()

    def load(table: str, seconds: list[float]) -> None:
        with psycopg.connect(conninfo) as conn:
            t0 = time.perf_counter()
            with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy:
                for at in range(0, len(data), 1 << 20):
                    copy.write(data[at:at + (1 << 20)])
            conn.commit()
            seconds.append(time.perf_counter() - t0)

    one: list[float] = []
    load("copy_a", one)
    two: list[float] = []
    t0 = time.perf_counter()
    threads = [threading.Thread(target=load, args=(t, two)) for t in ("copy_b", "copy_c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    two_wall = time.perf_counter() - t0
    mb = len(data) / 1e6
    return {"rows": rows, "mb": mb, "one_stream_s": one[0],
            "one_stream_rows_s": rows / one[0], "one_stream_mb_s": mb / one[0],
            "two_streams_s": two_wall, "two_streams_rows_s": 2 * rows / two_wall,
            "two_streams_mb_s": 2 * mb / two_wall}


def coefficients(work: dict[str, Any], stages: Stages, organizations: int,
                 dask: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds per organization of each part of the model, and the overhead's two terms."""
    rows = {r["stage"]: r for r in stages.rows}
    writes = sum(rows[name]["seconds"] for name in WRITES if name in rows)
    serial = sum(r["seconds"] for r in stages.rows)
    parallel = sum(work["judge_s"]) + sum(work["draft_s"])
    moved = sum(work["bytes"].values())
    tasks = len(work["fact_shards"]) + len(work["item_shards"])
    out: dict[str, Any] = {
        "organizations": organizations,
        "serial_s": serial, "serial_writes_s": writes, "parallel_s": parallel,
        "serial_per_org_ms": 1000 * serial / organizations,
        "writes_per_org_ms": 1000 * writes / organizations,
        "parallel_per_org_ms": 1000 * parallel / organizations,
        "bytes_per_org": moved / organizations, "tasks": tasks,
        "rows_loaded": rows["ingest: load (one transaction)"]["items"],
    }
    for d in dask:
        out[f"overhead_{d['workers']}_s"] = d["judge"]["overhead_s"] + d["draft"]["overhead_s"]
        out[f"worker_work_{d['workers']}_s"] = d["judge"]["work_s"] + d["draft"]["work_s"]
    one = next((d for d in dask if d["workers"] == 1), dask[0] if dask else None)
    if one is not None:
        out["task_round_trip_ms"] = one["noop_task_ms"]
    out["serialising_s_per_mb"] = work["serialising_s"] / (moved / 1e6)
    if one is not None:
        # the map's wall beyond the worker's own seconds, less the client's pickling, per
        # shard: the scheduler, the comms, the worker's bookkeeping (counted as serial)
        out["overhead_per_task_s"] = max(one["noop_task_ms"] / 1000,
                                         (out["overhead_1_s"] - work["serialising_s"]) / tasks)
    out["warm_up_s"] = work["warm_up_s"]
    return out


def predict(coef: dict[str, Any], copy: dict[str, Any] | None, organizations: int,
            workers: list[int]) -> list[dict[str, Any]]:
    """T(N, W) = serial(N) + parallel(N) / W + overhead(N, W): linear in organizations, two
    shards per worker; overhead: each task's measured overhead and the client's pickling, both
    counted as serial, and one worker's warm-up;
    the database writes bounded below by one COPY stream's rate."""
    scale = organizations / coef["organizations"]
    rows_written = coef["rows_loaded"] * scale
    out = []
    for w in workers:
        serial = coef["serial_s"] * scale
        writes = coef["serial_writes_s"] * scale
        copy_floor = rows_written / copy["one_stream_rows_s"] if copy else None
        parallel = coef["parallel_s"] * scale / w
        tasks = 2 * (2 * w)
        # serial: the client pickles every shard's arguments and unpickles every result, and
        # each task's measured overhead on one worker; once: a worker's warm-up (in parallel)
        overhead = (tasks * coef.get("overhead_per_task_s", 0)
                    + coef["bytes_per_org"] * organizations / 1e6 * coef["serialising_s_per_mb"]
                    + coef["warm_up_s"])
        out.append({"workers": w, "serial_s": serial, "writes_s": writes,
                    "copy_floor_s": copy_floor, "parallel_s": parallel,
                    "overhead_s": overhead, "total_s": serial + parallel + overhead})
    return out


def report(stages: Stages, work: dict[str, Any], dask: list[dict[str, Any]],
           copy: dict[str, Any] | None, coef: dict[str, Any], predictions: list[dict[str, Any]],
           target: int) -> str:
    lines = ["| serial stage | items | seconds |", "| --- | ---: | ---: |"]
    for r in stages.rows:
        mark = " (write)" if r["stage"] in WRITES else ""
        lines.append(f"| {r['stage']}{mark} | {r['items'] or ''} | {r['seconds']:.2f} |")
    lines += ["", "| sharded stage | shards | each shard, s (min / median / max) | sum, s |",
              "| --- | ---: | ---: | ---: |"]
    for name, key in (("judge (durable-rules)", "judge_s"), ("draft (.docx + .html)", "draft_s")):
        s = work[key]
        lines.append(f"| {name} | {len(s)} | {min(s):.2f} / {statistics.median(s):.2f} / "
                     f"{max(s):.2f} | {sum(s):.2f} |")
    lines += ["", f"warm-up of a process before its first shard: {work['warm_up_s']:.2f} s; "
              f"pickling and unpickling every shard's arguments and results: "
              f"{work['serialising_s']:.2f} s"]
    lines += ["", "| Dask LocalCluster | start, s | warm-up, s | no-op task, ms | judge: wall, "
              "busiest worker, overhead, s | draft: wall, busiest worker, overhead, s "
              "| load avg |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for d in dask:
        j, dr = d["judge"], d["draft"]
        lines.append(f"| {d['workers']} worker(s) | {d['cluster_start_s']:.1f} | "
                     f"{d['warm_up_s']:.2f} | {d['noop_task_ms']:.1f} | {j['wall_s']:.2f}, "
                     f"{j['busiest_s']:.2f}, {j['overhead_s']:+.2f} | {dr['wall_s']:.2f}, "
                     f"{dr['busiest_s']:.2f}, {dr['overhead_s']:+.2f} | "
                     f"{d['load_average']:.1f} |")
    b = work["bytes"]
    lines += ["", f"bytes through the client: judge {b['judge_in'] / 1e6:.1f} MB out, "
              f"{b['judge_out'] / 1e6:.1f} MB back; draft {b['draft_in'] / 1e6:.1f} MB out, "
              f"{b['draft_out'] / 1e6:.1f} MB back"]
    if copy:
        lines += ["", f"COPY ceiling: {copy['rows']:,} meeting rows ({copy['mb']:.1f} MB): one "
                  f"stream {copy['one_stream_rows_s']:,.0f} rows/s ({copy['one_stream_mb_s']:.1f}"
                  f" MB/s); two at once {copy['two_streams_rows_s']:,.0f} rows/s "
                  f"({copy['two_streams_mb_s']:.1f} MB/s)"]
    lines += ["", "coefficients: " + json.dumps({k: round(v, 4) if isinstance(v, float) else v
                                                 for k, v in coef.items()})]
    lines += ["", f"| {target:,} organizations | serial, s (writes; COPY floor) | parallel / W, s"
              " | overhead, s | total |", "| --- | ---: | ---: | ---: | ---: |"]
    for p in predictions:
        floor = f"{p['copy_floor_s']:.0f}" if p["copy_floor_s"] is not None else "n/a"
        lines.append(f"| {p['workers']} workers | {p['serial_s']:.0f} ({p['writes_s']:.0f}; "
                     f"{floor}) | {p['parallel_s']:.0f} | {p['overhead_s']:.0f} | "
                     f"{p['total_s'] / 60:.1f} min |")
    return "\n".join(lines)


def measure(args: argparse.Namespace, database: str, folder: Path) -> dict[str, Any]:
    os.environ["DUTYFLOW_DATABASE_URL"] = database
    os.environ["DUTYFLOW_OUTPUT_DIR"] = str(folder / "out")
    os.environ["DUTYFLOW_PDF_VIEWS"] = "false"
    from dutyflow.core.settings import reload_settings

    reload_settings()
    from dutyflow.console import quiet_console

    quiet_console()
    write_period_csv(folder / "csv", period=PERIOD, branches=args.orgs, seed=7)
    create_schema()
    stages = Stages()
    work = serial_and_shards(stages, args.shards, folder)
    organizations = next((int(r["items"]) for r in stages.rows
                          if r["stage"] == "ingest: clean organizations"), args.orgs)
    dask = [on_dask(work, w, folder, args.repeat) for w in args.workers]
    copy = copy_ceiling(database) if database.startswith("postgresql") else None
    coef = coefficients(work, stages, organizations, dask)
    predictions = predict(coef, copy, args.predict, args.at)
    print(report(stages, work, dask, copy, coef, predictions, args.predict))
    return {"stages": stages.rows, "judge_s": work["judge_s"], "draft_s": work["draft_s"],
            "bytes": work["bytes"], "facts": work["facts"], "findings": work["findings"],
            "cases": work["cases"], "drafts": work["drafts"], "dask": dask, "copy": copy,
            "coefficients": coef, "predictions": predictions,
            "load_average_at_end": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orgs", type=int, default=5000, help="branches (default 5,000)")
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--workers", default="1,2", help="LocalCluster sizes to measure")
    parser.add_argument("--repeat", type=int, default=3, help="Dask maps per size (median)")
    parser.add_argument("--predict", type=int, default=5_000_000, help="organizations")
    parser.add_argument("--at", default="16,64,256", help="cluster sizes to predict")
    parser.add_argument("--postgresql", metavar="SERVER", nargs="?", const=PG_SERVER,
                        help=f"a scratch database on this PostgreSQL server ({PG_SERVER}), "
                        "dropped afterwards; default: a fresh SQLite file")
    parser.add_argument("--json-out", default="bench-scale.json")
    args = parser.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",") if w]
    args.at = [int(w) for w in args.at.split(",") if w]
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"load average at start: {os.getloadavg()}", flush=True)
    try:
        if args.postgresql:
            from dutyflow.server import ensure_database

            database = f"{args.postgresql}/bench_scale_{os.getpid()}"
            ensure_database(database)
            try:
                results = measure(args, database, folder)
            finally:
                drop_database(database)
        else:
            results = measure(args, f"sqlite:///{folder / 'bench.db'}", folder)
    finally:  # the input and every shard's drafts: hundreds of MB at 10,000 branches
        shutil.rmtree(folder, ignore_errors=True)
    results["config"] = {"orgs": args.orgs, "shards": args.shards, "database":
                         "postgresql" if args.postgresql else "sqlite"}
    Path(args.json_out).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nload average at end: {os.getloadavg()}; JSON written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
