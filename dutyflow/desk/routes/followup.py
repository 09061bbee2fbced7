"""The follow-up at the desk (闭环): the 反馈跟踪 view of a period by unit, a reply's evidence
files, and the two decisions on a reply, 销号 (accept) and 退回 (return)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from dutyflow.core import refusals
from dutyflow.core.calendar import office_today
from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import BadPeriodError, Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import FollowUp
from dutyflow.desk.deps import CurrentReviewer, Page, SignedIn
from dutyflow.desk.security import flash
from dutyflow.services.board import COLUMNS, follow_up_board
from dutyflow.services.followup import (
    accept_reply,
    evidence_file,
    follow_up_view,
    return_reply,
    tracking_words,
    view_periods,
)

router = APIRouter()
# evidence a browser may show in the page; anything else is downloaded, never rendered
SHOWN_INLINE = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
                ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
DOWNLOADED = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              ".doc": "application/msword", ".xlsx":
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              ".xls": "application/vnd.ms-excel", ".txt": "text/plain; charset=utf-8",
              ".zip": "application/zip"}


@router.get("/followup")
def follow_up(request: Request, reviewer: CurrentReviewer, page: Page, period: str = "",
              unit: str = "", state: str = "",
              page_number: Annotated[int, Query(alias="page")] = 1) -> HTMLResponse:
    periods = view_periods()
    period = period if period in periods else (periods[0] if periods else "")
    words = tracking_words()
    state = state if state in words else ""
    rows, units = follow_up_view(period=period, unit=unit, today=office_today()) if period \
        else ([], [])
    shown = [r for r in rows if r.tracking == state] if state else rows
    # a month of a province is thousands of rows: the chart sums them, the table pages them
    size = settings.desk_page_size
    pages = max(1, -(-len(shown) // size))
    at = min(max(1, page_number), pages)
    return page(request, "followup.html.j2", reviewer=reviewer, period=period, unit=unit,
                state=state, rows=shown[(at - 1) * size: at * size], matching=len(shown),
                page_at=at, pages=pages, all_rows=len(rows), units=units, words=words,
                periods=periods, here=_here(period=period, unit=unit, state=state))


def _here(**kept: str) -> Callable[..., str]:
    """The view's query string with some fields changed (empty ones left out)."""
    return lambda **changes: urlencode({k: v for k, v in {**kept, **changes}.items() if v})


@router.get("/followup/board")
def month_end_board(request: Request, reviewer: CurrentReviewer, page: Page,
                    period: str = "") -> HTMLResponse:
    """The answers of every case issued up to a month, as of its last day, by unit: the
    table the cycle's artifact gives the office's monthly meeting."""
    return page(request, "followup_board.html.j2", reviewer=reviewer, period=month_of(period),
                board=follow_up_board(month_of(period)), columns=list(COLUMNS.values()))


def month_of(text: str) -> str:
    """The month asked for (any month, with cases of its own or not), or the current one."""
    try:
        wanted = Period.parse(text)
    except BadPeriodError:
        wanted = Period.parse(office_today().strftime("%Y-%m"))
    return str(wanted) if wanted.kind == "month" else office_today().strftime("%Y-%m")


def _back(document_id: str) -> str:
    return f"/documents/{quote(document_id)}"


def _seen(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@router.post("/documents/{document_id}/accept")
def accept(request: Request, document_id: str, reviewer: CurrentReviewer,
           reply: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    try:
        accept_reply(case_id=document_id, reviewer=reviewer.name, note=note,
                     seen_reply=_seen(reply))
    except DutyflowError as exc:
        flash(request, "error", refusals.NOT_RECORDED.format(document_id=document_id,
                                                              reason=exc))
        return RedirectResponse(_back(document_id), status_code=303)
    flash(request, "ok", f"{document_id}：反馈通过，{FollowUp.CLOSED.words}（{reviewer.name}）")
    return RedirectResponse(_back(document_id), status_code=303)


@router.post("/documents/{document_id}/return")
def give_back(request: Request, document_id: str, reviewer: CurrentReviewer,
              reply: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    try:
        case = return_reply(case_id=document_id, reviewer=reviewer.name, note=note,
                            seen_reply=_seen(reply))
    except DutyflowError as exc:
        flash(request, "error", refusals.NOT_RECORDED.format(document_id=document_id,
                                                              reason=exc))
        if note:
            flash(request, "note", note)  # what was typed is given back to the form
        return RedirectResponse(_back(document_id), status_code=303)
    flash(request, "ok", f"{document_id}：反馈退回（{reviewer.name}），须于 {case.reply_due} 前"
                         "重新反馈")
    return RedirectResponse(_back(document_id), status_code=303)


@router.get("/documents/{document_id}/replies/{reply_id}/files/{index}",
            dependencies=[SignedIn])
def reply_file(request: Request, document_id: str, reply_id: str, index: str,
               page: Page) -> Response:
    """One evidence file of one reply of this case, by its index in the reply's record."""
    found = (evidence_file(case_id=document_id, reply_id=int(reply_id), index=int(index))
             if reply_id.isdigit() and index.isdigit() else None)
    if found is None:
        return page.error(request, status_code=404, title="没有这份佐证材料",
                          message=refusals.NO_SUCH_EVIDENCE)
    path, name = found
    suffix = path.suffix.lower()
    inline = suffix in SHOWN_INLINE
    response = FileResponse(path, media_type=SHOWN_INLINE.get(suffix) or DOWNLOADED.get(
        suffix, "application/octet-stream"), filename=name,
        content_disposition_type="inline" if inline else "attachment")
    # shown in the desk's own page at most: no scripts, nothing fetched, not framed by others
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; sandbox")
    return response
