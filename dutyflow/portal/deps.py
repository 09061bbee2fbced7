"""What the portal's pages and the API depend on: the organization's account (signed in at the
desk's login, or by its API token) and its scope, the organizations it sees. Every route takes
its scope from here: anything outside it is answered as if it did not exist (404)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from dutyflow.core import refusals
from dutyflow.core.settings import settings
from dutyflow.desk.deps import PageRenderer
from dutyflow.desk.security import NeedsLogin, client_address
from dutyflow.services.portal import Scope, Upload, scope_of
from dutyflow.services.reviewers import (
    LoginGuard,
    TooManyAttempts,
    session_account,
    token_holder,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "portal"


class ApiRefused(Exception):
    """The API's refusals: a status and a sentence in Chinese, answered as JSON."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def not_found() -> ApiRefused:
    return ApiRefused(404, refusals.NOT_FOUND)


def portal_scope(request: Request) -> Scope:
    """The organization signed in through the desk's login (its session, re-checked on every
    request: a disabled account or a logged-out session stops at once); NeedsLogin otherwise."""
    name, session_id = request.session.get("reviewer"), request.session.get("sid")
    account = (session_account(name=name, session_id=session_id)
               if isinstance(name, str) and name and isinstance(session_id, str) and session_id
               else None)
    if account is None:
        raise NeedsLogin()
    return scope_of(account)


async def api_scope(request: Request) -> Scope:
    """The organization whose token the request carries (`Authorization: Bearer TOKEN`).

    Failed tokens count against the address as failed logins do (the desk's LoginGuard): an
    address that keeps guessing is refused for a while without a lookup."""
    guard: LoginGuard = request.app.state.logins
    address = client_address(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        guard.check_address(address=address)
    except TooManyAttempts as exc:
        raise ApiRefused(429, str(exc)) from exc
    account = (await run_in_threadpool(token_holder, token.strip())
               if scheme.lower() == "bearer" else None)
    if account is None:
        guard.failed_address(address=address)
        raise ApiRefused(401, refusals.NEEDS_TOKEN, {"WWW-Authenticate": "Bearer"})
    if not account.organization_account:
        raise ApiRefused(403, refusals.NOT_AN_ORGANIZATION)
    return await run_in_threadpool(scope_of, account)


PortalScope = Annotated[Scope, Depends(portal_scope)]
ApiScope = Annotated[Scope, Depends(api_scope)]


def portal_pages(request: Request) -> PageRenderer:
    """The portal's own templates (templates/portal), drawn as the desk draws its pages."""
    state = request.app.state
    if getattr(state, "portal_pages", None) is None:
        state.portal_pages = PageRenderer(TEMPLATES)
    pages: PageRenderer = state.portal_pages
    return pages


PortalPage = Annotated[PageRenderer, Depends(portal_pages)]


async def read_uploads(parts: Iterable[Any]) -> list[Upload]:
    """The files a form or an API call sent (a phone's form sends an empty part when no file
    was chosen), each read to at most a byte past the size limit. Past the number allowed
    none is read at all: empty stand-ins let the upload check refuse them by their number,
    so one request cannot make the server hold a thousand files."""
    files = [f for f in parts if isinstance(f, UploadFile) and f.filename]
    if len(files) > settings.portal_upload_files:
        return [Upload(f.filename or "file", b"") for f in files]
    limit = settings.portal_upload_mb * 1024 * 1024
    return [Upload(f.filename or "file", await f.read(limit + 1)) for f in files]
