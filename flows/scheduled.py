"""What the schedules run: last month's cycle from the inbox, the mid-month warning on this
month's reports so far, the quarter's circular and ranking, and the year's roll-up."""

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
from dutyflow.core.vocabulary import RANKING_CIRCULAR
from dutyflow.flows.artifacts import artifact_key as _key
from dutyflow.flows.artifacts import publish_artifacts
from dutyflow.flows.cycle import CycleSummary, run_cycle
from dutyflow.rules.policy import load_policy
from dutyflow.services import issuing
from dutyflow.services import ranking as ranking_service
from dutyflow.services.ranking import QuarterRanking, Settled
from dutyflow.services.ranking_report import ranking_markdown, write_ranking_files
from dutyflow.services.warning import MidMonthWarning, mid_month_warning, warning_workbook_path
from dutyflow.services.year import YearRecord, year_record, year_workbook_path


def previous_month(today: date) -> str:
    return str(Period(today.year, "month", today.month).previous())


def previous_quarter(today: date) -> str:
    return str(Period(today.year, "month", today.month).containing("quarter").previous())


@flow(name="monthly-cycle", flow_run_name="monthly cycle {period}")
def monthly_cycle(period: PeriodParam | None = None) -> CycleSummary | State:
    """Run the cycle on <inbox>/<period>; without a period, the month before today. A month
    with no inbox folder is judged on what is stored when the organizations kept their
    e-ledger in it (one source per organization, as `dutyflow run` without an input)."""
    period = period or previous_month(date.today())
    folder = Path(settings.inbox_dir) / period
    if not folder.is_dir() and not _reported(period):
        return _no_inbox(period, folder)
    summary = run_cycle(period=period, input_path=folder if folder.is_dir() else None)
    publish_artifacts(period)  # on the run the user opens, not only on its cycle subflow
    settle_bottom_lists(date.today())  # a 黄榜 window ends mid-quarter: settle it within a month
    return summary


def _reported(period: str) -> bool:
    from dutyflow.models.db import session_scope
    from dutyflow.models.ledger import period_reported

    with session_scope() as session:
        return period_reported(session=session, period=Period.parse(period))


def _no_inbox(period: str, folder: Path) -> State:
    """The usual way a scheduled month fails: one line and the run's state say it."""
    message = str(BadInputError(f"{Period.parse(period).label}的报表尚未放入：收件文件夹不存在",
                                file=str(folder.resolve())))
    get_run_logger().error(message)
    return Failed(message=message)


@task(cache_policy=NO_CACHE)
def read_warning(period: str, folder: Path, today: date) -> MidMonthWarning:
    """What is not yet met this month, and the answers overdue or soon due, from the reports
    so far."""
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
        raise BadInputError(f"月中提醒只针对某一月（如 2026-11），不能是 {period}")
    folder = Path(input_path) if input_path else Path(settings.inbox_dir) / period
    if not folder.exists():
        return _no_inbox(period, folder)
    warning = read_warning(period, folder, today)
    path = warning.write_workbook(warning_workbook_path(period))
    key = _key(period)
    create_markdown_artifact(key=f"dutyflow-warning-{key}", description=f"月中提醒 {period}",
                             markdown=warning.markdown() + f"\n\n工作簿：`{path.resolve()}`")
    if len(warning.not_held):  # codes and counts only: artifacts are widely visible
        create_table_artifact(key=f"dutyflow-warning-table-{key}",
                              description=f"月中提醒 {period}：尚未开展的组织生活",
                              table=warning.not_held[["unit", "org_code", "duty", "held",
                                                      "required"]].to_dict(orient="records"))
    get_run_logger().info("mid-month warning %s: %d duties not yet met, %d answers overdue, "
                          "%d due soon; %s", period, len(warning.not_held), len(warning.overdue),
                          len(warning.due_soon), path)
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


@task(cache_policy=NO_CACHE)
def settle_bottom_lists(on: date) -> list[Settled]:
    """Confirm (黑榜) or lift the bottom-list entries whose correction window has ended."""
    settled = ranking_service.settle_bottom_lists(on=on)
    for entry in settled:
        get_run_logger().info("%s %s: %s", entry.quarter, entry.org_code, entry.listing.words)
    return settled


