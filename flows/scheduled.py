"""What the schedules run: last month's cycle from the inbox, and the quarter's circular."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.settings import settings
from dutyflow.flows.artifacts import publish_artifacts
from dutyflow.flows.cycle import CycleSummary, run_cycle
from dutyflow.services import issuing


def previous_month(today: date) -> str:
    return str(Period(today.year, "month", today.month).previous())


def previous_quarter(today: date) -> str:
    return str(Period(today.year, "month", today.month).containing("quarter").previous())


@flow(name="monthly-cycle", flow_run_name="monthly cycle {period}")
def monthly_cycle(period: PeriodParam | None = None) -> CycleSummary | State:
    """Run the cycle on <inbox>/<period>; without a period, the month before today."""
    period = period or previous_month(date.today())
    folder = Path(settings.inbox_dir) / period
    if not folder.is_dir():
        # the usual way a scheduled month fails: one line and the run's state say it, no traceback
        message = str(BadInputError(f"no reports for {period}: the inbox folder does not exist",
                                    file=str(folder.resolve())))
        get_run_logger().error(message)
        return Failed(message=message)
    summary = run_cycle(period=period, input_path=folder)
    publish_artifacts(period)  # on the run the user opens, not only on its cycle subflow
    return summary


@task(cache_policy=NO_CACHE)
def draft_circular(quarter: str, on: date) -> Path | None:
    """Draft the quarter's circular from its decided measures and open its review."""
    return issuing.draft_circular(quarter=quarter, on=on)


@flow(name="quarter-circular", flow_run_name="circular {period}")
def quarter_circular(period: PeriodParam | None = None) -> str:
    """Draft the quarterly circular (季度通报) for review; without a period, the quarter
    before today. It is issued (issue-notices) once a reviewer approved it."""
    period = str(Period.parse(period or previous_quarter(date.today())))
    if Period.parse(period).kind != "quarter":
        raise BadInputError(f"a circular covers a quarter like 2026-Q3, not {period}")
    path = draft_circular(period, date.today())
    if path is None:
        get_run_logger().info("no measure was decided in %s: no circular", period)
        return ""
    get_run_logger().info("drafted the %s circular for review: %s", period, path)
    return str(path)
