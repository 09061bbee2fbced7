"""What the schedules run: last month's cycle from the inbox, the mid-month warning on this
month's reports so far, and the quarter's circular."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.settings import settings
from dutyflow.flows.artifacts import publish_artifacts
from dutyflow.flows.cycle import CycleSummary, run_cycle
from dutyflow.rules.policy import load_policy
from dutyflow.services import issuing
from dutyflow.services.warning import MidMonthWarning, mid_month_warning, warning_workbook_path


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
        return _no_inbox(period, folder)
    summary = run_cycle(period=period, input_path=folder)
    publish_artifacts(period)  # on the run the user opens, not only on its cycle subflow
    return summary


def _no_inbox(period: str, folder: Path) -> State:
    """The usual way a scheduled month fails: one line and the run's state say it."""
    message = str(BadInputError(f"no reports for {period}: the inbox folder does not exist",
                                file=str(folder.resolve())))
    get_run_logger().error(message)
    return Failed(message=message)


@task(cache_policy=NO_CACHE)
def read_warning(period: str, folder: Path, today: date) -> MidMonthWarning:
    """What is not yet held this month, and the answers soon due, from the reports so far."""
    return mid_month_warning(period=period, input_path=folder,
                             policy=load_policy(settings.policy_file), today=today)


@flow(name="mid-month-warning", flow_run_name="mid-month warning {period}")
def mid_month(period: PeriodParam | None = None, input_path: Path | None = None,
              today: date | None = None) -> str | State:
    """月中提醒 on <inbox>/<period> as reported so far (default: this month): an artifact and a
    workbook to send round; nothing is stored and no case opened."""
    today = today or date.today()
    period = str(Period.parse(period or str(Period(today.year, "month", today.month))))
    if Period.parse(period).kind != "month":
        raise BadInputError(f"the mid-month warning covers a month like 2026-11, not {period}")
    folder = Path(input_path) if input_path else Path(settings.inbox_dir) / period
    if not folder.exists():
        return _no_inbox(period, folder)
    warning = read_warning(period, folder, today)
    path = warning.write_workbook(warning_workbook_path(period))
    key = "".join(c if c.isalnum() else "-" for c in period)
    create_markdown_artifact(key=f"dutyflow-warning-{key}", description=f"月中提醒 {period}",
                             markdown=warning.markdown() + f"\n\n工作簿：`{path.resolve()}`")
    if len(warning.not_held):  # codes and counts only: artifacts are widely visible
        create_table_artifact(key=f"dutyflow-warning-table-{key}",
                              description=f"月中提醒 {period}: not yet held",
                              table=warning.not_held[["unit", "org_code", "duty", "held",
                                                      "minimum"]].to_dict(orient="records"))
    get_run_logger().info("mid-month warning %s: %d duties not yet held, %d answers due soon; %s",
                          period, len(warning.not_held), len(warning.due_soon), path)
    return str(path)


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
