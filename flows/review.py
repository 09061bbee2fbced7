"""Review through Prefect: the run links to the desk and suspends for a form of decisions.

Suspending (not pausing) frees the worker slot and survives a restart of the server or the
worker: on resume the run starts again and picks up the submitted form by its key. Each row is
recorded through the same function as `dutyflow review` and the desk, in its own transaction,
so one refusal loses none of the others; refusals end the run Failed, with the reasons in its
state message. Reading the notices happens at the desk (an http link per case).
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, urlencode

from prefect import flow, get_run_logger, runtime
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import suspend_flow_run
from prefect.input import RunInput
from prefect.states import Completed, Failed, State
from pydantic import BaseModel, Field

from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.settings import settings
from dutyflow.services.review import PendingItem, decide, pending_items


class Decision(BaseModel):
    document_id: str
    summary: str = ""
    decision: Literal["pending", "approve", "reject"] = "pending"
    note: str = Field(default="", description="Required to reject")
    decision_ref: str = Field(default="", description="The committee decision (proposals)")


class ReviewForm(RunInput):
    reviewer: str = Field(default="", description="Your name, as it will be recorded")
    decisions: list[Decision] = Field(default_factory=list)


def document_url(document_id: str) -> str:
    return f"{settings.desk_address()}/documents/{quote(document_id)}"


def queue_url(period: str) -> str:
    return f"{settings.desk_address()}/queue?{urlencode({'period': period})}"


def pending_form(period: str) -> tuple[list[Decision], str, list[PendingItem]]:
    """The form's rows and a markdown description with a desk link per case."""
    items = pending_items(period)
    rows, lines = [], [f"## {len(items)} cases of {period} wait for review", "",
                       f"Read each notice at the review desk: [{queue_url(period)}]"
                       f"({queue_url(period)}). Decisions made there need nothing here.", "",
                       "| case | organization | measure | reasons |", "| --- | --- | --- | --- |"]
    for item in items:
        rows.append(Decision(document_id=item.document_id,
                             summary=f"{item.name} · {item.organization}"))
        lines.append(f"| [{item.document_id}]({document_url(item.document_id)}) | "
                     f"{item.organization} | {item.name} | {item.reasons} |")
    return rows, "\n".join(lines), items


def apply_decisions(form: ReviewForm) -> tuple[dict[str, int], list[str]]:
    """Record each decided row; rows left `pending` stay drafts. The counts, and refusals."""
    counts = {"approve": 0, "reject": 0, "pending": 0, "refused": 0}
    refused: list[str] = []
    for row in form.decisions:
        if row.decision == "pending":
            counts["pending"] += 1
            continue
        try:
            decide(document_id=row.document_id, decision=row.decision, reviewer=form.reviewer,
                   note=row.note, decision_ref=row.decision_ref)
            counts[row.decision] += 1
        except DutyflowError as exc:
            counts["refused"] += 1
            refused.append(f"{row.document_id}: {exc}")
    return counts, refused


def open_review_elsewhere(period: str) -> str | None:
    """The name of another review run of this period still open (running or suspended)."""
    this = runtime.flow_run.id
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=[f"review {period}"]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.PAUSED, StateType.RUNNING]))))
    others = [r for r in runs if str(r.id) != str(this)]
    return others[0].name + f" ({others[0].id})" if others else None


def publish_links(period: str, items: list[PendingItem], description: str) -> None:
    key = "".join(c if c.isalnum() else "-" for c in period.lower())
    create_link_artifact(key=f"review-desk-{key}", link=queue_url(period),
                         link_text=f"审核台：{period} 待审案件（{len(items)} 件）",
                         description=f"the review desk's queue for {period}")
    create_markdown_artifact(key=f"review-cases-{key}", markdown=description,
                             description=f"the cases of {period} waiting for review")
    for item in items:
        create_link_artifact(link=document_url(item.document_id),
                             link_text=f"{item.document_id} {item.name} · {item.organization}")


@flow(name="review-actions", flow_run_name="review {period}")
def review_actions(period: PeriodParam, timeout_seconds: int = 7 * 24 * 3600) -> State:
    """Suspend for a reviewer's decisions on the period's pending cases; link each to the desk."""
    period = str(Period.parse(period))
    logger = get_run_logger()
    if runtime.deployment.id is None:  # only a deployment's run can be suspended and resumed
        return Failed(message="review-actions runs as the deployment review-actions/review; "
                              "to decide without Prefect use the desk or `dutyflow review`")
    elsewhere = open_review_elsewhere(period)
    if elsewhere:
        return Completed(message=f"the review of {period} is already open as {elsewhere}; "
                                 "decide there or at the desk")
    rows, description, items = pending_form(period)
    if not rows:
        return Completed(message=f"nothing waits for review in {period}")
    if runtime.flow_run.run_count <= 1:  # not again when the run resumes from its suspension
        publish_links(period, items, description)
    form_type = ReviewForm.with_initial_data(description=description, decisions=rows)
    form = suspend_flow_run(wait_for_input=form_type, timeout=timeout_seconds,
                            key=f"review-{period}")
    counts, refused = apply_decisions(form)
    recorded = counts["approve"] + counts["reject"]
    logger.info("review of %s by %s: %s", period, form.reviewer or "?", counts)
    if refused:
        for line in refused:
            logger.error("refused %s", line)
        return Failed(message=f"{len(refused)} decisions refused, {recorded} recorded. "
                              + "; ".join(refused)[:3000])
    return Completed(message=f"{recorded} decisions recorded ({counts['approve']} approved, "
                             f"{counts['reject']} rejected), {counts['pending']} left pending")
