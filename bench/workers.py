"""The worker side: one measurement per process (`python -m bench --worker NAME CONFIG`)."""

from __future__ import annotations

import importlib
import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.memory import lifetime_peak_rss_mib

MISMATCH_EXIT = 3  # the evaluators disagree

# name -> module and function; a worker's module is imported only in that worker's process,
# so no measurement carries another's imports in its RSS
WORKERS: dict[str, tuple[str, str]] = {
    "cli": ("bench.command_line", "worker_cli"),
    "commands": ("bench.commands", "worker_commands"),
    "cycle": ("bench.prefect_runs", "worker_cycle"),
    "direct": ("bench.stages", "worker_direct"),
    "engines": ("bench.evaluators", "worker_engines"),
    "naive": ("bench.naive", "worker_naive"),
    "profile": ("bench.profiling", "worker_profile"),
}


def configure() -> None:
    """Settings from this process's environment (set by the parent), and a quiet console."""
    from dutyflow.core.settings import reload_settings

    reload_settings()
    from dutyflow.console import quiet_console

    quiet_console()


def worker(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    module, function = WORKERS[name]
    found: Callable[[dict[str, Any]], dict[str, Any]] = getattr(importlib.import_module(module),
                                                                function)
    return found


def run_worker(name: str, config_path: str) -> int:
    """Run one worker on its JSON config; write its result where the config says; exit code."""
    cfg = json.loads(Path(config_path).read_text(encoding="utf-8"))
    try:
        result = worker(name)(cfg)
        status = 0
    except Exception as exc:  # reported to the parent, which prints it and fails
        traceback.print_exc()
        result, status = {"error": f"{type(exc).__name__}: {exc}"}, 1
    result["process_peak_rss_mib"] = lifetime_peak_rss_mib()
    Path(cfg["result"]).write_text(json.dumps(result, default=str, ensure_ascii=False),
                                   encoding="utf-8")
    if name == "engines" and result.get("failures"):
        return MISMATCH_EXIT
    return status
