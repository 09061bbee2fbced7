"""Logging in and out.

A login is checked in this order, cheapest first: the limits (memory; no password checked
while one holds), a free slot among the password checks allowed at once (none: refused at
once, never queued), then the argon2 check in a worker thread, so the event loop, and with it
/health and every other page, keeps answering during a flood."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dutyflow.core import refusals
from dutyflow.desk.deps import Page
from dutyflow.desk.filters import plain_query
from dutyflow.desk.security import client_address, flash, log_in, log_out
from dutyflow.services.reviewers import LoginGuard, LoginRefused, Reviewer, authenticate

router = APIRouter()


@router.get("/login")
def login_form(request: Request, page: Page, next: str = "/queue") -> HTMLResponse:
    return page(request, "login.html.j2", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, page: Page, name: Annotated[str, Form()] = "",
                password: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = "/queue",
                pending_document: Annotated[str, Form()] = "",
                pending_decision: Annotated[str, Form()] = "",
                pending_note: Annotated[str, Form()] = "",
                pending_ref: Annotated[str, Form()] = "",
                pending_back: Annotated[str, Form()] = "") -> Response:
    guard: LoginGuard = request.app.state.logins
    address = client_address(request)
    try:
        await run_in_threadpool(guard.check, name=name.strip()[:100], address=address)
        with guard.slot():
            reviewer = await run_in_threadpool(authenticate, name=name, password=password,
                                               address=address, guard=guard)
    except LoginRefused as exc:
        pending = {"document": pending_document, "decision": pending_decision,
                   "note": pending_note, "decision_ref": pending_ref, "back": pending_back}
        return page(request, "login.html.j2", status_code=exc.status, next=safe_next(next),
                    error=str(exc), name=name, pending=pending if pending_document else None)
    log_in(request, reviewer)
    if pending_document:  # a decision interrupted by the expired login: back to it, as typed
        flash(request, "error", refusals.DECISION_KEPT.format(document_id=pending_document))
        kept = [(k, v) for k, v in (("decision", pending_decision), ("note", pending_note),
                                    ("ref", pending_ref)) if v]
        for kind, value in kept:
            flash(request, kind, value)
        query = plain_query(pending_back)
        return RedirectResponse(f"/documents/{quote(pending_document)}"
                                + (f"?{query}" if query else ""), status_code=303)
    return RedirectResponse(landing(reviewer, safe_next(next)), status_code=303)


def landing(reviewer: Reviewer, target: str) -> str:
    """An organization's account goes to its portal, a reviewer to the desk."""
    in_portal = target == "/portal" or target.startswith("/portal/")
    if reviewer.organization_account:
        return target if in_portal else "/portal"
    return "/queue" if in_portal else target


@router.post("/logout")
def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


def safe_next(target: str) -> str:
    # only paths on this desk: never an open redirect to another site
    return target if target.startswith("/") and not target.startswith("//") else "/queue"
