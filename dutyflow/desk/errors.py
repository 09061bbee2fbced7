"""What the desk answers when it cannot or will not do what was asked: a page in plain Chinese
with the way back to the queue (and to the login for someone not signed in), never JSON."""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from dutyflow.core import refusals
from dutyflow.desk.deps import PageRenderer, signed_in
from dutyflow.desk.security import client_address, protect

log = logging.getLogger("dutyflow.desk")

# status code: (title, what the reviewer reads)
WORDS: dict[int, tuple[str, str]] = {
    400: ("无法读取提交的内容", "审核台读不懂这次提交的内容，未记录任何决定。请回到页面重新操作。"),
    404: ("页面不存在", "没有这个页面，请检查地址是否完整，或从待审队列重新打开。"),
    405: ("不能这样打开", "这个地址不能这样访问，请使用审核台页面上的链接和按钮。"),
    422: ("地址有误", "地址中的参数不正确（例如页码不是数字），请从待审队列重新打开。"),
    500: ("审核台出错", "审核台处理这次请求时出错。刚才的操作可能没有完成，请回到待审队列核对后重试；"
                       "如仍出错，请联系管理员。"),
}
OTHER = ("请求未能完成", "审核台未能完成这次请求，请回到待审队列重试。")
# the last resort, if even the error page cannot be drawn
PLAIN_500 = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>审核台出错</title>"
             "<p>审核台出错，请稍后重试；如仍出错，请联系管理员。</p><p><a href=\"/queue\">回到待审队列</a>"
             " · <a href=\"/login\">登录</a></p></html>")


def _pages(request: Request) -> PageRenderer:
    pages: PageRenderer = request.app.state.pages
    return pages


def _page(request: Request, status_code: int, headers: dict[str, str] | None = None) -> Response:
    title, message = WORDS.get(status_code, OTHER)
    return _pages(request).error(request, status_code=status_code, title=title, message=message,
                                 headers=headers)


DECISION_FORM = re.compile(r"^/documents/([^/]+)/decide$")
PENDING_FIELDS = ("decision", "note", "decision_ref", "back")  # as the decision forms name them


def pending_decision(request: Request) -> dict[str, str] | None:
    """A decision sent by someone whose login has expired: what they chose and typed."""
    form = getattr(request.state, "form", None)
    found = DECISION_FORM.match(request.url.path)
    if request.method != "POST" or found is None or form is None or signed_in(request):
        return None
    kept = {k: v for k in PENDING_FIELDS if isinstance(v := form.get(k), str)}
    return {**kept, "document": unquote(found.group(1))}


def login_again(request: Request, pending: dict[str, str]) -> Response:
    """The login page, carrying the decision and its note: after logging in the reviewer is
    back on the document with what they typed, and confirms it with one click. (Not recorded
    at once: a form that reaches here without a valid session may come from another site.)"""
    words = refusals.LOGIN_EXPIRED.format(document_id=pending["document"])
    return _pages(request)(request, "login.html.j2", status_code=403, error=words,
                           next=f"/documents/{quote(pending['document'])}", name="",
                           pending=pending)


def needs_login(request: Request, exc: Exception) -> Response:
    if request.method != "GET":
        pending = pending_decision(request)
        if pending is not None:
            return login_again(request, pending)
        return _pages(request).error(request, status_code=403, title="请先登录",
                                     message="请先登录：登录已过期或尚未登录，未记录任何决定。")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def bad_csrf(request: Request, exc: Exception) -> Response:
    log.warning("form without a valid CSRF token from %s to %s", client_address(request),
                request.url.path)
    pending = pending_decision(request)  # the session expired: the cookie and its token gone
    if pending is not None:
        return login_again(request, pending)
    return _pages(request).error(request, status_code=403, title="表单已过期",
                                 message="表单已过期或并非来自审核台，未记录任何决定。请刷新页面后重试。")


def http_error(request: Request, exc: Exception) -> Response:
    """404 (no such page), 405 (a form's address opened as a page), 400 (a body that is not a
    form) and any other refusal raised by the framework."""
    assert isinstance(exc, HTTPException)
    return _page(request, exc.status_code, dict(exc.headers or {}))


def invalid_request(request: Request, exc: Exception) -> Response:
    """422: an address whose parameters do not fit (a page number that is not a number)."""
    assert isinstance(exc, RequestValidationError)
    return _page(request, 422)


def server_error(request: Request, exc: Exception) -> Response:
    """500. Answered outside the session and header middleware (Starlette answers errors in
    its outermost layer, and the server logs the exception after): the headers are set here,
    and if the page cannot be drawn a plain one says the same."""
    if not hasattr(request.state, "nonce"):
        request.state.nonce = secrets.token_urlsafe(16)
    try:
        response = _page(request, 500)
    except Exception:
        log.exception("the error page could not be drawn")
        response = HTMLResponse(PLAIN_500, status_code=500)
    return protect(response, request.state.nonce)
