"""The desk's pages: log in, the queue, a case, decisions, bulk approval of office cases."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.sessions import SessionMiddleware

from dutyflow.core.calendar import local_time
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    CHASE,
    DOCUMENT_KINDS,
    MEASURE_KINDS,
    DocumentStatus,
    document_name,
    event_words,
    measure_name,
    status_words,
)
from dutyflow.desk.security import (
    SESSION_COOKIE,
    BadCsrf,
    NeedsLogin,
    SecurityHeaders,
    check_csrf,
    client_address,
    csrf_token,
    flash,
    log_in,
    reviewer_of,
    session_secret,
    take_flashes,
)
from dutyflow.models.queue import SORTS, QueueFilter
from dutyflow.services.casefile import (
    MEASURES,
    approve_office_cases,
    document_file,
    document_path,
    queue_ids,
    queue_page,
    waiting_documents,
)
from dutyflow.services.review import decide
from dutyflow.services.reviewers import LoginRefused, TooManyAttempts, authenticate

log = logging.getLogger("dutyflow.desk")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "desk"
TO_ALL = tuple(k for k, kind in DOCUMENT_KINDS.items() if kind.to_all)
FILTER_FIELDS = ("period", "unit", "measure", "decided_by", "status", "q", "sort", "desc")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(
        enabled_extensions=("html", "j2"), default=True), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(measure_name=measure_name, status_words=status_words,
                       event_words=event_words, document_name=document_name,
                       MEASURES=MEASURES, issuer=settings.issuer_name)
    env.filters["local"] = lambda moment: local_time(moment).strftime("%Y-%m-%d %H:%M:%S")
    return env


def _filter_of(params: Any) -> QueueFilter:
    status = params.get("status", DocumentStatus.DRAFT)
    sort = params.get("sort", "id")
    return QueueFilter(period=params.get("period", ""), unit=params.get("unit", ""),
                       measure=params.get("measure", ""),
                       decided_by=params.get("decided_by", ""),
                       status="" if status == "all" else status, text=params.get("q", ""),
                       sort=sort if sort in SORTS else "id", descending=params.get("desc") == "1")


def _query_of(params: Any, **changes: Any) -> str:
    """The queue's query string (its filters), with some fields changed."""
    kept = {k: params.get(k) for k in FILTER_FIELDS if params.get(k)}
    kept.update({k: v for k, v in changes.items() if v is not None})
    return urlencode({k: v for k, v in kept.items() if v not in ("", None)})