@task(cache_policy=NO_CACHE)
def rank_quarter(quarter: str, on: date, policy_path: Path | None) -> QuarterRanking | None:
    return ranking_service.ranking_of(quarter=Period.parse(quarter),
                                      policy=load_policy(policy_path or settings.policy_file),
                                      on=on)


@task(cache_policy=NO_CACHE)
def draft_ranking_circular(quarter: str, on: date, policy_path: Path | None) -> Path | None:
    """Draft the ranking communiqué (考评排名通报) and open its review."""
    return issuing.draft_circular(quarter=quarter, on=on, kind=RANKING_CIRCULAR,
                                  policy=load_policy(policy_path or settings.policy_file))


@flow(name="quarter-ranking", flow_run_name="ranking {period}")
def quarter_ranking(period: PeriodParam | None = None, on: date | None = None,
                    draft: bool = True, policy_path: Path | None = None) -> str:
    """季通报: rank the quarter's units and branches by score (default: the quarter before
    today), write the ranking workbook and charts, show them as artifacts, and draft the
    communiqué for review (issued with issue-notices once approved). Bottom-list entries whose
    correction window ended are settled first."""
    on = on or date.today()
    period = str(Period.parse(period or previous_quarter(on)))
    if Period.parse(period).kind != "quarter":
        raise BadInputError(f"a ranking covers a quarter like 2026-Q3, not {period}")
    settle_bottom_lists(on)
    ranking = rank_quarter(period, on, policy_path)
    assert ranking is not None  # ranking_of raises when the quarter has no judged month
    files = write_ranking_files(ranking)
    create_markdown_artifact(key=f"dutyflow-ranking-{_key(period)}",
                             description=f"季度考评排名 {period}",
                             markdown=ranking_markdown(ranking, files))
    create_table_artifact(key=f"dutyflow-ranking-table-{_key(period)}",
                          description=f"季度考评排名 {period}",
                          table=[{k: v for k, v in row.items() if k not in ("organization",
                                                                            "unit", "months")}
                                 for row in ranking.table()])
    path = draft_ranking_circular(period, on, policy_path) if draft and not ranking.doc_number else None
    get_run_logger().info("ranked %d organizations for %s; workbook %s; communiqué %s",
                          len(ranking.rows), period, files.workbook,
                          path or ranking.doc_number or "not drafted")
    return str(files.workbook)


@task(cache_policy=NO_CACHE)
def roll_up_year(year: str, policy_path: Path | None) -> YearRecord:
    return year_record(year=year, policy=load_policy(policy_path or settings.policy_file))


@flow(name="year-roll-up", flow_run_name="year {period}")
def year_roll_up(period: PeriodParam | None = None, workbook: Path | None = None,
                 policy_path: Path | None = None) -> str:
    """年考核: roll the year's months up (default: last year) into each organization's annual
    score and record, as a workbook (a summary sheet and one per unit), charts and artifacts."""
    year = str(Period.parse(period or str(date.today().year - 1)))
    if Period.parse(year).kind != "year":
        raise BadInputError(f"the roll-up covers a year like 2026, not {period}")
    record = roll_up_year(year, policy_path)
    path = record.write_xlsx(Path(workbook) if workbook else year_workbook_path(year))
    charts = record.charts()
    folder = year_workbook_path(year).parent
    folder.mkdir(parents=True, exist_ok=True)
    for stem, chart in charts.items():
        (folder / f"{stem}.svg").write_text(chart.svg, encoding="utf-8")
        (folder / f"{stem}.png").write_bytes(chart.png)
    create_markdown_artifact(key=f"dutyflow-year-{_key(year)}", description=f"年度考核 {year}",
                             markdown=record.markdown(charts, path))
    create_table_artifact(key=f"dutyflow-year-table-{_key(year)}",
                          description=f"年度考核 {year}: per unit",
                          table=[{"org_code": u.org_code, "score": u.score,
                                  "findings": u.findings, "cases": u.cases}
                                 for u in record.units()])
    get_run_logger().info("rolled up %s (%d months judged, %d organizations): %s", year,
                          len(record.months), len(record.orgs), path)
    return str(path)
