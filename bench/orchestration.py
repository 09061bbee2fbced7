"""The parent process: every measurement in turn, each in a worker process of its own."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.inputs import prepare_inputs
from bench.workers import MISMATCH_EXIT
from dutyflow.core.periods import Period


class BenchError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def save(results: dict[str, Any], path: str) -> None:
    Path(path).write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False),
                          encoding="utf-8")


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
           # a new Prefect home is migrated at the first start: past Prefect's 20 s default
           # on a busy machine
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
           "DUTYFLOW_DATABASE_URL": f"sqlite:///{cfg['db']}",
           "DUTYFLOW_OUTPUT_DIR": str(work / "out")}
    env.pop("PREFECT_API_URL", None)  # always the temporary, server-less API of that process
    log = work / f"{name}.log"
    print(f"  [{label}] {name} ... ", end="", flush=True)
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        code = subprocess.call([sys.executable, "-m", "bench", "--worker", name,
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


def _versions() -> dict[str, str]:
    import durable
    import prefect
    import zen  # noqa: F401
    from pandas import __version__ as pandas_version

    versions = {"prefect": prefect.__version__, "pandas": pandas_version}
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        versions.update({"durable-rules": version("durable-rules"),
                         "zen-engine": version("zen-engine")})
    del durable
    return versions


def _task_runs(orgs: int, source: str, cycle: dict[str, Any]) -> dict[str, Any]:
    return {"orgs": orgs, "source": source, "task_runs": cycle["task_run_count"],
            "flow_runs": cycle["flow_run_count"],
            "subflow_placeholders": cycle["subflow_placeholder_task_runs"]}


def run(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Every measurement in turn; `results` fills as they finish (saved after each)."""
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    root = Path(args.workdir or tempfile.mkdtemp(prefix="dutyflow-bench-")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    period = Period.parse(args.period)
    on = date(period.year, period.index, 28).isoformat() if period.kind == "month" \
        else date.today().isoformat()
    results.update({
        "config": {"orgs": args.orgs, "period": args.period, "seed": args.seed,
                   "formats": formats, "naive_sample": args.naive_sample,
                   "small_orgs": args.small_orgs, "history_months": args.history_months,
                   "workdir": str(root), "notices_dated": on},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "versions": _versions(),
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
        save(results, args.json_out)
    results["cli"] = spawn("cli", {**base, "input": inputs[formats[0]]["path"],
                                   "dask_workers": args.dask_workers}, root, "cli")
    save(results, args.json_out)
    results["commands"] = spawn("commands", {**base, "work": str(root / "commands")}, root,
                                "commands")
    save(results, args.json_out)
    for i, fmt in enumerate(formats):
        results["direct"][fmt] = spawn("direct", {**base, "input": inputs[fmt]["path"],
                                                  "ingest_only": i > 0}, root, f"direct-{fmt}")
        save(results, args.json_out)
    main_direct = root / f"direct-{formats[0]}"
    results["engines"] = spawn("engines", {**base, "work": str(main_direct),
                                           "history_months": args.history_months},
                               root, "engines")
    save(results, args.json_out)
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
        save(results, args.json_out)
    counts = [_task_runs(args.orgs, f"cycle from {f}", c) for f, c in results["cycle"].items()]
    if args.small_orgs:
        small_inputs = prepare_inputs(root / "inputs-small", period=args.period,
                                      branches=args.small_orgs, seed=args.seed,
                                      formats=[formats[0]])
        small = spawn("cycle", {**base, "orgs": args.small_orgs,
                                "input": small_inputs[formats[0]]["path"]}, root, "cycle-small")
        results["cycle_small"] = small
        counts.insert(0, _task_runs(args.small_orgs, f"cycle from {formats[0]}", small))
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
