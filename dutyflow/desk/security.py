"""Who is at the desk: signed session cookies, CSRF tokens, single sign-on from a trusted proxy,
and the headers that keep pages from being framed or scripted by others."""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import unquote

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from dutyflow.core.settings import settings
from dutyflow.services.reviewers import (
    Reviewer,
    end_session,
    find_reviewer,
    keep_messages,
    session_account,
    session_reviewer,
    take_messages,
)

SESSION_COOKIE = "dutyflow_desk"
# a notice's HTML shown in a frame of the desk or the portal: no scripts, nothing fetched
FRAMED_NOTICE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                     "frame-ancestors 'self'; sandbox")


class NeedsLogin(Exception):
    """Raised by `reviewer_of` for an anonymous request; the app answers with the login page."""


class BadCsrf(Exception):
    pass


def session_secret(path: Path | None = None) -> str:
    """The key that signs session cookies: kept in a file (mode 600) so a restart keeps people
    logged in; made on first start."""
    path = Path(path or settings.desk_secret_file)
    if path.is_file():
        secret = path.read_text().strip()
        if len(secret) >= 32:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return secret


def client_address(request: Request) -> str:
    """The address the request came from; behind a trusted proxy, the one the proxy saw (the
    last of X-Forwarded-For, which the proxy appends): the login's per-address limit must not
    take every reviewer behind the office's proxy for one client."""
    peer = request.client.host if request.client else ""
    if peer in settings.desk_trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return peer


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def check_csrf(request: Request, submitted: object) -> None:
    """BadCsrf unless `submitted` is this session's token. Whatever else comes (nothing, another
    token, a file, text no token could be: a token is ASCII) is refused the same way."""
    expected = request.session.get("csrf")
    if not (isinstance(expected, str) and expected and expected.isascii()
            and isinstance(submitted, str) and submitted.isascii()
            and hmac.compare_digest(expected, submitted)):
        raise BadCsrf()


async def check_form_csrf(request: Request) -> None:
    """The form's `csrf` field against the session's token: BadCsrf unless they match. (A body
    that cannot be parsed as a form is refused before this, 400, as FastAPI does.)"""
    form = await request.form()
    request.state.form = form  # for an error page that must give back what was typed
    check_csrf(request, form.get("csrf"))


def remote_user(header: str) -> str:
    """The name a proxy sends: UTF-8 bytes (Starlette reads headers as latin-1) or
    percent-encoded UTF-8, as proxies do for names outside ASCII."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        header = header.encode("latin-1").decode("utf-8")
    return unquote(header).strip()


def reviewer_of(request: Request) -> Reviewer:
    """The logged-in reviewer, re-checked on every request (a disabled account stops at once)."""
    if client_address(request) in settings.desk_trusted_proxies:
        remote = remote_user(request.headers.get("x-remote-user", ""))
        if remote:
            reviewer = find_reviewer(remote)
            if reviewer is None:
                raise NeedsLogin()
            return reviewer
    name, session_id = request.session.get("reviewer"), request.session.get("sid")
    reviewer = (session_reviewer(name=name, session_id=session_id)
                if isinstance(name, str) and name and isinstance(session_id, str) and session_id
                else None)  # a cookie from before sessions had an id: logged in again
    if reviewer is None:
        if not (isinstance(name, str) and isinstance(session_id, str)
                and session_account(name=name, session_id=session_id)):
            request.session.pop("reviewer", None)  # (an organization's stays: its portal)
        raise NeedsLogin()
    return reviewer


def log_in(request: Request, reviewer: Reviewer) -> None:
    request.session.clear()  # a fresh session and CSRF token: no fixation across the login
    request.session["reviewer"] = reviewer.name
    request.session["sid"] = secrets.token_urlsafe(32)  # what logging out ends on the server
    csrf_token(request)


def log_out(request: Request) -> None:
    """End this session here and on the server: a copy of its cookie, kept anywhere (another
    browser, a stolen file), no longer signs anyone in."""
    name, session_id = request.session.get("reviewer"), request.session.get("sid")
    if isinstance(session_id, str) and session_id:
        end_session(session_id=session_id, name=str(name or ""))
    request.session.clear()


def flash(request: Request, kind: str, *texts: str) -> None:
    """Messages for this session's next page, kept on the server (any number of them; the
    cookie only carries the key they are kept under)."""
    if not texts:
        return
    key = request.session.get("messages")
    if not isinstance(key, str) or not key:
        key = request.session["messages"] = secrets.token_urlsafe(24)
    keep_messages(session_key=key, messages=[(kind, text[:2000]) for text in texts])


def take_flashes(request: Request) -> list[tuple[str, str]]:
    """This session's messages, each shown once (no query for a session that has none)."""
    key = request.session.pop("messages", None)
    return take_messages(session_key=key) if isinstance(key, str) and key else []


def protect(response: Response, nonce: str) -> Response:
    """The headers every answer of the desk carries (a page may set a stricter policy)."""
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class SecurityHeaders(BaseHTTPMiddleware):
    """No framing by other sites, no sniffing, no caching of pages that show cases."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request.state.nonce = secrets.token_urlsafe(16)
        return protect(await call_next(request), request.state.nonce)
