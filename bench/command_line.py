"""`dutyflow run` as a user runs it: a fresh process, its own temporary Prefect server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def run_once(cfg: dict[str, Any], label: str, env: dict[str, str],
             after: str | None = None) -> dict[str, Any]:
    """One `dutyflow run` on a fresh database and output folder; wall and peak RSS. A run
    `after` another starts with the title words that run kept (an office's output folder
    keeps them from month to month: the same organizations, the same templates), not its
    charts (a later month's figures differ)."""
    work = Path(cfg["work"]) / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if after is not None and (Path(cfg["work"]) / after / "out" / ".titles").is_dir():
        shutil.copytree(Path(cfg["work"]) / after / "out" / ".titles", work / "out" / ".titles")
    env = {**os.environ, **env, "DUTYFLOW_DATABASE_URL": f"sqlite:///{work / 'dutyflow.db'}",
           "DUTYFLOW_OUTPUT_DIR": str(work / "out")}
    command = [str(Path(sys.executable).with_name("dutyflow")), "run", "--input", cfg["input"],
               "--period", cfg["period"], "--on", cfg["on"]]
    t0 = time.perf_counter()
    with open(work / "run.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = TreeMemory(process.pid)
        sampler.start()
        _, status, _ = os.wait4(process.pid, 0)
        sampler.stop()
    wall = time.perf_counter() - t0
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"dutyflow run ({label}) exited {process.returncode}: "
                           f"see {work / 'run.log'}")
    lines = (work / "run.log").read_text(encoding="utf-8").splitlines()
    said = [line for line in lines if line.startswith(f"{cfg['period']}：")]  # the run's summary
    return {"label": label, "wall_s": wall, "peak_rss_mib": sampler.peak_mib,
            "summary": " ".join(said)}


class TreeMemory(threading.Thread):
    """The largest sum of resident memory of a command and every process under it (drafting
    helpers, Dask's workers), sampled four times a second; the local Prefect server a first
    command starts, which outlives it, is left out. (The kernel's peak for the command alone
    misses its helpers, and counts a large parent's memory in a child before it execs.)"""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mib, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        import psutil

        while not self._done.wait(0.25):
            try:
                root = psutil.Process(self.pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            kept = {p.pid for p in tree if _is_kept_server(p)}
            total = 0
            for process in tree:
                try:
                    if process.pid in kept or any(a.pid in kept for a in process.parents()):
                        continue
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_mib = max(self.peak_mib, total / 2**20)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _is_kept_server(process: Any) -> bool:
    try:
        return "dutyflow.flows.kept_api" in " ".join(process.cmdline())
    except Exception:  # gone, or not ours to read
        return False


BIG_TARGET_S, BIG_TARGET_MIB = 180.0, 2048.0
DEMO_MONTH = Path(__file__).resolve().parents[1] / "samples" / "2026-08-党建报表.xlsx"
PANDAS_READ = ("import sys, pandas as pd; "
               "pd.read_excel(sys.argv[1], sheet_name=None, engine='calamine')")


def pandas_read(path: str) -> float:
    """The floor for reading the workbook: a fresh process that imports pandas and reads every
    sheet with calamine (what `dutyflow run` must at least do)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", PANDAS_READ, path], check=True)
    return time.perf_counter() - t0


def worker_cli(cfg: dict[str, Any]) -> dict[str, Any]:
    """First run (Prefect's home is new: its database is created and migrated), then a run
    as every later one is (a warm home), then on Dask if asked; beside them, the workbook
    read with pandas and calamine alone (three times, the median)."""
    try:
        first = "first run, new Prefect home"
        runs = [run_once(cfg, first, {}), run_once(cfg, "later run", {}, after=first)]
        reads = sorted(pandas_read(cfg["input"]) for _ in range(3))
        if cfg.get("dask_workers"):
            runs.append(run_once(cfg, f"later run, Dask LocalCluster of {cfg['dask_workers']}",
                                 {"DUTYFLOW_DASK_WORKERS": str(cfg["dask_workers"])},
                                 after=first))
    finally:
        stop_kept_server()
    return {"runs": runs, "pandas_read_s": reads[1], "pandas_reads_s": reads}


def stop_kept_server() -> None:
    """The first run started the local Prefect server the commands keep: stop it."""
    subprocess.run([str(Path(sys.executable).with_name("dutyflow")), "server", "stop"],
                   capture_output=True)


def big_verdict(run: dict[str, Any], read_s: float) -> str:
    """The 200,000-branch target's line: met, or not met with the run beside the floor of
    reading its workbook and the next step."""
    met = run["wall_s"] < BIG_TARGET_S and run["peak_rss_mib"] < BIG_TARGET_MIB
    said = (f"target (issue 29, 200,000 branches): < {BIG_TARGET_S:.0f} s and < "
            f"{BIG_TARGET_MIB / 1024:.0f} GiB: {'met' if met else 'not met'} "
            f"({run['wall_s']:.0f} s, {run['peak_rss_mib']:,.0f} MiB; reading the workbook "
            f"with pandas and calamine alone {read_s:.0f} s, the run {run['wall_s'] / read_s:.1f} "
            "times that)")
    if not met:
        said += (". Where the time goes, stage by stage: `make bench` (the same stages at "
                 "20,000; drafting is the largest, already on every core). Next step: more "
                 "cores on a Dask cluster (DUTYFLOW_DASK_ADDRESS, the scaling model in "
                 "BENCHMARKS.md); for memory, what the command's own process still holds "
                 "while its helpers draft")
    return said


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.command_line --orgs 200000 --workdir W` (or `--input FILE`): time
    `dutyflow run` at any size (the 200,000-branch figure), after a warm-up run that gives
    Prefect's home its database unless told not to. Generating the input is not timed."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.command_line")
    parser.add_argument("--input", help="an .xlsx or folder (default: generate --orgs)")
    parser.add_argument("--orgs", type=int, default=200_000, help="branches to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--period", default="2026-12")
    parser.add_argument("--on", default="2026-12-28")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--dask-workers", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1, help="timed runs after the warm-up")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false")
    args = parser.parse_args(argv)
    work = Path(args.workdir).resolve()
    os.environ.setdefault("PREFECT_HOME", str(work / "prefect-home"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # ten provinces in one workbook expand to about 600 MiB, past the default refusal at 512
    os.environ.setdefault("DUTYFLOW_MAX_WORKBOOK_MIB", "1024")
    if args.input is None:
        from bench.inputs import prepare_inputs

        print(f"generating {args.orgs:,} branches (not timed) ...", flush=True)
        args.input = prepare_inputs(work / "inputs", period=args.period, branches=args.orgs,
                                    seed=args.seed, formats=["xlsx"])["xlsx"]["path"]
    cfg = {"work": str(work), "input": str(Path(args.input).resolve()), "period": args.period,
           "on": args.on}
    env = {"DUTYFLOW_DASK_WORKERS": str(args.dask_workers)} if args.dask_workers else {}
    results = []
    try:
        if args.warm_up:  # the demo's month: Prefect's home gets its database, the server
            # starts and stays, as for every run after a person's first
            results.append(run_once({**cfg, "input": str(DEMO_MONTH), "period": "2026-08",
                                     "on": "2026-09-02"}, "warm-up", env))
        results += [run_once(cfg, f"run {n + 1}", env, after="warm-up" if args.warm_up else None)
                    for n in range(args.runs)]
        read = pandas_read(cfg["input"])
    finally:
        stop_kept_server()
    for result in results:
        print(f"{result['label']}: {result['wall_s']:.1f} s wall, peak RSS "
              f"{result['peak_rss_mib']:.0f} MiB; {result['summary']}")
    last = results[-1]
    print(big_verdict(last, read))
    (work / "runs.json").write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                    encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
