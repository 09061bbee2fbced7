"""A document's page (every kind: a case's notice, a 催办, a circular), its decision, its
files, and the addresses from before every document had one page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from dutyflow.core import refusals
from dutyflow.core.calendar import office_today
from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import MEASURE_KINDS, status_words
from dutyflow.desk.deps import CurrentReviewer, Page, PageRenderer, SignedIn
from dutyflow.desk.filters import filter_of, neighbours, params_of, plain_query, query_of
from dutyflow.desk.security import FRAMED_NOTICE_CSP, flash
from dutyflow.services.casefile import document_file, document_path, queue_ids
from dutyflow.services.followup import case_replies, follow_up_statuses
from dutyflow.services.portal import today
from dutyflow.services.receipts import document_receipts
from dutyflow.services.review import decide, own_organization

router = APIRouter()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: str, reviewer: CurrentReviewer,
                  page: Page) -> HTMLResponse:
    found = document_file(document_id)
    if found is None:
        return page.error(request, status_code=404, title="没有这份文书",
                          message=f"没有文书 {document_id}，请检查编号，或从待审队列重新打开。")
    params = request.query_params
    ids = queue_ids(filter_of(params)) if found.case is not None else []
    previous, following = neighbours(ids, document_id) if ids else (None, None)
    own = own_organization(reviewer, found.org)  # the rule `decide` applies: no forms to refuse
    replies, return_due = case_replies(document_id) if found.case and found.case.follow_up \
        else ([], None)
    return page(request, "document.html.j2", reviewer=reviewer, found=found,
                query=query_of(params), previous=previous, following=following,
                position=(ids.index(document_id) + 1) if document_id in ids else None,
                total=len(ids), own_branch=own, replies=replies, return_due=return_due,
                follow_status=follow_up_statuses([document_id], office_today()).get(document_id),
                receipts=document_receipts(document_id, on=today()))


@router.get("/cases/{document_id}")
@router.get("/chases/{document_id}")
@router.get("/circulars/{document_id}")
def old_address(request: Request, document_id: str) -> Response:
    """Addresses from before every document had one page: kept for old links."""
    query = request.url.query
    return RedirectResponse(f"/documents/{quote(document_id)}" + (f"?{query}" if query else ""),
                            status_code=301)


@router.post("/documents/{document_id}/decide")
def decide_document(request: Request, document_id: str, reviewer: CurrentReviewer,
                    decision: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                    decision_ref: Annotated[str, Form()] = "",
                    version: Annotated[str, Form()] = "",
                    back: Annotated[str, Form()] = "") -> Response:
    query = plain_query(back)
    here = f"/documents/{quote(document_id)}" + (f"?{query}" if query else "")
    if decision not in ("approve", "reject"):
        flash(request, "error", refusals.CHOOSE_DECISION)
        return RedirectResponse(here, status_code=303)
    following = neighbours(queue_ids(filter_of(params_of(query))), document_id)[1]
    try:
        decided = decide(document_id=document_id, decision=decision, reviewer=reviewer.name,
                         note=note, decision_ref=decision_ref,
                         seen_version=int(version) if version.isdigit() else None)
    except DutyflowError as exc:
        flash(request, "error", refusals.NOT_RECORDED.format(document_id=document_id, reason=exc))
        return RedirectResponse(here, status_code=303)
    flash(request, "ok", f"{document_id}：{status_words(decided.status)}（{reviewer.name}）")
    if decided.kind not in MEASURE_KINDS:  # no queue of its own around it
        return RedirectResponse(here, status_code=303)
    target = f"/documents/{quote(following)}" if following else "/queue"
    return RedirectResponse(target + (f"?{query}" if query else ""), status_code=303)


@router.get("/documents/{document_id}/notice", dependencies=[SignedIn])
def notice_view(request: Request, document_id: str, page: Page) -> Response:
    return _document(request, page, document_id, ".html", "text/html; charset=utf-8", inline=True)


@router.get("/documents/{document_id}/notice.docx", dependencies=[SignedIn])
def notice_docx(request: Request, document_id: str, page: Page) -> Response:
    return _document(request, page, document_id, ".docx", DOCX)


@router.get("/documents/{document_id}/notice.pdf", dependencies=[SignedIn])
def notice_pdf(request: Request, document_id: str, page: Page, view: bool = False) -> Response:
    """The issued PDF, as printed; `view` shows it in the browser instead of saving it."""
    return _document(request, page, document_id, ".pdf", "application/pdf", inline=view)


def _document(request: Request, page: PageRenderer, document_id: str, suffix: str,
              media_type: str, inline: bool = False) -> Response:
    path = document_path(document_id, suffix)
    if path is None:
        return page.error(request, status_code=404, title="没有这份文书",
                          message=f"{document_id} 没有这份文件，请回到文书页面查看可下载的文件。")
    response = FileResponse(path, media_type=media_type, filename=None if suffix == ".html"
                            else f"{document_id}{suffix}", content_disposition_type="inline"
                            if inline else "attachment")
    if inline and suffix == ".html":
        response.headers["Content-Security-Policy"] = FRAMED_NOTICE_CSP
    return response
