"""The period cycle: ingest the reports, evaluate the rules, draft the notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import flow

from dutyflow.core.faults import fault_point
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.flows.artifacts import publish_artifacts
from dutyflow.flows.evaluate import EvaluationSummary, evaluate_rules
from dutyflow.flows.ingest import IngestSummary, ingest_reports
from dutyflow.flows.notices import draft_chase_letters, render_notices
from dutyflow.flows.runners import sharded_task_runner


@dataclass
class CycleSummary:
    period: str
    ingest: IngestSummary
    evaluation: EvaluationSummary
    drafted: int
    chased: list[str] = field(default_factory=list)  # 催办 letters drafted


@flow(name="dutyflow-cycle", flow_run_name="cycle {period}")
def run_cycle(period: PeriodParam, input_path: Path, policy_path: Path | None = None,
              on: date | None = None) -> CycleSummary:
    """Run a period end to end: ingest, evaluate, draft the notices, and chase the answers
    overdue at the period's end. `on` dates the drafts (default: today)."""
    period = str(Period.parse(period))
    on = on or date.today()
    ingest = ingest_reports(period=period, input_path=Path(input_path), policy_path=policy_path)
    fault_point("after_ingest")
    # a task runner serves one flow run, so each sharded subflow gets its own
    evaluation = evaluate_rules.with_options(task_runner=sharded_task_runner())(
        period=period, policy_path=policy_path)
    drafted = render_notices.with_options(task_runner=sharded_task_runner())(period=period, on=on)
    chased = draft_chase_letters(period, on, policy_path)
    publish_artifacts(period)
    return CycleSummary(period, ingest, evaluation, drafted, chased)
