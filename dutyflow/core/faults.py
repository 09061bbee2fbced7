"""Fault injection for the crash-safety suite: named points where a run can be made to fail.

`DUTYFLOW_FAULT=<point>` makes that point raise; with `DUTYFLOW_FAULT_MODE=kill` the process
is killed outright (SIGKILL: no cleanup, no rollback handlers), as a power cut would.
Unset, a point costs one comparison.
"""

from __future__ import annotations

import os
import signal

POINTS = ("after_ingest", "mid_evaluation", "mid_rendering", "mid_issue")


class InjectedFault(RuntimeError):
    pass


def fault_point(name: str) -> None:
    if os.environ.get("DUTYFLOW_FAULT") != name:
        return
    if os.environ.get("DUTYFLOW_FAULT_MODE") == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise InjectedFault(f"injected fault at {name}")