def create_app() -> FastAPI:
    app = FastAPI(title="dutyflow review desk", docs_url=None, redoc_url=None, openapi_url=None)
    env = _environment()
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SessionMiddleware, secret_key=session_secret(),
                       session_cookie=SESSION_COOKIE, same_site="strict",
                       https_only=settings.desk_secure_cookies,
                       max_age=int(timedelta(hours=settings.desk_session_hours).total_seconds()))

    def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        body = env.get_template(template).render(
            request=request, csrf=csrf_token(request), nonce=request.state.nonce,
            flashes=take_flashes(request), **context)
        return HTMLResponse(body, status_code=status_code)

    @app.exception_handler(NeedsLogin)
    async def needs_login(request: Request, exc: NeedsLogin) -> Response:
        if request.method != "GET":
            return HTMLResponse("请先登录（log in first）：登录已过期或尚未登录，未记录任何决定。",
                                status_code=403)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        log.warning("form without a valid CSRF token from %s to %s", client_address(request),
                    request.url.path)
        return HTMLResponse("表单已过期或并非来自审核台，请刷新页面后重试（this form has expired "
                            "or did not come from the desk）。", status_code=403)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/login")
    def login_form(request: Request, next: str = "/queue") -> HTMLResponse:
        return page(request, "login.html.j2", next=_safe_next(next), error=None)

    @app.post("/login")
    def login(request: Request, name: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "",
              next: Annotated[str, Form()] = "/queue") -> Response:
        check_csrf(request, csrf)
        try:
            reviewer = authenticate(name=name, password=password, address=client_address(request))
        except LoginRefused as exc:
            limited = isinstance(exc, TooManyAttempts)
            words = (f"登录失败次数过多，请{settings.desk_login_window_minutes}分钟后再试"
                     if limited else "姓名或密码错误")
            return page(request, "login.html.j2", status_code=429 if limited else 401,
                        next=_safe_next(next), error=f"{words}（{exc}）", name=name)
        log_in(request, reviewer)
        return RedirectResponse(_safe_next(next), status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/")
    def home(request: Request) -> Response:
        reviewer_of(request)
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue")
    def queue(request: Request, page_number: Annotated[int, Query(alias="page")] = 1) -> HTMLResponse:
        reviewer = reviewer_of(request)
        params = request.query_params
        wanted = _filter_of(params)
        result, choices = queue_page(wanted, page_number, settings.desk_page_size)
        drafts = wanted.status == DocumentStatus.DRAFT
        circulars = waiting_documents(wanted.period, TO_ALL) if drafts else []
        chases = waiting_documents(wanted.period, (CHASE,)) if drafts else []
        return page(request, "queue.html.j2", reviewer=reviewer, result=result, choices=choices,
                    params=params, query=lambda **c: _query_of(params, **c), wanted=wanted,
                    circulars=circulars, chases=chases)

    @app.post("/queue/approve")
    def bulk_approve(request: Request, csrf: Annotated[str, Form()] = "",
                     case: Annotated[list[str] | None, Form()] = None,
                     back: Annotated[str, Form()] = "") -> Response:
        reviewer = reviewer_of(request)
        check_csrf(request, csrf)
        outcome = approve_office_cases(list(case or []), reviewer.name)
        if outcome.approved:
            flash(request, "ok", f"已批准 {len(outcome.approved)} 件：" + "、".join(outcome.approved))
        for refusal in outcome.refused:
            flash(request, "error", refusal)
        if not case:
            flash(request, "error", "没有选择案件")
        return RedirectResponse("/queue?" + _plain_query(back), status_code=303)

    @app.get("/documents/{document_id}")
    def document_page(request: Request, document_id: str) -> HTMLResponse:
        reviewer = reviewer_of(request)
        found = document_file(document_id)
        if found is None:
            return page(request, "missing.html.j2", status_code=404, reviewer=reviewer,
                        case_id=document_id)
        params = request.query_params
        ids = queue_ids(_filter_of(params)) if found.case is not None else []
        previous, following = _neighbours(ids, document_id) if ids else (None, None)
        own = reviewer.org_code is not None and reviewer.org_code == found.document.org_code
        return page(request, "document.html.j2", reviewer=reviewer, found=found,
                    query=_query_of(params), previous=previous, following=following,
                    position=(ids.index(document_id) + 1) if document_id in ids else None,
                    total=len(ids), own_branch=own)

    @app.get("/cases/{document_id}")
    @app.get("/chases/{document_id}")
    @app.get("/circulars/{document_id}")
    def old_address(request: Request, document_id: str) -> Response:
        """Addresses from before every document had one page: kept for old links."""
        query = request.url.query
        return RedirectResponse(f"/documents/{quote(document_id)}" + (f"?{query}" if query else ""),
                                status_code=301)

    @app.post("/documents/{document_id}/decide")
    def decide_document(request: Request, document_id: str, csrf: Annotated[str, Form()] = "",
                        decision: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                        decision_ref: Annotated[str, Form()] = "",
                        version: Annotated[str, Form()] = "",
                        back: Annotated[str, Form()] = "") -> Response:
        reviewer = reviewer_of(request)
        check_csrf(request, csrf)
        query = _plain_query(back)
        here = f"/documents/{quote(document_id)}" + (f"?{query}" if query else "")
        if decision not in ("approve", "reject"):
            flash(request, "error", "请选择批准或驳回")
            return RedirectResponse(here, status_code=303)
        following = _neighbours(queue_ids(_filter_of(_params(query))), document_id)[1]
        try:
            decided = decide(document_id=document_id, decision=decision, reviewer=reviewer.name,
                             note=note, decision_ref=decision_ref,
                             seen_version=int(version) if version.isdigit() else None)
        except DutyflowError as exc:
            flash(request, "error", f"{document_id} 未记录：{exc}")
            return RedirectResponse(here, status_code=303)
        flash(request, "ok", f"{document_id}：{status_words(decided.status)}（{reviewer.name}）")
        if decided.kind not in MEASURE_KINDS:  # no queue of its own around it
            return RedirectResponse(here, status_code=303)
        target = f"/documents/{quote(following)}" if following else "/queue"
        return RedirectResponse(target + (f"?{query}" if query else ""), status_code=303)

    @app.get("/documents/{document_id}/notice")
    def notice_view(request: Request, document_id: str) -> Response:
        reviewer_of(request)
        return _document(document_id, ".html", "text/html; charset=utf-8", inline=True)

    @app.get("/documents/{document_id}/notice.docx")
    def notice_docx(request: Request, document_id: str) -> Response:
        reviewer_of(request)
        return _document(document_id, ".docx", "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document")

    @app.get("/documents/{document_id}/notice.pdf")
    def notice_pdf(request: Request, document_id: str) -> Response:
        reviewer_of(request)
        return _document(document_id, ".pdf", "application/pdf")

    return app


def _document(document_id: str, suffix: str, media_type: str, inline: bool = False) -> Response:
    path = document_path(document_id, suffix)
    if path is None:
        return HTMLResponse("没有这份文书", status_code=404)
    response = FileResponse(path, media_type=media_type, filename=None if inline else
                            f"{document_id}{suffix}", content_disposition_type="inline" if inline
                            else "attachment")
    if inline:  # the notice is shown in a frame: no scripts, nothing fetched
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "frame-ancestors 'self'; sandbox")
    return response


def _neighbours(ids: list[str], case_id: str) -> tuple[str | None, str | None]:
    if case_id not in ids:
        return None, ids[0] if ids else None
    at = ids.index(case_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def _params(query: str) -> dict[str, str]:
    return dict(parse_qsl(query))


def _plain_query(query: str) -> str:
    """A queue query string sent back by a form, reduced to the known filter fields."""
    params = _params(query.lstrip("?"))
    return urlencode({k: v for k, v in params.items() if k in (*FILTER_FIELDS, "page") and v})


def _safe_next(target: str) -> str:
    # only paths on this desk: never an open redirect to another site
    return target if target.startswith("/") and not target.startswith("//") else "/queue"
