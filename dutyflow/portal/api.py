"""The JSON API for the office's other systems (an OA system, a 政务微信 mini-program), under
/api: an organization's documents, 签收, answers, and what is due. Authenticated by a
per-account token (`Authorization: Bearer TOKEN`, made by `dutyflow account token NAME`),
never by the desk's cookie, so no CSRF token is asked; documented at /api/openapi.json.

Refusals are JSON: {"detail": "<a sentence in Chinese>"}; anything outside the account's
organizations is a 404, whatever the id."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Body, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from dutyflow.core import refusals
from dutyflow.core.errors import BadPeriodError, DutyflowError
from dutyflow.core.periods import Period
from dutyflow.portal.deps import ApiRefused, ApiScope, not_found, read_uploads
from dutyflow.services import drafts, ledger, portal
from dutyflow.services.portal import Upload

API_WORDS = {400: "无法读取提交的内容", 404: "没有这个接口", 405: "该接口不支持这种请求方式",
             422: "提交的参数不正确"}


class DocumentOut(BaseModel):
    id: str
    kind: str
    document_number: str | None
    issued_on: date | None
    org_code: str | None  # null: to all units
    signed_for_at: datetime | None  # null until signed for


class ReceiptOut(BaseModel):
    id: str
    signed_for_at: datetime


class ReplyOut(BaseModel):
    id: int
    case_id: str
    received_on: date
    files: list[str]  # the kept files' sha256


class DutyOut(BaseModel):
    org_code: str
    duty: str
    span: str
    required: int
    held: int
    met: bool


class MeetingIn(BaseModel):
    """A meeting as recorded (types as the meetings table accepts them, in either language)."""

    org_code: str | None = None  # a branch's own, when left out
    meeting_types: list[str]
    held_on: str  # 2026-10-09
    attendees: int
    full_members_present: int | None = None
    topic: str = ""


class LedgerFileOut(BaseModel):
    kind: str  # minutes (会议记录) / sign_in (签到表)
    name: str
    sha256: str


class MeetingOut(BaseModel):
    id: int
    org_code: str
    meeting_types: list[str]  # the types' keys (theme_day, party_lecture, ...)
    held_on: date
    attendees: int
    full_members_present: int | None
    topic: str
    recorded_by: str
    files: list[LedgerFileOut] = []


class RectificationIn(BaseModel):
    """A rectification item as kept (the rectifications table's columns; statuses in either
    language, dates as 2026-10-09)."""

    org_code: str | None = None  # a branch's own, when left out
    item_id: str
    description: str
    deadline: str
    status: str
    completed_on: str | None = None
    extended_to: str | None = None
    source: str | None = None
    responsible: str | None = None
    found_on: str | None = None


class EvidenceOut(BaseModel):
    name: str
    sha256: str


class RectificationOut(BaseModel):
    id: int | None  # null: a loaded workbook's row (the workbook is its source)
    org_code: str
    item_id: str
    description: str
    deadline: date
    extended_to: date | None
    status: str  # open / in_progress / done / closed
    completed_on: date | None
    responsible: str | None
    evidence: list[EvidenceOut] = []
    by_workbook: bool = False  # a workbook covers the organization in the period


def rectification_out(row: ledger.RectificationRow) -> RectificationOut:
    return RectificationOut(**{**vars(row), "evidence": [EvidenceOut(**vars(f))
                                                         for f in row.evidence]})


class DraftItem(BaseModel):
    finding_id: str
    text: str = ""  # the finding, as the notice named it (ignored when sent)
    done: bool | None = None
    completed_on: date | None = None


class DraftFile(BaseModel):
    name: str
    sha256: str


class DraftOut(BaseModel):
    case_id: str
    measures: str
    items: list[DraftItem]  # one per finding of the case
    files: list[DraftFile]
    saved_at: datetime | None  # null: never saved
    submitted: bool  # submitted and not returned since: waiting for the office


class DraftIn(BaseModel):
    """The draft as JSON; files go with a multipart PUT (fields measures, items as JSON text,
    files, remove)."""

    measures: str = ""
    items: list[dict[str, Any]] = []
    remove: list[str] = []  # sha256 of kept files to drop


class Created(BaseModel):
    id: int


class Refusal(BaseModel):
    detail: str


REFUSALS: dict[int | str, dict[str, object]] = {
    code: {"model": Refusal} for code in (401, 403, 404, 422, 429)}


def create_api(*, logins: object) -> FastAPI:
    """The API as its own app, mounted at /api in the desk (its own OpenAPI document and JSON
    errors; the desk's login limits shared through `logins`)."""
    api = FastAPI(title="dutyflow 党组织接口", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", responses=REFUSALS)
    api.state.logins = logins

    @api.exception_handler(ApiRefused)
    def refused(request: Request, exc: ApiRefused) -> Response:
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=exc.headers)

    @api.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        return JSONResponse({"detail": API_WORDS.get(exc.status_code, "请求未能完成")},
                            status_code=exc.status_code)

    @api.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = "、".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc"))
        return JSONResponse({"detail": f"{API_WORDS[422]}：{fields}" if fields else API_WORDS[422]},
                            status_code=422)

    @api.get("/documents", response_model=list[DocumentOut])
    def list_documents(scope: ApiScope) -> list[DocumentOut]:
        """Issued documents addressed to the account's organizations (a circular to all units
        too), newest first, each with when it was signed for."""
        return [DocumentOut(id=r.id, kind=r.kind, document_number=r.document_number,
                            issued_on=r.issued_on, org_code=r.org_code,
                            signed_for_at=r.signed_for_at) for r in portal.documents(scope)]

    @api.get("/documents/{document_id}/pdf", response_class=FileResponse)
    def document_pdf(document_id: str, scope: ApiScope) -> Response:
        """The issued document as PDF."""
        if portal.document_row(scope, document_id) is None:
            raise not_found()
        path = portal.document_pdf(scope, document_id)
        if path is None:
            raise ApiRefused(404, refusals.NO_PDF)
        return FileResponse(path, media_type="application/pdf", filename=f"{document_id}.pdf")

    @api.post("/documents/{document_id}/receipt", response_model=ReceiptOut)
    def receipt(document_id: str, scope: ApiScope) -> ReceiptOut:
        """签收: records who and when (audited); signing for it again changes nothing."""
        at = portal.receive(scope, document_id)
        if at is None:
            raise not_found()
        return ReceiptOut(id=document_id, signed_for_at=at)

    @api.post("/cases/{case_id}/replies", status_code=201, response_model=ReplyOut)
    async def reply(case_id: str, scope: ApiScope, measures: Annotated[str, Form()] = "",
                    completed: Annotated[str, Form()] = "",
                    files: Annotated[list[UploadFile] | None, File()] = None) -> ReplyOut:
        """整改情况反馈: measures taken, whether done, evidence files (PDF, images, Word),
        recorded as `dutyflow reply` records one."""
        if await run_in_threadpool(portal.case_of, scope, case_id) is None:
            raise not_found()
        done = completed_value(completed)
        uploads = await read_uploads(files or [])
        try:
            found = await run_in_threadpool(lambda: portal.answer(
                scope, case_id, measures=measures, completed=done, uploads=uploads))
        except portal.AnswerWaiting as exc:
            raise ApiRefused(409, str(exc)) from exc
        except DutyflowError as exc:
            raise ApiRefused(422, str(exc)) from exc
        if found is None or found.id is None:
            raise not_found()
        return ReplyOut(id=found.id, case_id=case_id, received_on=found.received_on,
                        files=[f["sha256"] for f in found.files])

    @api.get("/cases/{case_id}/reply-draft", response_model=DraftOut)
    def get_draft(case_id: str, scope: ApiScope) -> DraftOut:
        """The answer being written for the case: measures, each finding as an item (done or
        not, completion date), the evidence kept so far, and whether it was submitted."""
        found = drafts.draft(scope, case_id)
        if found is None:
            raise not_found()
        return draft_out(found)

    @api.put("/cases/{case_id}/reply-draft", response_model=DraftOut,
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": DraftIn.model_json_schema()}}, "required": True}})
    async def put_draft(request: Request, case_id: str, scope: ApiScope) -> DraftOut:
        """Save the draft (JSON, or multipart with files): measures and items replace what was
        saved, files join the kept ones. A bad item is a 422 naming it in Chinese."""
        if await run_in_threadpool(portal.case_of, scope, case_id) is None:
            raise not_found()
        entry, uploads = await draft_request(request)
        try:
            found = await run_in_threadpool(lambda: drafts.save(
                scope, case_id, measures=entry.measures, items=entry.items, uploads=uploads,
                remove=entry.remove))
        except DutyflowError as exc:
            raise ApiRefused(422, str(exc)) from exc
        if found is None:
            raise not_found()
        return draft_out(found)

    @api.post("/cases/{case_id}/reply-draft/submit", status_code=201, response_model=ReplyOut)
    def submit_draft(case_id: str, scope: ApiScope) -> ReplyOut:
        """Submit the saved draft as the case's 整改情况反馈, once: again only after the office
        returns it (409 until then)."""
        try:
            found = drafts.submit(scope, case_id)
        except drafts.DraftRefused as exc:
            status = 409 if str(exc) == refusals.DRAFT_SUBMITTED else 422
            raise ApiRefused(status, str(exc)) from exc
        except DutyflowError as exc:
            raise ApiRefused(422, str(exc)) from exc
        if found is None or found.id is None:
            raise not_found()
        return ReplyOut(id=found.id, case_id=case_id, received_on=found.received_on,
                        files=[f["sha256"] for f in found.files])

    @api.get("/due", response_model=list[DutyOut])
    def due(scope: ApiScope, period: Annotated[str, Query()] = "") -> list[DutyOut]:
        """The organizations' meeting duties for the period (default: this month), each with
        what is required, what has been held so far, and whether that meets it."""
        chosen = period_or_now(period)
        return [DutyOut(org_code=d.org_code, duty=d.duty, span=d.span, required=d.required,
                        held=d.held, met=d.met) for d in portal.duties(scope, chosen)]

    @api.post("/ledger/meetings", status_code=201, response_model=Created,
              openapi_extra={"requestBody": {"content": {"application/json": {
                  "schema": MeetingIn.model_json_schema()}}, "required": True}})
    def record_meeting(scope: ApiScope, entry: Annotated[Any, Body()] = None) -> Created:
        """三会一课台账: a meeting recorded as it happened (one session may count for several
        types). A bad entry is a 422 naming the field in Chinese. The month's cycle counts it
        unless a meetings workbook loaded for the month has the organization's rows."""
        if not isinstance(entry, dict):
            raise ApiRefused(422, API_WORDS[422])
        try:
            found = ledger.record_meeting(scope, entry)
        except ledger.OutsideScope as exc:
            raise not_found() from exc
        except ledger.LedgerRefused as exc:
            raise ApiRefused(422, str(exc)) from exc
        return Created(id=found.id or 0)

    @api.get("/ledger/meetings", response_model=list[MeetingOut])
    def list_meetings(scope: ApiScope, period: Annotated[str, Query()] = "") -> list[MeetingOut]:
        """The meetings recorded in the period by the account's organizations."""
        return [MeetingOut(**{**vars(m), "files": [LedgerFileOut(**vars(f)) for f in m.files]})
                for m in ledger.period_meetings(scope, period_or_now(period))]

    @api.post("/ledger/meetings/{meeting_id}/files", status_code=201,
              response_model=list[LedgerFileOut])
    async def add_meeting_files(meeting_id: int, scope: ApiScope,
                                kind: Annotated[str, Form()] = "minutes",
                                files: Annotated[list[UploadFile] | None, File()] = None
                                ) -> list[LedgerFileOut]:
        """会议记录 or 签到表 kept with a ledger meeting (multipart `files`, `kind` minutes or
        sign_in): checked by content, kept under the content hash; a file already kept with
        the meeting is not added again (the answer lists only the files added)."""
        uploads = await read_uploads(files or [])
        try:
            added = await run_in_threadpool(ledger.attach_files, scope, meeting_id, uploads,
                                            kind)
        except ledger.OutsideScope as exc:
            raise not_found() from exc
        except DutyflowError as exc:
            raise ApiRefused(422, str(exc)) from exc
        return [LedgerFileOut(**vars(f)) for f in added]

    @api.post("/ledger/rectifications", status_code=201, response_model=Created,
              openapi_extra={"requestBody": {"content": {"application/json": {
                  "schema": RectificationIn.model_json_schema()}}, "required": True}})
    def record_rectification(scope: ApiScope, entry: Annotated[Any, Body()] = None) -> Created:
        """整改台账: a problem kept in the ledger, checked as a workbook's rectifications row
        is. A bad entry is a 422 naming the field in Chinese. The cycle judges it unless a
        rectifications workbook loaded for the month has the organization's rows."""
        if not isinstance(entry, dict):
            raise ApiRefused(422, API_WORDS[422])
        try:
            found = ledger.record_rectification(scope, entry)
        except ledger.OutsideScope as exc:
            raise not_found() from exc
        except ledger.LedgerRefused as exc:
            raise ApiRefused(422, str(exc)) from exc
        return Created(id=found.id or 0)

    @api.get("/ledger/rectifications", response_model=list[RectificationOut])
    def list_rectifications(scope: ApiScope, period: Annotated[str, Query()] = ""
                            ) -> list[RectificationOut]:
        """The account's organizations' items: the month's workbook rows, then the ledger's."""
        return [rectification_out(r)
                for r in ledger.period_rectifications(scope, period_or_now(period))]

    @api.post("/ledger/rectifications/{rectification_id}", response_model=RectificationOut)
    async def update_rectification(rectification_id: int, scope: ApiScope,
                                   status: Annotated[str, Form()] = "",
                                   completed_on: Annotated[str, Form()] = "",
                                   files: Annotated[list[UploadFile] | None, File()] = None
                                   ) -> RectificationOut:
        """An item's 整改状态, 完成日期 and 佐证材料 (multipart `status`, `completed_on`,
        `files`), checked as an entry is; a file already kept with it is not added again."""
        uploads = await read_uploads(files or [])
        try:
            found = await run_in_threadpool(lambda: ledger.update_item(
                scope, rectification_id, status=status, completed_on=completed_on,
                uploads=uploads))
        except ledger.OutsideScope as exc:
            raise not_found() from exc
        except DutyflowError as exc:
            raise ApiRefused(422, str(exc)) from exc
        return RectificationOut(
            id=found.id, org_code=found.org_code, item_id=found.item_id,
            description=found.description, deadline=found.deadline,
            extended_to=found.extended_to, status=found.status,
            completed_on=found.completed_on, responsible=found.responsible,
            evidence=[EvidenceOut(name=f["name"], sha256=f["sha256"]) for f in found.evidence])

    return api


def draft_out(found: drafts.Draft) -> DraftOut:
    return DraftOut(case_id=found.case.id, measures=found.measures,
                    items=[DraftItem(**vars(i)) for i in found.items],
                    files=[DraftFile(name=f["name"], sha256=f["sha256"]) for f in found.files],
                    saved_at=found.saved_at, submitted=found.submitted)


async def draft_request(request: Request) -> tuple[DraftIn, list[Upload]]:
    """A draft sent as JSON, or as multipart (items as JSON text) with its files."""
    try:
        if request.headers.get("content-type", "").startswith("multipart/"):
            form = await request.form()
            entry = DraftIn(measures=str(form.get("measures", "")),
                            items=json.loads(str(form.get("items") or "[]")),
                            remove=[str(v) for v in form.getlist("remove")])
            uploads = await read_uploads(form.getlist("files"))
            return entry, uploads
        return DraftIn.model_validate(await request.json()), []
    except (ValueError, ValidationError) as exc:
        raise ApiRefused(422, refusals.ITEMS_FORMAT) from exc


def completed_value(text: str) -> bool | None:
    """是否完成 as a form sends it: true/false, 是/否, 1/0; blank: not said."""
    value = text.strip().lower()
    if not value:
        return None
    if value in ("true", "1", "是", "yes", "on"):
        return True
    if value in ("false", "0", "否", "no", "off"):
        return False
    raise ApiRefused(422, refusals.COMPLETED_VALUE)


def period_or_now(text: str) -> str:
    if not text.strip():
        return str(Period.parse(portal.today().strftime("%Y-%m")))
    try:
        return str(Period.parse(text))
    except BadPeriodError as exc:
        raise ApiRefused(422, refusals.BAD_PERIOD.format(period=text[:20])) from exc
