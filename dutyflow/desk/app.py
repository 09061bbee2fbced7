"""The desk assembled: its middleware, what it answers when a request is refused, its routers.

The pages themselves are in `routes/` (one router per noun); who is signed in, the CSRF check
and the page renderer are dependencies (`deps.py`)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from dutyflow.core.settings import settings
from dutyflow.desk.deps import PageRenderer, checked_form
from dutyflow.desk.errors import bad_csrf, http_error, invalid_request, needs_login, server_error
from dutyflow.desk.routes import (
    auth,
    documents,
    followup,
    health,
    my_work,
    notifications,
    queue,
    receipts,
)
from dutyflow.desk.security import SESSION_COOKIE, BadCsrf, NeedsLogin, SecurityHeaders, session_secret
from dutyflow.portal import routes as portal
from dutyflow.portal.api import create_api
from dutyflow.services.reviewers import LoginGuard


def create_app() -> FastAPI:
    # every route depends on the CSRF check (a no-op for reads): a new form cannot forget it
    app = FastAPI(title="dutyflow review desk", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(checked_form)])
    app.state.pages = PageRenderer()
    app.state.logins = LoginGuard()  # the login's limits: one per desk (see LoginGuard)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SessionMiddleware, secret_key=session_secret(),
                       session_cookie=SESSION_COOKIE, same_site="strict",
                       https_only=settings.desk_secure_cookies,
                       max_age=int(timedelta(hours=settings.desk_session_hours).total_seconds()))
    app.add_exception_handler(NeedsLogin, needs_login)
    app.add_exception_handler(BadCsrf, bad_csrf)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, server_error)
    for module in (auth, queue, documents, followup, my_work, receipts, notifications, health,
                   portal):
        app.include_router(module.router)
    # the organizations' JSON API: its own app (token, not cookie: no CSRF; JSON errors)
    app.mount("/api", create_api(logins=app.state.logins))
    return app
