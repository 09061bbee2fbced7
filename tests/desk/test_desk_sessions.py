"""Logging out ends the session on the server: a copy of the old cookie signs no one in, while
the reviewer's other sessions go on; ended sessions are forgotten once their cookies expire."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner

from dutyflow.core.settings import settings
from dutyflow.models.db import session_scope
from dutyflow.models.tables import EndedDeskSession, utcnow
from tests.desk.test_desk_security import csrf_of, log_in, status_of

COOKIE = "dutyflow_desk"
CASE = "2026-08-DW0002-ZB03"


def ended() -> dict[str, str]:
    with session_scope() as session:
        return {e.session_id: e.reviewer for e in session.query(EndedDeskSession).all()}


def use_cookie(client: TestClient, value: str) -> None:
    """Send this session cookie, and no other."""
    client.cookies.clear()
    client.cookies.set(COOKIE, value)


def log_out(client: TestClient) -> None:
    response = client.post("/logout", data={"csrf": csrf_of(client.get("/queue").text)})
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_a_copy_of_the_cookie_signs_no_one_in_after_logging_out(client):
    log_in(client)
    page = client.get(f"/documents/{CASE}")
    kept, token = client.cookies[COOKIE], csrf_of(page.text)
    log_out(client)
    assert client.get("/queue").status_code == 303
    assert list(ended().values()) == ["李审核"]

    use_cookie(client, kept)  # the cookie as it was, signed and unexpired
    assert client.get("/queue").headers["location"].startswith("/login")
    use_cookie(client, kept)
    decided = client.post(f"/documents/{CASE}/decide", data={"csrf": token, "decision": "approve"})
    assert decided.status_code == 403 and "请先登录" in decided.text
    assert status_of(CASE) == "draft"

    client.cookies.clear()
    assert log_in(client).status_code == 303  # logging in again is a new session
    assert client.get("/queue").status_code == 200


def test_logging_out_ends_that_session_only(client):
    with TestClient(client.app, follow_redirects=False) as other_browser:
        log_in(client)
        log_in(other_browser)
        log_out(client)
        assert other_browser.get("/queue").status_code == 200
        assert client.get("/queue").status_code == 303


def test_a_session_cookie_from_before_sessions_had_an_id_logs_in_again(client):
    secret = settings.desk_secret_file.read_text().strip()

    def signed(session: dict[str, str]) -> str:
        payload = base64.b64encode(json.dumps(session).encode())
        return TimestampSigner(secret).sign(payload).decode()

    use_cookie(client, signed({"reviewer": "李审核", "csrf": "t", "sid": "a-session"}))
    assert client.get("/queue").status_code == 200  # the cookie is made as the desk makes it
    use_cookie(client, signed({"reviewer": "李审核", "csrf": "t"}))
    assert client.get("/queue").headers["location"].startswith("/login")


def test_ended_sessions_are_forgotten_once_their_cookies_have_expired(client):
    lasts = timedelta(hours=settings.desk_session_hours)
    with session_scope() as session:
        session.add(EndedDeskSession(session_id="expired", reviewer="李审核",
                                     ended_at=utcnow() - lasts - timedelta(minutes=1)))
        session.add(EndedDeskSession(session_id="recent", reviewer="李审核",
                                     ended_at=utcnow() - lasts + timedelta(minutes=5)))
    log_in(client)
    log_out(client)
    assert len(ended()) == 2 and "expired" not in ended() and "recent" in ended()
