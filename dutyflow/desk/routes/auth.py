"""Logging in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dutyflow.core.settings import settings
from dutyflow.desk.deps import Page
from dutyflow.desk.security import client_address, log_in, log_out
from dutyflow.services.reviewers import LoginRefused, TooManyAttempts, authenticate

router = APIRouter()


@router.get("/login")
def login_form(request: Request, page: Page, next: str = "/queue") -> HTMLResponse:
    return page(request, "login.html.j2", next=safe_next(next), error=None)


@router.post("/login")
def login(request: Request, page: Page, name: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/queue") -> Response:
    try:
        reviewer = authenticate(name=name, password=password, address=client_address(request))
    except LoginRefused as exc:
        limited = isinstance(exc, TooManyAttempts)
        words = (f"登录失败次数过多，请{settings.desk_login_window_minutes}分钟后再试"
                 if limited else "姓名或密码错误")
        return page(request, "login.html.j2", status_code=429 if limited else 401,
                    next=safe_next(next), error=f"{words}（{exc}）", name=name)
    log_in(request, reviewer)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


def safe_next(target: str) -> str:
    # only paths on this desk: never an open redirect to another site
    return target if target.startswith("/") and not target.startswith("//") else "/queue"
