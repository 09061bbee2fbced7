"""Review in the Prefect UI: the flow pauses with a form of the pending actions.

The reviewer approves or rejects each with a note; decisions go through the same function as
`dutyflow review`, so both paths are equivalent. A timeout leaves every action pending.
"""

from __future__ import annotations

from typing import Literal

from prefect import flow, get_run_logger
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import BaseModel, Field

from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period, PeriodParam
from dutyflow.services.review import decide, pending_items


class Decision(BaseModel):
    action_id: str
    summary: str = ""
    decision: Literal["pending", "approve", "reject"] = "pending"
    note: str = Field(default="", description="Required to reject")


class ReviewForm(RunInput):
    reviewer: str = Field(default="", description="Your name, as it will be recorded")
    decisions: list[Decision] = Field(default_factory=list)


def pending_form(period: str) -> tuple[list[Decision], str]:
    """The form's rows and a markdown description of what waits for review."""
    items = pending_items(period)
    rows, lines = [], [f"## {len(items)} actions of {period} wait for review", "",
                       "| action | organization | kind | reasons | draft |",
                       "| --- | --- | --- | --- | --- |"]
    for item in items:
        rows.append(Decision(action_id=item.action_id,
                             summary=f"{item.measure} · {item.organization} · {item.reasons}"))
        lines.append(f"| `{item.action_id}` | {item.organization} | {item.measure} | "
                     f"{item.reasons} | {item.draft} |")
    return rows, "\n".join(lines)


def apply_decisions(form: ReviewForm) -> dict[str, int]:
    """Record each decided row; rows left `pending` stay drafts."""
    counts = {"approve": 0, "reject": 0, "pending": 0, "refused": 0}
    logger = get_run_logger()
    for row in form.decisions:
        if row.decision == "pending":
            counts["pending"] += 1
            continue
        try:
            decide(action_id=row.action_id, decision=row.decision, reviewer=form.reviewer,
                   note=row.note)
            counts[row.decision] += 1
        except DutyflowError as exc:
            counts["refused"] += 1
            logger.warning("%s: %s", row.action_id, exc)
    return counts


@flow(name="review-actions", flow_run_name="review {period}")
def review_actions(period: PeriodParam, timeout_seconds: int = 7 * 24 * 3600) -> dict[str, int]:
    """Pause for a reviewer's decisions on the period's pending actions."""
    period = str(Period.parse(period))
    logger = get_run_logger()
    rows, description = pending_form(period)
    if not rows:
        logger.info("nothing waits for review in %s", period)
        return {"approve": 0, "reject": 0, "pending": 0, "refused": 0}
    form_type = ReviewForm.with_initial_data(description=description, decisions=rows)
    try:
        form = pause_flow_run(wait_for_input=form_type, timeout=timeout_seconds,
                              key=f"review-{period}")
    except FlowPauseTimeout:
        logger.warning("review of %s timed out; %d actions stay pending", period, len(rows))
        return {"approve": 0, "reject": 0, "pending": len(rows), "refused": 0}
    counts = apply_decisions(form)
    logger.info("review of %s by %s: %s", period, form.reviewer or "?", counts)
    return counts
