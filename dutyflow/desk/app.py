"""The desk's pages: log in, the queue, a case, decisions, bulk approval of office cases."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.sessions import SessionMiddleware

from dutyflow.core.calendar import local_time
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    DocumentStatus,
    circular_name,
    event_words,
    is_chase,
    is_circular,
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
    case_document,
    case_file,
    chase_file,
    circular_file,
    queue_ids,
    queue_page,
    waiting_chases,
    waiting_circulars,
)
from dutyflow.services.review import decide
from dutyflow.services.reviewers import LoginRefused, TooManyAttempts, authenticate

log = logging.getLogger("dutyflow.desk")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "desk"
FILTER_FIELDS = ("period", "unit", "measure", "decided_by", "status", "q", "sort", "desc")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(
        enabled_extensions=("html", "j2"), default=True), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(measure_name=measure_name, status_words=status_words,
                       event_words=event_words, circular_name=circular_name,
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
        circulars = waiting_circulars(wanted.period) if drafts else []
        chases = waiting_chases(wanted.period) if drafts else []
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

    @app.get("/cases/{case_id}")
    def case_page(request: Request, case_id: str) -> HTMLResponse:
        reviewer = reviewer_of(request)
        found = case_file(case_id)
        if found is None:
            return page(request, "missing.html.j2", status_code=404, reviewer=reviewer,
                        case_id=case_id)
        params = request.query_params
        ids = queue_ids(_filter_of(params))
        previous, following = _neighbours(ids, case_id)
        own = reviewer.org_code is not None and reviewer.org_code == found.action.org_code
        return page(request, "case.html.j2", reviewer=reviewer, case=found,
                    query=_query_of(params), previous=previous, following=following,
                    position=(ids.index(case_id) + 1) if case_id in ids else None,
                    total=len(ids), own_branch=own)

    @app.get("/circulars/{subject}")
    def circular_page(request: Request, subject: str) -> HTMLResponse:
        reviewer = reviewer_of(request)
        found = circular_file(subject) if is_circular(subject) else None
        if found is None:
            return page(request, "missing.html.j2", status_code=404, reviewer=reviewer,
                        case_id=subject)
        return page(request, "circular.html.j2", reviewer=reviewer, found=found,
                    has_notice=case_document(subject, ".html") is not None,
                    has_pdf=case_document(subject, ".pdf") is not None)

    @app.get("/chases/{subject}")
    def chase_page(request: Request, subject: str) -> HTMLResponse:
        reviewer = reviewer_of(request)
        found = chase_file(subject)
        if found is None:
            return page(request, "missing.html.j2", status_code=404, reviewer=reviewer,
                        case_id=subject)
        own = reviewer.org_code is not None and reviewer.org_code == found.chase.org_code
        return page(request, "chase.html.j2", reviewer=reviewer, found=found, own_branch=own,
                    has_notice=case_document(subject, ".html") is not None)

    @app.post("/cases/{case_id}/decide")
    def decide_case(request: Request, case_id: str, csrf: Annotated[str, Form()] = "",
                    decision: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                    decision_ref: Annotated[str, Form()] = "",
                    back: Annotated[str, Form()] = "") -> Response:
        reviewer = reviewer_of(request)
        check_csrf(request, csrf)
        query = _plain_query(back)
        circular = is_circular(case_id) or is_chase(case_id)  # a page of its own, no queue
        room = "circulars" if is_circular(case_id) else "chases" if is_chase(case_id) else "cases"
        here = f"/{room}/{case_id}" + (f"?{query}" if query else "")
        if decision not in ("approve", "reject"):
            flash(request, "error", "请选择批准或驳回")
            return RedirectResponse(here, status_code=303)
        following = None if circular else _neighbours(
            queue_ids(_filter_of(_params(query))), case_id)[1]
        try:
            decided = decide(action_id=case_id, decision=decision, reviewer=reviewer.name,
                             note=note, decision_ref=decision_ref)
        except DutyflowError as exc:
            flash(request, "error", f"{case_id} 未记录：{exc}")
            return RedirectResponse(here, status_code=303)
        flash(request, "ok", f"{case_id}：{status_words(decided.status)}（{reviewer.name}）")
        if circular:
            return RedirectResponse(here, status_code=303)
        target = f"/cases/{following}" if following else "/queue"
        return RedirectResponse(target + (f"?{query}" if query else ""), status_code=303)

    @app.get("/cases/{case_id}/notice")
    def notice_view(request: Request, case_id: str) -> Response:
        reviewer_of(request)
        return _document(case_id, ".html", "text/html; charset=utf-8", inline=True)

    @app.get("/cases/{case_id}/notice.docx")
    def notice_docx(request: Request, case_id: str) -> Response:
        reviewer_of(request)
        return _document(case_id, ".docx", "application/vnd.openxmlformats-officedocument."
                         "wordprocessingml.document")

    @app.get("/cases/{case_id}/notice.pdf")
    def notice_pdf(request: Request, case_id: str) -> Response:
        reviewer_of(request)
        return _document(case_id, ".pdf", "application/pdf")

    return app


def _document(case_id: str, suffix: str, media_type: str, inline: bool = False) -> Response:
    path = case_document(case_id, suffix)
    if path is None:
        return HTMLResponse("no such document", status_code=404)
    response = FileResponse(path, media_type=media_type, filename=None if inline else
                            f"{case_id}{suffix}", content_disposition_type="inline" if inline
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
