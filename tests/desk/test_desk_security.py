"""The desk refuses whoever may not decide: anonymous requests, forged forms, a reviewer on
their own branch, password guessing; and names are shown as text, never run as markup."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Event, LoginAttempt
from tests.desk.conftest import OWN_BRANCH, PASSWORD, XSS_NAME

CASE_PAGES = ["/queue", "/documents/2026-08-DW0002-ZB03", "/documents/2026-08-DW0002-ZB03/notice",
              "/documents/2026-08-DW0002-ZB03/notice.docx", "/"]
FORMS = ["/documents/2026-08-DW0002-ZB03/decide", "/queue/approve", "/logout"]


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def log_in(client, name: str = "李审核", password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf": token,
                                       "next": "/queue"})


def status_of(case_id: str) -> str:
    with session_scope() as session:
        return session.get(Case, case_id).status


def test_every_page_and_form_refuses_an_anonymous_request(client):
    for path in CASE_PAGES:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    token = csrf_of(client.get("/login").text)  # a real token, but nobody logged in
    for path in FORMS[:2]:
        response = client.post(path, data={"csrf": token, "decision": "approve",
                                           "case": "2026-08-DW0002-ZB03"})
        assert response.status_code == 403
    assert status_of("2026-08-DW0002-ZB03") == "draft"


def test_a_logged_in_reviewer_sees_the_queue_and_the_notice(client):
    assert log_in(client).status_code == 303
    queue = client.get("/queue")
    assert queue.status_code == 200 and "2026-08-DW0002-ZB03" in queue.text
    notice = client.get("/documents/2026-08-DW0002-ZB03/notice")
    assert notice.status_code == 200 and "sandbox" in notice.headers["content-security-policy"]
    assert "〔待编号〕" in notice.text
    docx = client.get("/documents/2026-08-DW0002-ZB03/notice.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "attachment" in docx.headers["content-disposition"]


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(client):
    log_in(client)
    for data in ({"decision": "approve"}, {"decision": "approve", "csrf": "forged"}):
        response = client.post("/documents/2026-08-DW0002-ZB03/decide", data=data)
        assert response.status_code == 403
    bulk = client.post("/queue/approve", data={"case": "2026-08-DW0002-ZB03"})
    assert bulk.status_code == 403
    assert status_of("2026-08-DW0002-ZB03") == "draft"
    login = client.post("/login", data={"name": "李审核", "password": PASSWORD})
    assert login.status_code == 403  # the login form is protected too


def test_a_reviewer_cannot_decide_on_their_own_branch(client):
    log_in(client, "赵书记")
    case_id = f"2026-08-{OWN_BRANCH}"
    page = client.get(f"/documents/{case_id}")
    assert "须由他人决定" in page.text and 'id="approve"' not in page.text
    client.post(f"/documents/{case_id}/decide", data={"csrf": csrf_of(page.text), "decision": "approve"})
    assert status_of(case_id) == "draft"
    refusal = client.get(f"/documents/{case_id}")
    assert "须由他人决定" in refusal.text
    with session_scope() as session:
        events = session.execute(select(Event.event, Event.actor)
                                 .where(Event.subject == case_id)).all()
    assert ("refused_approve", "赵书记") in events


def test_wrong_passwords_lock_the_account_and_every_checked_attempt_is_logged(client):
    for _ in range(5):
        assert log_in(client, password="wrong-password").status_code == 401
    refused = log_in(client)  # the right password, too late: not even checked
    assert refused.status_code == 429
    assert re.search(r"该账号因多次登录失败已暂时锁定，请于\d\d:\d\d后再试", refused.text)
    assert client.get("/queue").status_code == 303
    with session_scope() as session:
        attempts = session.execute(select(LoginAttempt.succeeded)
                                   .where(LoginAttempt.name == "李审核")).scalars().all()
    assert attempts == [False] * 5  # the refused attempt checked no password
    other = log_in(client, "赵书记")  # the lock is the name's: others still log in
    assert other.status_code == 303


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(client):
    unknown, wrong = log_in(client, "王五"), log_in(client, password="wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert "姓名或密码错误" in unknown.text and "姓名或密码错误" in wrong.text


def test_names_with_markup_render_literally(client):
    log_in(client)
    page = client.get("/queue", params={"q": "测试支部"})
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;测试支部" in page.text
    assert XSS_NAME not in page.text
    case = client.get("/documents/2026-08-DW0002-ZB08")
    assert XSS_NAME not in case.text and "&lt;script&gt;" in case.text
    assert "script-src 'nonce-" in case.headers["content-security-policy"]


def test_a_session_cookie_cannot_be_forged(client):
    client.cookies.set("dutyflow_desk", "eyJyZXZpZXdlciI6ICJcdTY3NGVcdTViYTFcdTY4MzgifQ==.forged.sig")
    assert client.get("/queue").status_code == 303


@pytest.mark.parametrize("proxy, expected", [("testclient", 200), ("10.0.0.9", 303)])
def test_single_sign_on_trusts_x_remote_user_only_from_the_configured_proxy(
        desk_db, monkeypatch, proxy, expected):
    from fastapi.testclient import TestClient

    from dutyflow.core.settings import reload_settings
    from dutyflow.desk.app import create_app

    monkeypatch.setenv("DUTYFLOW_DESK_TRUSTED_PROXIES", f'["{proxy}"]')
    reload_settings()
    with TestClient(create_app(), follow_redirects=False) as client:
        for header in ("单点登录".encode(), quote("单点登录")):  # raw UTF-8, or percent-encoded
            response = client.get("/queue", headers={"X-Remote-User": header})
            assert response.status_code == expected
            if expected == 200:
                assert "单点登录" in response.text
        stranger = client.get("/queue", headers={"X-Remote-User": quote("王五")})
        assert stranger.status_code == 303
