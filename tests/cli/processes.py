"""The `dutyflow` command run as a user runs it: a process of its own, its own Prefect home and
database, none of the test run's Prefect settings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import OFFICE_FILE

DUTYFLOW = [sys.executable, "-m", "dutyflow.cli"]


def command_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "DUTYFLOW_"))}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect-home"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DUTYFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'dutyflow.db'}",
                "DUTYFLOW_OFFICE_FILE": str(OFFICE_FILE),
                "DUTYFLOW_OUTPUT_DIR": str(tmp_path / "out"),
                "DUTYFLOW_PREFECT_KEEP_SERVER": "false", **extra})
    return env


def dutyflow(tmp_path: Path, *args: str, timeout: float = 300,
             **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DUTYFLOW, *args], env=command_env(tmp_path, **extra), cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)


@contextmanager
def cpu_load(processes: int = 3) -> Iterator[None]:
    """Busy processes that keep every core loaded, as other users' work would."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(processes)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
