"""The portal's pages, phone first: the home page (what is due, answers due, documents not yet
signed for), the inbox with 签收, a document, and the answer form. Signed in at the desk's
login; every form carries the desk's CSRF token (the app checks it before any handler)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dutyflow.core import refusals
from dutyflow.core.errors import BadPeriodError, DutyflowError
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.desk.security import FRAMED_NOTICE_CSP, flash
from dutyflow.portal.deps import PortalPage, PortalScope, read_uploads
from dutyflow.services import drafts, ledger, ledger_export, portal
from dutyflow.services.portal import Scope

router = APIRouter(prefix="/portal")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _missing(request: Request, pages: PortalPage, scope: Scope) -> HTMLResponse:
    """Another organization's id looks exactly like one that does not exist."""
    return pages(request, "error.html.j2", status_code=404, account=scope.account,
                 title="没有找到", message=refusals.NOT_FOUND)


@router.get("")
def home(request: Request, scope: PortalScope, pages: PortalPage) -> HTMLResponse:
    found = portal.home(scope)
    return pages(request, "home.html.j2", account=scope.account, home=found,
                 period=found.period, duties=found.duties, answers=found.answers,
                 unsigned=found.unsigned, today=portal.today())


@router.get("/inbox")
def inbox(request: Request, scope: PortalScope, pages: PortalPage) -> HTMLResponse:
    return pages(request, "inbox.html.j2", account=scope.account,
                 documents=portal.documents(scope))


@router.get("/documents/{document_id}")
def document(request: Request, document_id: str, scope: PortalScope,
             pages: PortalPage) -> HTMLResponse:
    row = portal.document_row(scope, document_id)
    if row is None:
        return _missing(request, pages, scope)
    case = portal.case_of(scope, document_id)
    return pages(request, "document.html.j2", account=scope.account, row=row,
                 has_pdf=portal.document_pdf(scope, document_id) is not None,
                 has_html=portal.document_html(scope, document_id) is not None,
                 case=case, follow=portal.follow_status(case),
                 steps=portal.answer_steps(scope, document_id))


