"""Resident memory: this process's peak RSS (resettable) and its child processes' RSS."""

from __future__ import annotations

import os
import resource


def _status_kib(pid: str = "self") -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: 5 > /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    """Peak RSS since the last reset (VmHWM), else over the process's life (ru_maxrss)."""
    status = _status_kib()
    if "VmHWM" in status:
        return status["VmHWM"] / 1024
    return lifetime_peak_rss_mib()


def lifetime_peak_rss_mib() -> float:
    """Peak RSS over the process's whole life, whatever was reset."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def child_rss_mib() -> dict[str, float]:
    """RSS and peak RSS of this process's descendants (the temporary Prefect server)."""
    rss = hwm = 0
    stack = _children(os.getpid())
    while stack:
        pid = stack.pop()
        status = _status_kib(str(pid))
        rss += status.get("VmRSS", 0)
        hwm += status.get("VmHWM", 0)
        stack += _children(pid)
    return {"rss_mib": rss / 1024, "peak_rss_mib": hwm / 1024}
