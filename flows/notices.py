"""Flows for documents: draft the notices of new or changed actions; issue approved ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.settings import settings
from dutyflow.documents.notice import check_templates
from dutyflow.flows.runners import shard_count, shard_runner
from dutyflow.rules.policy import load_policy
from dutyflow.services import chasing, criticism, drafting
from dutyflow.services.draft_pool import draft_on_cores, processes_for
from dutyflow.services.drafting import DraftItem

if TYPE_CHECKING:  # issuing (numbering, PDFs, rankings' workbooks) is imported when issuing
    from dutyflow.services.issuing import IssueSummary


@task(cache_policy=NO_CACHE)
def plan_drafts(period: str, shards: int, on: date) -> list[list[DraftItem]]:
    """The actions whose draft is missing, with what their notices need, in shards."""
    return drafting.plan_drafts(period=period, shards=shards, on=on)


@task(cache_policy=NO_CACHE)
def render_shard(items: list[DraftItem], on: date, output_dir: str, processes: int = 1,
                 progress: Any = None) -> dict[str, tuple[str, str]]:
    """Write the drafts of one shard (on `processes` cores); each action's .docx and .html.
    On several cores the `progress` artifact moves as each part is done."""

    def drafted(count: int) -> None:
        update_progress_artifact(progress, progress=100.0 * count / len(items))

    return draft_on_cores(items, on=on, output_dir=Path(output_dir), processes=processes,
                          drafted=drafted if progress is not None and processes > 1 else None)


@task(cache_policy=NO_CACHE)
def record_drafts(drafts: dict[str, tuple[str, str]]) -> None:
    """Point each action at its new draft, in one transaction."""
    drafting.record_drafts(drafts)


@task(cache_policy=NO_CACHE)
def draft_criticism_circular(period: str, on: date) -> str | None:
    """Draft the period's 通报批评 from the criticisms the committee decided, for review."""
    path = criticism.draft_criticism_circular(period=period, on=on)
    return str(path) if path else None


@task(cache_policy=NO_CACHE)
def draft_chase_letters(period: str, on: date, policy_path: Path | None = None) -> list[str]:
    """A 催办 for each answer overdue at the period's end (drafts whose answer came: withdrawn)."""
    policy = load_policy(policy_path or settings.policy_file)
    return chasing.draft_chases(period=period, on=on, policy=policy)


def render_period(period: str, on: date, runner: Any) -> int:
    """The drafting's tasks, in the calling flow run; shards are rendered on `runner`."""
    check_templates()
    shards = plan_drafts(period, shard_count(runner), on)
    total = sum(len(shard) for shard in shards)
    if not total:
        return 0
    progress = create_progress_artifact(progress=0.0, description=f"drafting {period}")
    # on Dask the shards are the parallelism; in this process, the cores are
    processes = processes_for(total) if isinstance(runner, ThreadPoolTaskRunner) else 1
    # (a mapped list is not walked item by item the way a plain argument is; no quote needed)
    futures = runner.map(render_shard, {
        "items": shards, "on": unmapped(on),
        "output_dir": unmapped(str(Path(settings.output_dir).resolve())),
        "processes": unmapped(processes),
        "progress": unmapped(progress if processes > 1 else None)})
    drafts: dict[str, tuple[str, str]] = {}
    for future in futures:
        drafts.update(future.result())
        update_progress_artifact(progress, progress=100.0 * len(drafts) / total)
    record_drafts(quote(drafts))
    draft_criticism_circular(period, on)
    get_run_logger().info("drafted %d notices for %s in %d shards%s", len(drafts), period,
                          len(shards), f" on {processes} processes" if processes > 1 else "")
    return len(drafts)


@flow(name="render-notices", flow_run_name="draft notices {period}")
def render_notices(period: PeriodParam, on: date | None = None) -> int:
    """Draft the notices of a period's new or changed actions, shard by shard."""
    with shard_runner() as runner:
        return render_period(str(Period.parse(period)), on or date.today(), runner)


@task(cache_policy=NO_CACHE)
def issue_approved(period: str, on: date, issued_by: str) -> IssueSummary:
    """Number and finalise every approved document of the period, one transaction each."""
    from dutyflow.services import issuing

    return issuing.issue_approved(period=period, on=on, issued_by=issued_by,
                                  policy=load_policy(settings.policy_file))


@flow(name="issue-notices", flow_run_name="issue {period}")
def issue_notices(period: PeriodParam, issued_by: str = "dutyflow", on: date | None = None
                  ) -> IssueSummary:
    """Give each approved document of the period its number and final document: a month's
    notices, 催办 and 通报批评; a quarter's (2026-Q3) circulars."""
    period = str(Period.parse(period))
    check_templates()
    summary = issue_approved(period, on or date.today(), issued_by)
    get_run_logger().info("issued %d documents for %s (%d PDF views)", len(summary.issued),
                          period, summary.pdfs)
    for refused in summary.refused:
        get_run_logger().warning("not issued: %s", refused)
    return summary
