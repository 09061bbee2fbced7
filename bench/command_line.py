"""`dutyflow run` as a user runs it: a fresh process, its own temporary Prefect server."""

from __future__ import annotations

import os
import resource
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    with open(work / "run.log", "w", encoding="utf-8") as log:
        code = subprocess.call(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    if code:
        raise RuntimeError(f"dutyflow run ({label}) exited {code}: see {work / 'run.log'}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"label": label, "wall_s": wall,
            "peak_rss_mib": peak / 1024 if peak > before else None,  # the largest process
            "summary": (work / "run.log").read_text(encoding="utf-8").splitlines()[:1]}


def worker_cli(cfg: dict[str, Any]) -> dict[str, Any]:
    """First run (Prefect's home is new: its database is created and migrated), then a run
    as every later one is (a warm home), then on Dask if asked."""
    runs = [_run(cfg, "first run, new Prefect home", {}),
            _run(cfg, "later run", {})]
    if cfg.get("dask_workers"):
        runs.append(_run(cfg, f"later run, Dask LocalCluster of {cfg['dask_workers']}",
                         {"DUTYFLOW_DASK_WORKERS": str(cfg["dask_workers"])}))
    return {"runs": runs}
