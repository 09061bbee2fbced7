"""The queue of documents waiting for a decision, and bulk approval of office cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dutyflow.core import refusals
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import CHASE, DOCUMENT_KINDS, DocumentStatus
from dutyflow.desk.deps import CurrentReviewer, Page, SignedIn
from dutyflow.desk.filters import filter_of, plain_query, query_of
from dutyflow.desk.security import flash
from dutyflow.services.casefile import approve_office_cases, queue_page, waiting_documents

router = APIRouter()
TO_ALL = tuple(k for k, kind in DOCUMENT_KINDS.items() if kind.to_all)


@router.get("/", dependencies=[SignedIn])
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/queue")
def queue(request: Request, reviewer: CurrentReviewer, page: Page,
          page_number: Annotated[int, Query(alias="page")] = 1) -> HTMLResponse:
    params = request.query_params
    wanted = filter_of(params)
    result, choices = queue_page(wanted, page_number, settings.desk_page_size)
    drafts = wanted.status == DocumentStatus.DRAFT
    circulars = waiting_documents(wanted.period, TO_ALL) if drafts else []
    chases = waiting_documents(wanted.period, (CHASE,)) if drafts else []
    return page(request, "queue.html.j2", reviewer=reviewer, result=result, choices=choices,
                params=params, query=lambda **c: query_of(params, **c), wanted=wanted,
                circulars=circulars, chases=chases)


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
