"""The cycle's stages called directly, without Prefect: each stage's seconds, items/s and peak RSS."""

from __future__ import annotations

import contextlib
import pickle
import sqlite3
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from bench.memory import peak_rss_mib, reset_peak_rss
from bench.workers import configure

if TYPE_CHECKING:
    from dutyflow.rules.compile import Rule
    from dutyflow.rules.judge import Evaluator

# Each stage group imports the product modules it calls when it starts, as the flows' modules
# would be loaded, so a stage's peak RSS holds only what ran up to it.


class Stages:
    """Named stages with wall seconds, items, items/s and the stage's own peak RSS."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.peak_resets = reset_peak_rss()
        self._open: tuple[dict[str, Any], float] | None = None

    def start(self, name: str, unit: str = "", items: int | None = None) -> dict[str, Any]:
        """Open a stage (one at a time); its row, whose items may be filled in until it stops."""
        if self._open is not None:
            raise RuntimeError(f"stage {self._open[0]['stage']!r} is still open")
        reset_peak_rss()
        row: dict[str, Any] = {"stage": name, "unit": unit, "items": items}
        self._open = (row, time.perf_counter())
        return row

    def stop(self, items: int | None = None) -> dict[str, Any]:
        """Close the open stage: its seconds, peak RSS and, given items, items per second."""
        if self._open is None:
            raise RuntimeError("no stage is open")
        row, t0 = self._open
        row["seconds"] = time.perf_counter() - t0
        row["peak_rss_mib"] = peak_rss_mib()
        self._open = None
        if items is not None:
            row["items"] = items
        if row["items"] and row["seconds"] > 0:
            row["per_second"] = row["items"] / row["seconds"]
        self.rows.append(row)
        return row

    @contextlib.contextmanager
    def stage(self, name: str, unit: str = "", items: int | None = None
              ) -> Iterator[dict[str, Any]]:
        row = self.start(name, unit, items)
        yield row
        self.stop()


class EngineStage:
    """The `evaluate` of `judge_facts`, timed: the stage open when judging starts (compiling
    the rules) closes when the engine is called, the engine is a stage of its own, and
    `after` opens as it returns (building findings)."""

    def __init__(self, stages: Stages, engine: Evaluator, name: str, after: str) -> None:
        self.stages, self.engine, self.name, self.after = stages, engine, name, after

    def __call__(self, rules: list[Rule], facts: pd.DataFrame) -> list[tuple[str, str]]:
        self.stages.stop(items=len(rules))
        with self.stages.stage(self.name, "facts", len(facts)):
            matches = self.engine(rules, facts)
        self.stages.start(self.after, "matches", len(matches))
        return matches


def direct_ingest(stages: Stages, period: str, input_path: Path) -> int:
    """The ingest service's steps in the ingest flow's order (flows/ingest.py:ingest_period),
    each table's read and clean a stage of its own; rows loaded."""
    from dutyflow.services import ingest

    specs = ingest.read_table_specs(None)
    with stages.stage("ingest: find tables") as row:
        sources = ingest.find_report_tables(input_path)
        row["items"] = sum(len(v) for v in sources.values())
        row["unit"] = "sources"
    known = ingest.read_known_orgs()
    cleaned = []
    for spec in ingest.loading_order(sources):
        cases = ingest.read_known_cases() if ingest.names_cases(spec) else None
        with stages.stage(f"ingest: read {spec.name}", "rows") as row:
            raws = ingest.read_report_table(sources[spec.name])
            row["items"] = sum(len(r.rows) for r in raws)
        with stages.stage(f"ingest: clean {spec.name}", "rows") as row:
            table = ingest.clean_report_table(raws, specs[spec.name], period=period,
                                              known_orgs=known, known_cases=cases)
            row["items"] = len(table.rows)
        known = ingest.known_after(known, table)
        cleaned.append(table)
    with stages.stage("ingest: load (one transaction)", "rows") as row:
        loads = ingest.load_period(period=period, tables=cleaned)
        row["items"] = sum(t.rows_loaded for t in loads)
    return ingest.summarise(period, cleaned, loads).rows_loaded