@router.get("/documents/{document_id}/notice")
def notice(request: Request, document_id: str, scope: PortalScope,
           pages: PortalPage) -> Response:
    path = portal.document_html(scope, document_id)
    if path is None:
        return _missing(request, pages, scope)
    response = FileResponse(path, media_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = FRAMED_NOTICE_CSP
    return response


@router.get("/documents/{document_id}/notice.pdf")
def notice_pdf(request: Request, document_id: str, scope: PortalScope,
               pages: PortalPage) -> Response:
    path = portal.document_pdf(scope, document_id)
    if path is None:
        return _missing(request, pages, scope)
    return FileResponse(path, media_type="application/pdf", filename=f"{document_id}.pdf")


@router.post("/documents/{document_id}/receipt")
def sign_for(request: Request, document_id: str, scope: PortalScope,
             pages: PortalPage) -> Response:
    if portal.receive(scope, document_id) is None:
        return _missing(request, pages, scope)
    flash(request, "ok", "已签收，签收时间已记录")
    return RedirectResponse(f"/portal/documents/{quote(document_id)}", status_code=303)


@router.get("/cases/{case_id}")
def answer_form(request: Request, case_id: str, scope: PortalScope,
                pages: PortalPage) -> HTMLResponse:
    found = drafts.draft(scope, case_id)
    if found is None:
        return _missing(request, pages, scope)
    return pages(request, "reply.html.j2", account=scope.account, case=found.case, draft=found,
                 returned=portal.return_reason(scope, case_id), today=portal.today(),
                 limit_mb=settings.portal_upload_mb, limit_files=settings.portal_upload_files)


@router.post("/cases/{case_id}/draft")
async def save_answer(request: Request, case_id: str, scope: PortalScope,
                      pages: PortalPage) -> Response:
    """The answer form: 保存草稿 keeps it to resume later; 提交反馈 saves, then submits it
    (once: again only after the office returns it)."""
    here = f"/portal/cases/{quote(case_id)}"
    if await run_in_threadpool(portal.case_of, scope, case_id) is None:
        return _missing(request, pages, scope)
    form = await request.form()
    uploads = await read_uploads(form.getlist("files"))
    items = [{"finding_id": str(form.get(f"item-{n}-id", "")),
              "done": str(form.get(f"item-{n}-done", "")),
              "completed_on": str(form.get(f"item-{n}-on", ""))}
             for n in range(1, 1 + sum(1 for key in form if str(key).endswith("-id")))]
    submitting = form.get("action") == "submit"
    try:
        await run_in_threadpool(lambda: drafts.save(
            scope, case_id, measures=str(form.get("measures", "")), items=items,
            uploads=uploads, remove=[str(v) for v in form.getlist("remove")]))
        if submitting:
            await run_in_threadpool(drafts.submit, scope, case_id)
    except DutyflowError as exc:
        flash(request, "error", str(exc))
        return RedirectResponse(here, status_code=303)
    if not submitting:
        flash(request, "ok", "草稿已保存，可稍后继续填写")
        return RedirectResponse(here, status_code=303)
    flash(request, "ok", "整改情况反馈已提交，等待上级审核")
    return RedirectResponse("/portal", status_code=303)


@router.post("/cases/{case_id}/reply")
async def answer(request: Request, case_id: str, scope: PortalScope, pages: PortalPage,
                 measures: Annotated[str, Form()] = "", completed: Annotated[str, Form()] = "",
                 files: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    here = f"/portal/cases/{quote(case_id)}"
    if await run_in_threadpool(portal.case_of, scope, case_id) is None:
        return _missing(request, pages, scope)
    if not measures.strip():
        flash(request, "error", refusals.MEASURES_NEEDED)
        return RedirectResponse(here, status_code=303)
    uploads = await read_uploads(files or [])
    try:
        await run_in_threadpool(lambda: portal.answer(
            scope, case_id, measures=measures, completed={"是": True, "否": False}.get(completed),
            uploads=uploads))
    except DutyflowError as exc:
        flash(request, "error", str(exc))
        return RedirectResponse(here, status_code=303)
    flash(request, "ok", "整改情况反馈已提交，等待上级审核")
    return RedirectResponse("/portal", status_code=303)


@router.get("/ledger")
def ledger_page(request: Request, scope: PortalScope, pages: PortalPage,
                period: str = "") -> HTMLResponse:
    """三会一课台账: the month's meetings as recorded, and the form to record one; 整改台账:
    the month's workbook items and the ledger's, each of the ledger's with its update form."""
    try:
        chosen = str(Period.parse(period)) if period else portal.today().strftime("%Y-%m")
    except BadPeriodError:
        chosen = portal.today().strftime("%Y-%m")
    types = ledger.meeting_types()
    return pages(request, "ledger.html.j2", account=scope.account, period=chosen,
                 meetings=ledger.period_meetings(scope, chosen),
                 organizations=portal.organizations(scope),
                 types=types, type_names=dict(types), today=portal.today(),
                 fields=ledger.FIELDS, file_kinds=ledger.FILE_KINDS,
                 items=ledger.period_rectifications(scope, chosen),
                 item_fields=ledger.RECTIFICATION_FIELDS, statuses=ledger.STATUS_NAMES,
                 limit_mb=settings.portal_upload_mb, limit_files=settings.portal_upload_files)


@router.get("/ledger/export.xlsx")
def export_ledger(scope: PortalScope, period: str = "") -> Response:
    """The month's ledger of the account's organizations as a workbook (the meetings and
    rectifications layout the office's ingest reads), to work on in Excel."""
    try:
        chosen = str(Period.parse(period)) if period else portal.today().strftime("%Y-%m")
    except BadPeriodError:
        chosen = portal.today().strftime("%Y-%m")
    with tempfile.TemporaryDirectory(prefix="dutyflow-ledger-") as folder:
        path = Path(folder) / "ledger.xlsx"
        ledger_export.write_ledger(path, scope.codes, chosen)
        content = path.read_bytes()
    name = quote(f"{chosen}-电子台账.xlsx")
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.post("/ledger")
def record_meeting(request: Request, scope: PortalScope, pages: PortalPage,
                   org_code: Annotated[str, Form()] = "",
                   meeting_types: Annotated[list[str] | None, Form()] = None,
                   held_on: Annotated[str, Form()] = "", attendees: Annotated[str, Form()] = "",
                   full_members_present: Annotated[str, Form()] = "",
                   topic: Annotated[str, Form()] = "") -> Response:
    entry = {"org_code": org_code, "meeting_types": meeting_types or [], "held_on": held_on,
             "attendees": attendees, "full_members_present": full_members_present,
             "topic": topic}
    try:
        found = ledger.record_meeting(scope, entry)
    except ledger.OutsideScope:
        return _missing(request, pages, scope)
    except ledger.LedgerRefused as exc:
        flash(request, "error", str(exc))
        return RedirectResponse("/portal/ledger", status_code=303)
    flash(request, "ok", f"已登记{found.held_on}的组织生活")
    return RedirectResponse(f"/portal/ledger?period={found.held_on:%Y-%m}", status_code=303)


@router.post("/ledger/meetings/{meeting_id}/files")
async def add_meeting_files(request: Request, meeting_id: int, scope: PortalScope,
                            pages: PortalPage, kind: Annotated[str, Form()] = "minutes",
                            files: Annotated[list[UploadFile] | None, File()] = None
                            ) -> Response:
    """会议记录 and 签到表 kept with a meeting of the account's organizations."""
    uploads = await read_uploads(files or [])
    try:
        added = await run_in_threadpool(ledger.attach_files, scope, meeting_id, uploads, kind)
    except ledger.OutsideScope:
        return _missing(request, pages, scope)
    except DutyflowError as exc:
        flash(request, "error", str(exc))
        return RedirectResponse("/portal/ledger", status_code=303)
    flash(request, "ok", f"已保存{ledger.FILE_KINDS[kind]} {len(added)} 个文件" if added
          else "这些文件已在台账中，未重复保存")
    period = await run_in_threadpool(ledger.meeting_period, scope, meeting_id)
    return RedirectResponse(f"/portal/ledger?period={period}", status_code=303)


@router.get("/ledger/meetings/{meeting_id}/files/{sha256}")
def meeting_file(request: Request, meeting_id: int, sha256: str, scope: PortalScope,
                 pages: PortalPage) -> Response:
    found = ledger.meeting_file(scope, meeting_id, sha256)
    if found is None:
        return _missing(request, pages, scope)
    path, name = found
    return FileResponse(path, filename=name)


RECTIFICATIONS_HERE = "/portal/ledger#rectifications"


@router.post("/ledger/rectifications")
def record_rectification(request: Request, scope: PortalScope, pages: PortalPage,
                         org_code: Annotated[str, Form()] = "",
                         item_id: Annotated[str, Form()] = "",
                         description: Annotated[str, Form()] = "",
                         found_on: Annotated[str, Form()] = "",
                         deadline: Annotated[str, Form()] = "",
                         extended_to: Annotated[str, Form()] = "",
                         status: Annotated[str, Form()] = "",
                         completed_on: Annotated[str, Form()] = "",
                         source: Annotated[str, Form()] = "",
                         responsible: Annotated[str, Form()] = "") -> Response:
    """整改台账: a problem added to the account's organization's ledger."""
    entry = {"org_code": org_code, "item_id": item_id, "description": description,
             "found_on": found_on, "deadline": deadline, "extended_to": extended_to,
             "status": status, "completed_on": completed_on, "source": source,
             "responsible": responsible}
    try:
        found = ledger.record_rectification(scope, entry)
    except ledger.OutsideScope:
        return _missing(request, pages, scope)
    except ledger.LedgerRefused as exc:
        flash(request, "error", str(exc))
        return RedirectResponse(RECTIFICATIONS_HERE, status_code=303)
    flash(request, "ok", f"已登记整改问题{found.item_id}")
    return RedirectResponse(RECTIFICATIONS_HERE, status_code=303)


@router.post("/ledger/rectifications/{rectification_id}")
async def update_rectification(request: Request, rectification_id: int, scope: PortalScope,
                               pages: PortalPage, status: Annotated[str, Form()] = "",
                               completed_on: Annotated[str, Form()] = "",
                               files: Annotated[list[UploadFile] | None, File()] = None
                               ) -> Response:
    """An item of the account's organizations: its status, completion date, evidence files."""
    uploads = await read_uploads(files or [])
    try:
        found = await run_in_threadpool(lambda: ledger.update_item(
            scope, rectification_id, status=status, completed_on=completed_on,
            uploads=uploads))
    except ledger.OutsideScope:
        return _missing(request, pages, scope)
    except DutyflowError as exc:
        flash(request, "error", str(exc))
        return RedirectResponse(RECTIFICATIONS_HERE, status_code=303)
    flash(request, "ok", f"已更新整改问题{found.item_id}：{ledger.STATUS_NAMES[found.status]}")
    return RedirectResponse(RECTIFICATIONS_HERE, status_code=303)


@router.get("/ledger/rectifications/{rectification_id}/files/{sha256}")
def rectification_file(request: Request, rectification_id: int, sha256: str,
                       scope: PortalScope, pages: PortalPage) -> Response:
    found = ledger.evidence_file(scope, rectification_id, sha256)
    if found is None:
        return _missing(request, pages, scope)
    path, name = found
    return FileResponse(path, filename=name)
