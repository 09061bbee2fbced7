"""`dutyflow run` as a user runs it: a fresh process, its own temporary Prefect server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _run(cfg: dict[str, Any], label: str, env: dict[str, str]) -> dict[str, Any]:
    """One `dutyflow run` on a fresh database and output folder; wall and peak RSS."""
    work = Path(cfg["work"]) / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, **env, "DUTYFLOW_DATABASE_URL": f"sqlite:///{work / 'dutyflow.db'}",
           "DUTYFLOW_OUTPUT_DIR": str(work / "out")}
    command = [str(Path(sys.executable).with_name("dutyflow")), "run", "--input", cfg["input"],
               "--period", cfg["period"], "--on", cfg["on"]]
    t0 = time.perf_counter()
    with open(work / "run.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        # this child's own usage: the largest of it and the processes it waited for (its
        # temporary Prefect server, Dask's workers)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - t0
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"dutyflow run ({label}) exited {process.returncode}: "
                           f"see {work / 'run.log'}")
    lines = (work / "run.log").read_text(encoding="utf-8").splitlines()
    return {"label": label, "wall_s": wall, "peak_rss_mib": usage.ru_maxrss / 1024,
            "summary": next((line for line in lines if line.startswith("cycle ")), "")}


def worker_cli(cfg: dict[str, Any]) -> dict[str, Any]:
    """First run (Prefect's home is new: its database is created and migrated), then a run
    as every later one is (a warm home), then on Dask if asked."""
    runs = [_run(cfg, "first run, new Prefect home", {}),
            _run(cfg, "later run", {})]
    if cfg.get("dask_workers"):
        runs.append(_run(cfg, f"later run, Dask LocalCluster of {cfg['dask_workers']}",
                         {"DUTYFLOW_DASK_WORKERS": str(cfg["dask_workers"])}))
    return {"runs": runs}
