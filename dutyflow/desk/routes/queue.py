"""The queue of documents waiting for a decision, and bulk approval of office cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from dutyflow.core import refusals
from dutyflow.core.calendar import local_time, office_today
from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import CHASE, DOCUMENT_KINDS, DocumentStatus
from dutyflow.desk.deps import CurrentReviewer, Page, SignedIn
from dutyflow.desk.filters import filter_of, plain_query, query_of
from dutyflow.desk.security import flash
from dutyflow.rules.policy import load_policy
from dutyflow.services.casefile import approve_office_cases, queue_page, waiting_documents
from dutyflow.services.followup import follow_up_statuses, tracking_words
from dutyflow.services.issuing import issue_approved

router = APIRouter()
TO_ALL = tuple(k for k, kind in DOCUMENT_KINDS.items() if kind.to_all)
FOLLOW_UP_FILTER = "followup:"  # a status after issue: the 反馈跟踪 view answers it


@router.get("/", dependencies=[SignedIn])
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue(request: Request, reviewer: CurrentReviewer, page: Page,
          page_number: Annotated[int, Query(alias="page")] = 1) -> Response:
    params = request.query_params
    status = params.get("status", "")
    if status.startswith(FOLLOW_UP_FILTER):  # the answers after issue live in 反馈跟踪
        wanted_view = {"period": params.get("period", ""), "unit": params.get("unit", ""),
                       "state": status.removeprefix(FOLLOW_UP_FILTER)}
        return RedirectResponse("/followup?" + urlencode(
            {k: v for k, v in wanted_view.items() if v}), status_code=303)
    wanted = filter_of(params)
    result, choices = queue_page(wanted, page_number, settings.desk_page_size)
    drafts = wanted.status == DocumentStatus.DRAFT
    circulars = waiting_documents(wanted.period, TO_ALL) if drafts else []
    chases = waiting_documents(wanted.period, (CHASE,)) if drafts else []
    issued = [r.id for r in result.rows if r.status == DocumentStatus.ISSUED]
    return page(request, "queue.html.j2", reviewer=reviewer, result=result, choices=choices,
                params=params, query=lambda **c: query_of(params, **c), wanted=wanted,
                circulars=circulars, chases=chases, tracking=tracking_words(),
                after_issue=follow_up_statuses(issued, office_today()),
                follow_up_filter=FOLLOW_UP_FILTER)


@router.post("/queue/approve")
def bulk_approve(request: Request, reviewer: CurrentReviewer,
                 case: Annotated[list[str] | None, Form()] = None,
                 back: Annotated[str, Form()] = "") -> Response:
    outcome = approve_office_cases(list(case or []), reviewer.name)
    if outcome.approved:
        flash(request, "ok", f"已批准 {len(outcome.approved)} 件：" + "、".join(outcome.approved))
    flash(request, "error", *outcome.refused)  # every row, however many: kept on the server
    if not case:
        flash(request, "error", refusals.NOTHING_CHOSEN)
    return RedirectResponse("/queue?" + plain_query(back), status_code=303)


@router.post("/queue/issue")
def issue_period(request: Request, reviewer: CurrentReviewer,
                 period: Annotated[str, Form()] = "",
                 confirmed: Annotated[str, Form()] = "",
                 back: Annotated[str, Form()] = "") -> Response:
    """印发: every approved document of the period gets its number and final file, as
    `dutyflow issue` does, dated today and signed as issued by this reviewer."""
    if not confirmed:
        flash(request, "error", refusals.ISSUE_NOT_CONFIRMED)
    else:
        try:
            on = local_time(datetime.now(UTC)).date()
            summary = issue_approved(period=str(Period.parse(period)), on=on,
                                     issued_by=reviewer.name,
                                     policy=load_policy(settings.policy_file))
        except (DutyflowError, ValueError) as exc:
            flash(request, "error", refusals.ISSUE_REFUSED.format(reason=exc))
        else:
            if summary.issued:
                flash(request, "ok", f"已印发 {len(summary.issued)} 份：" + "、".join(
                    number or subject for subject, number, _ in summary.issued))
            else:
                flash(request, "ok", f"{period} 没有已批准待印发的文书")
            flash(request, "error", *summary.refused)
    return RedirectResponse("/queue?" + plain_query(back), status_code=303)
