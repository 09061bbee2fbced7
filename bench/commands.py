"""The commands people wait for, as a new user runs them one after another: the demo's months
with `dutyflow run` (the first starts the local Prefect server the commands keep), a second
run of a month that changes nothing, and the read-only commands, each a whole process; then
what no command can go below here (bench/floors.py)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.floors import measure_floors

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
MONTHS = ("2026-08", "2026-09", "2026-10")
READ_ONLY = (("cases", "-p", "2026-10"), ("actions", "-p", "2026-10", "--json"),
             ("scores", "-p", "2026-10"), ("pending",), ("documents", "-p", "2026-10"))


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-800:]}")
    return wall


def worker_commands(cfg: dict[str, Any]) -> dict[str, Any]:
    work = Path(cfg["work"])
    work.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONDONTWRITEBYTECODE",)}  # as installed: bytecode is cached
    env.update({"DUTYFLOW_DATABASE_URL": f"sqlite:///{work / 'demo.db'}",
                "DUTYFLOW_OUTPUT_DIR": str(work / "out"), "PREFECT_HOME": str(work / "prefect"),
                "DUTYFLOW_OFFICE_FILE": str(SAMPLES / "office.toml"),
                "DUTYFLOW_PREFECT_KEEP_SERVER": "true"})
    dutyflow = str(Path(sys.executable).with_name("dutyflow"))
    repeats = int(cfg.get("repeats", 7))

    def run(month: str) -> float:
        return _timed([dutyflow, "run", "--input", str(SAMPLES / f"{month}-党建报表.xlsx"),
                       "--period", month], env, work)

    out: dict[str, Any] = {"months": {}}
    try:
        for month in MONTHS:
            out["months"][month] = run(month)
        again = [run(MONTHS[-1]) for _ in range(3)]
        out["second_run_s"] = statistics.median(again)
        out["second_runs_s"] = again
        out["read_only"] = {}
        for command in READ_ONLY:
            _timed([dutyflow, *command], env, work)  # the first writes the bytecode
            walls = [_timed([dutyflow, *command], env, work) for _ in range(repeats)]
            out["read_only"][" ".join(command)] = {"median_s": statistics.median(walls),
                                                   "min_s": min(walls), "max_s": max(walls)}
    finally:
        subprocess.run([dutyflow, "server", "stop"], env=env, cwd=work, capture_output=True)
    out["floors"] = measure_floors(env)
    return out
