"""A cProfile of the slowest direct stage group, on the database as it was before that group."""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.stages import Stages, create_schema, direct_draft, direct_evaluate, direct_ingest
from bench.workers import configure

BENCH_DIR = Path(__file__).resolve().parent  # the benchmark's own frames are left out


def worker_profile(cfg: dict[str, Any]) -> dict[str, Any]:
    """cProfile of one direct stage group on the database as it was before that stage."""
    configure()
    stage, work = cfg["stage"], Path(cfg["work"])
    stages = Stages()
    limit = None
    run: Callable[[], Any]
    if stage == "ingest":
        def run() -> Any:
            return direct_ingest(stages, cfg["period"], Path(cfg["input"]))
    elif stage == "evaluate":
        shutil.copy(work / "before-evaluate.db", cfg["db"])

        def run() -> Any:
            return direct_evaluate(stages, cfg["period"])
    else:
        shutil.copy(work / "before-draft.db", cfg["db"])
        limit = cfg["limit"] or None

        def run() -> Any:
            return direct_draft(stages, cfg["period"], date.fromisoformat(cfg["on"]), limit)
    import dutyflow.flows.evaluate  # noqa: F401  (imports are not what is profiled)
    import dutyflow.flows.ingest  # noqa: F401
    import dutyflow.services.drafting  # noqa: F401

    create_schema()
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).sort_stats("cumulative")
    stats.print_stats(25)
    top: list[dict[str, Any]] = []
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][3], reverse=True):  # type: ignore[attr-defined]
        if Path(file).resolve().parent == BENCH_DIR or func in ("<built-in method builtins.exec>",) \
                or "cProfile" in func or len(top) >= 40:
            continue
        top.append({"function": f"{Path(file).name}:{line}({func})", "calls": calls,
                    "tottime_s": tottime, "cumtime_s": cumtime})
    (work / f"profile-{stage}.txt").write_text(buffer.getvalue(), encoding="utf-8")
    return {"stage": stage, "limit": limit, "stages": stages.rows, "top": top,
            "text_path": str(work / f"profile-{stage}.txt")}
