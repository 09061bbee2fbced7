"""Every route of the desk, read off the app itself, so a new one cannot forget: each page
refuses an anonymous request, each form refuses a request without this session's CSRF token."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Event
from tests.desk.conftest import PASSWORD
from tests.desk.test_desk_security import csrf_of, log_in, status_of

CASE = "2026-08-DW0002-ZB03"
# the only addresses anyone may open without logging in (the old ones send to /documents/…)
PUBLIC_PAGES = {"/login", "/health", "/cases/{document_id}", "/chases/{document_id}",
                "/circulars/{document_id}"}
PUBLIC_FORMS = {"/login", "/logout"}
# what each form would do if it were let through: approve the case, log in
FORM_DATA = {"decision": "approve", "case": CASE, "name": "李审核", "password": PASSWORD,
             "next": "/queue"}


def routes(client, method: str) -> list[str]:
    # FastAPI 0.139 keeps an included router as one entry of app.routes: its routes are read
    # through it, with the paths and dependencies they have in the app
    found = [r.path for r in iter_route_contexts(client.app.routes) if method in (r.methods or ())]
    assert found, method
    return found


def address(path: str) -> str:
    return re.sub(r"\{[^}]+\}", CASE, path)


def events() -> int:
    with session_scope() as session:
        return int(session.execute(select(func.count()).select_from(Event)).scalar_one())


def test_the_routes_read_off_the_app_are_the_desk_s(client):
    assert {"/queue", "/documents/{document_id}", "/"} <= set(routes(client, "GET"))
    assert set(routes(client, "POST")) == {"/login", "/logout", "/queue/approve", "/queue/issue",
                                   "/documents/{document_id}/decide",
                                   "/documents/{document_id}/accept",
                                   "/documents/{document_id}/return",
                                   # the branches' portal (tests/portal walks its own)
                                   "/portal/documents/{document_id}/receipt",
                                   "/portal/cases/{case_id}/reply",
                                   "/portal/cases/{case_id}/draft", "/portal/ledger",
                                   "/portal/ledger/meetings/{meeting_id}/files",
                                   "/portal/ledger/rectifications",
                                   "/portal/ledger/rectifications/{rectification_id}"}


def test_every_page_but_the_public_ones_sends_an_anonymous_request_to_the_login(client):
    for path in routes(client, "GET"):
        response = client.get(address(path))
        if path in PUBLIC_PAGES:
            assert response.status_code in (200, 301), path
            if response.status_code == 301:
                assert response.headers["location"].startswith("/documents/"), path
            continue
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next="), path


def test_every_form_but_login_and_logout_refuses_an_anonymous_request(client):
    before = events()
    token = csrf_of(client.get("/login").text)  # a real token, but nobody logged in
    for path in routes(client, "POST"):
        if path in PUBLIC_FORMS:
            continue
        response = client.post(address(path), data={**FORM_DATA, "csrf": token})
        assert response.status_code == 403, path
        assert "请先登录" in response.text, path
    assert status_of(CASE) == "draft" and events() == before


def test_every_form_refuses_a_missing_or_forged_csrf_token_and_changes_nothing(client):
    log_in(client)
    before = events()
    real = csrf_of(client.get("/queue").text)
    for path in routes(client, "POST"):
        for token in (None, "", "forged", real[:-1], real + "x"):
            data = dict(FORM_DATA) if token is None else {**FORM_DATA, "csrf": token}
            response = client.post(address(path), data=data)
            assert response.status_code == 403, (path, token)
            assert "表单已过期或并非来自审核台" in response.text, (path, token)
    assert status_of(CASE) == "draft" and events() == before
    assert client.get("/queue").status_code == 200  # /logout refused: still logged in


def test_every_form_refuses_a_csrf_value_that_is_no_token_at_all_with_the_same_403(client):
    log_in(client)
    before = events()
    real = csrf_of(client.get("/queue").text)
    fields = "&".join(f"{k}={v}" for k, v in FORM_DATA.items() if k != "password")
    urlencoded = {"content-type": "application/x-www-form-urlencoded"}
    for path in routes(client, "POST"):
        sent = [client.post(address(path), data={**FORM_DATA, "csrf": token})
                for token in ("令牌", real + "令", "é" * len(real), "\x00", real * 200)]
        sent += [
            # not UTF-8 once percent-decoded, or not percent-encoded at all
            client.post(address(path), content=f"{fields}&csrf=%FF%FE".encode(), headers=urlencoded),
            client.post(address(path), content=f"csrf={real}".encode() + b"\xff",
                        headers=urlencoded),
            # a file where the token should be; a multipart body without parts; JSON, not a form
            client.post(address(path), data=FORM_DATA, files={"csrf": ("csrf.txt", real.encode())}),
            client.post(address(path), content=b"--x\r\nbroken",
                        headers={"content-type": "multipart/form-data; boundary=x"}),
            client.post(address(path), json={**FORM_DATA, "csrf": real}),
        ]
        for number, response in enumerate(sent):
            assert response.status_code == 403, (path, number)
            assert "表单已过期或并非来自审核台" in response.text, (path, number)
        # a body that cannot be parsed as a form at all: refused before any handler runs
        unreadable = client.post(address(path), content=f"csrf={real}".encode(),
                                 headers={"content-type": "multipart/form-data"})  # no boundary
        assert unreadable.status_code == 400, path
    assert status_of(CASE) == "draft" and events() == before
    assert client.get("/queue").status_code == 200
