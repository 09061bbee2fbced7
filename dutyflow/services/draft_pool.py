"""Drafting on every core when no Dask cluster is configured: a province's month drafts
thousands of notices, each a few milliseconds of Python, on one core while the others idle.

The notices are handed out in parts, a few per process; each process is forked from a fork
server that has the drafting code imported (a second or two to start, once per command),
never from the cycle's own process, whose Prefect threads a fork would copy mid-flight. A
process takes the caller's settings and working folder with its part, so it drafts exactly
what the caller would have (same office, templates, output folder), and writes the same files."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.settings import Settings, settings
from dutyflow.services.drafting import DraftItem, draft_shard

MIN_PER_PROCESS = 500  # fewer notices than this a process: its start costs more than it saves
MAX_PROCESSES = 8
CHUNK = 1000  # notices handed to a helper at a time
ORGANIZATIONS_PER_NOTICE = 4  # a province's month: about one notice for four organizations
OWN_VARIABLES = ("DUTYFLOW_",)  # what else a draft reads from the environment (fault points)


def processes_for(count: int) -> int:
    """How many processes draft `count` notices: `drafting_processes` when set, else one per
    core this process may use, each with at least MIN_PER_PROCESS notices."""
    if settings.drafting_processes > 0:
        return max(1, min(settings.drafting_processes, count))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES, count // MIN_PER_PROCESS))


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dutyflow.services.draft_pool"])
    return context


def warm_up(organizations: int) -> bool:
    """Start the fork server now, in the background, when a month of this many organizations
    will likely draft on several cores: its imports (two seconds) then overlap the judging
    instead of delaying the drafting. Whether it was started."""
    if processes_for(organizations // ORGANIZATIONS_PER_NOTICE) <= 1:
        return False
    _context()
    threading.Thread(target=multiprocessing.forkserver.ensure_running, name="dutyflow-drafting",
                     daemon=True).start()
    return True


def draft_on_cores(items: list[DraftItem], *, on: date, output_dir: Path, processes: int,
                   drafted: Callable[[int], None] | None = None) -> dict[str, tuple[str, str]]:
    """Each notice's .docx and .html paths, as draft_shard gives them, drafted by `processes`
    processes (in this one when 1); `drafted` is told how many are done as each part is."""
    if processes <= 1 or len(items) < 2:
        return draft_shard(items, on=on, output_dir=output_dir)
    state = ({name: getattr(settings, name) for name in Settings.model_fields}, os.getcwd(),
             {k: v for k, v in os.environ.items() if k.startswith(OWN_VARIABLES)})
    # parts of at most CHUNK, a few per process: a helper holds one part at a time (ten
    # provinces' month is 48,000 notices), and one that finishes early takes the next
    size = max(1, min(CHUNK, -(-len(items) // (processes * 4))))
    parts = [items[n:n + size] for n in range(0, len(items), size)]
    drafts: dict[str, tuple[str, str]] = {}
    with ProcessPoolExecutor(max_workers=processes, mp_context=_context()) as pool:
        for done in as_completed([pool.submit(_draft_part, state, part, on, output_dir)
                                  for part in parts]):
            drafts.update(done.result())
            if drafted is not None:
                drafted(len(drafts))
    return {item.action.id: drafts[item.action.id] for item in items}  # the caller's order


def _draft_part(state: tuple[dict[str, Any], str, dict[str, str]], items: list[DraftItem],
                on: date, output_dir: Path) -> dict[str, tuple[str, str]]:
    fields, folder, variables = state
    for name in [k for k in os.environ if k.startswith(OWN_VARIABLES)]:
        del os.environ[name]  # the fork server's, from when it started
    os.environ.update(variables)
    os.chdir(folder)  # a relative office file or templates folder reads as the caller's
    for name, value in fields.items():
        setattr(settings, name, value)
    settings._office = None  # read from the file the caller's settings name
    return draft_shard(items, on=on, output_dir=output_dir)
