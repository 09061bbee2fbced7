"""What a command cannot go below on this machine: starting Python and importing what it must,
each in a fresh process with bytecode cached, as an installed command starts. The targets'
verdicts subtract these from the commands' own walls, so a target not met names its reason
in seconds measured in the same run, not in a sentence."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

# (label, modules imported after start-up); each a fresh interpreter
FLOORS = (
    ("python", ()),
    ("sqlalchemy", ("sqlalchemy",)),
    ("orm", ("sqlalchemy.orm", "sqlmodel")),
    ("tables", ("dutyflow.models.tables",)),
    ("prefect", ("prefect",)),
    ("cycle", ("dutyflow.flows.cycle",)),
)
_PROBE = ("import sys, time; t = time.perf_counter()\n"
          "for m in sys.argv[1:]: __import__(m)\n"
          "print(time.perf_counter() - t)")


def _once(modules: tuple[str, ...], env: dict[str, str]) -> tuple[float, float]:
    """(whole process wall, the imports' own share) of one fresh interpreter."""
    import time

    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PROBE, *modules], env=env,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, float(done.stdout.strip())


def measure_floors(env: dict[str, str] | None = None, repeats: int = 3) -> dict[str, float]:
    """Each floor's median over `repeats` runs: `python` is a whole process doing nothing, the
    others the seconds their imports take (the first run of each writes the bytecode)."""
    env = dict(env if env is not None else os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out: dict[str, float] = {}
    for label, modules in FLOORS:
        _once(modules, env)
        runs = [_once(modules, env) for _ in range(repeats)]
        out[label] = statistics.median(wall if not modules else imports
                                       for wall, imports in runs)
    return out