def direct_evaluate(stages: Stages, period: str) -> pd.DataFrame:
    """The evaluate service's steps in the evaluate flow's order (flows/evaluate.py:
    evaluate_period) on one shard, its reading, building, judging and storing stages of their
    own; the period's facts."""
    from dutyflow.rules.engine import evaluate_facts
    from dutyflow.rules.judge import judge_facts
    from dutyflow.services import evaluate

    with stages.stage("evaluate: read policy"):
        policy = evaluate.read_policy(None)
    with stages.stage("evaluate: read frames (SQL)", "rows") as row:
        data = evaluate.load_period_data(policy, period)
        row["items"] = evaluate.rows_read(data)
    with stages.stage("evaluate: build facts (pandas)", "facts") as row:
        [facts] = evaluate.shard_facts(policy, data, 1)
        row["items"] = len(facts)
    engine = EngineStage(stages, evaluate_facts, "evaluate: durable-rules engine",
                         after="evaluate: findings + actions")
    stages.start("evaluate: compile rules", "rules")
    shard = judge_facts(policy, period, facts, evaluate=engine)
    findings, actions = evaluate.decide_cases(policy, period, [shard])
    stages.stop()
    with stages.stage("evaluate: store (one transaction)", "findings", len(findings)):
        evaluate.store_outcome(policy=policy, period=period, facts=len(facts),
                               findings=findings, actions=actions)
    return facts


def direct_draft(stages: Stages, period: str, on: date, limit: int | None = None) -> int:
    """The drafting service as the draft flow calls it without Dask, in one shard (on the
    processes it would use); notices drafted."""
    from dutyflow.core.settings import settings
    from dutyflow.services.criticism import draft_criticism_circular
    from dutyflow.services.draft_pool import draft_on_cores, processes_for
    from dutyflow.services.drafting import plan_drafts, record_drafts

    with stages.stage("draft: query actions + orgs", "actions") as row:
        items = [item for shard in plan_drafts(period=period, shards=1, on=on) for item in shard]
        row["items"] = len(items)
    if limit is not None:
        items = items[:limit]
    processes = processes_for(len(items))  # as the cycle drafts without Dask
    with stages.stage("draft: render .docx + .html", "notices", len(items)) as row:
        row["processes"] = processes  # (the peak RSS is this process's, not its helpers')
        drafts = draft_on_cores(items, on=on, output_dir=Path(settings.output_dir).resolve(),
                                processes=processes)
    with stages.stage("draft: store paths", "notices", len(drafts)):
        record_drafts(drafts)
    if limit is None:
        with stages.stage("draft: 通报批评 (decided criticisms)"):
            draft_criticism_circular(period=period, on=on)
    return len(drafts)


def direct_follow_up(stages: Stages, period: str, on: date) -> None:
    """What the cycle does after drafting, without Prefect: the 催办 letters due, and the
    board, digest and chart its artifacts carry (written to files, not to Prefect's API)."""
    from dutyflow.core.settings import settings
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.chasing import draft_chases
    from dutyflow.services.digest import cycle_digest

    with stages.stage("chase: draft 催办 letters", "letters") as row:
        row["items"] = len(draft_chases(period=period, on=on,
                                        policy=load_policy(settings.policy_file)))
    with stages.stage("artifacts: board, digest, chart"):
        cycle_digest(period)


def snapshot_database(db_path: Path, target: Path) -> None:
    """A consistent copy of the SQLite database (WAL included), for the profiler."""
    source = sqlite3.connect(db_path)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)
    copy.close()
    source.close()


def create_schema() -> None:
    """The database's tables, created outside the measured stages."""
    from dutyflow.models.db import session_scope

    with session_scope():
        pass


def worker_direct(cfg: dict[str, Any]) -> dict[str, Any]:
    """The cycle's stages called directly; snapshots of the database before each for profiling."""
    configure()
    create_schema()
    db, work = Path(cfg["db"]), Path(cfg["work"])
    stages = Stages()
    t0 = time.perf_counter()
    rows = direct_ingest(stages, cfg["period"], Path(cfg["input"]))
    ingest_s = time.perf_counter() - t0
    out: dict[str, Any] = {"rows_loaded": rows, "ingest_s": ingest_s}
    if cfg.get("ingest_only"):
        return {**out, "stages": stages.rows, "peak_resets": stages.peak_resets}
    snapshot_database(db, work / "before-evaluate.db")
    t0 = time.perf_counter()
    facts = direct_evaluate(stages, cfg["period"])
    out["evaluate_s"] = time.perf_counter() - t0
    with open(work / "cycle-facts.pkl", "wb") as handle:
        pickle.dump(facts, handle)
    snapshot_database(db, work / "before-draft.db")
    t0 = time.perf_counter()
    out["drafted"] = direct_draft(stages, cfg["period"], date.fromisoformat(cfg["on"]))
    out["draft_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    direct_follow_up(stages, cfg["period"], date.fromisoformat(cfg["on"]))
    out["follow_up_s"] = time.perf_counter() - t0
    out["facts"] = len(facts)
    return {**out, "stages": stages.rows, "peak_resets": stages.peak_resets}
