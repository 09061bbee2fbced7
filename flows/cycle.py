"""The period cycle: ingest the reports, evaluate the rules, draft the notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from dutyflow.core.calendar import entered_years
from dutyflow.core.faults import fault_point
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.flows.artifacts import publish_artifacts
from dutyflow.flows.evaluate import evaluate_period
from dutyflow.flows.ingest import ingest_period
from dutyflow.flows.notices import draft_chase_letters, render_period
from dutyflow.flows.runners import shard_runner
from dutyflow.services.draft_pool import warm_up
from dutyflow.services.evaluate import EvaluationSummary, require_reported
from dutyflow.services.ingest import IngestSummary


@dataclass
class CycleSummary:
    period: str
    ingest: IngestSummary
    evaluation: EvaluationSummary
    drafted: int
    chased: list[str] = field(default_factory=list)  # 催办 letters drafted


@flow(name="dutyflow-cycle", flow_run_name="cycle {period}")
def run_cycle(period: PeriodParam, input_path: Path | None, policy_path: Path | None = None,
              on: date | None = None) -> CycleSummary:
    """Run a period end to end: ingest, evaluate, draft the notices, and chase the answers
    overdue at the period's end. `on` dates the drafts (default: today). Without an input
    nothing is ingested: the period is judged on what is stored (workbooks loaded before,
    the e-ledger's meetings).

    The stages' tasks run in this one flow run (the stages are flows of their own when run
    alone): a subflow run costs Prefect a few hundred milliseconds to a few seconds of
    bookkeeping, and the sharded stages share one task runner, so one Dask cluster."""
    period = str(Period.parse(period))
    on = on or date.today()
    entered_years()  # a bad holiday file stops the run here, before anything is stored
    if input_path is None:  # judged on what is stored: refused when nothing was reported
        require_reported(period)
    with shard_runner() as runner:  # a Dask cluster starts while the reports are ingested
        ingest = (ingest_period(period, Path(input_path), policy_path)
                  if input_path is not None else IngestSummary(period))
        if isinstance(runner, ThreadPoolTaskRunner) and ingest.changed:  # many new drafts likely
            warm_up(ingest.standing.get("organizations", (0, 0))[0])
        fault_point("after_ingest")
        evaluation = evaluate_period(period, policy_path, runner)
        drafted = render_period(period, on, runner)
    chased = draft_chase_letters(period, on, policy_path)
    publish_artifacts(period)
    return CycleSummary(period, ingest, evaluation, drafted, chased)
