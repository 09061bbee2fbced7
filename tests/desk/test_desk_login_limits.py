"""A login that holds under attack: a flood from one address neither slows the desk nor locks
a named reviewer out; the address is limited; trying during a lock never makes it last longer;
an administrator lifts a lock.

The office's proxy is trusted here, so each request names its client in X-Forwarded-For, as
the proxy would."""

from __future__ import annotations

import re
import statistics
import threading
import time

import httpx
import pytest
from typer.testing import CliRunner

from dutyflow.core.settings import reload_settings, settings
from tests.desk.conftest import PASSWORD
from tests.desk.test_desk_security import csrf_of

LOCKED = re.compile(r"该账号因多次登录失败已暂时锁定，请于\d\d:\d\d后再试")


@pytest.fixture
def behind_proxy(desk_db, monkeypatch):
    monkeypatch.setenv("DUTYFLOW_DESK_TRUSTED_PROXIES", '["testclient", "127.0.0.1"]')
    reload_settings()


def desk():
    """A desk made now, with the settings of this test."""
    from fastapi.testclient import TestClient

    from dutyflow.desk.app import create_app

    return TestClient(create_app(), follow_redirects=False)


def attempt(client, address: str, name: str = "李审核", password: str = "wrong-password"):
    """One login from a client at `address`, with a fresh session (as a script would)."""
    client.cookies.clear()
    headers = {"X-Forwarded-For": address}
    token = csrf_of(client.get("/login", headers=headers).text)
    return client.post("/login", headers=headers, data={
        "name": name, "password": password, "csrf": token, "next": "/queue"})


def test_a_stranger_cannot_lock_a_reviewer_out_from_another_address(behind_proxy):
    with desk() as client:
        for _ in range(5):
            assert attempt(client, "10.0.0.66").status_code == 401
        locked = attempt(client, "10.0.0.66", password=PASSWORD)
        assert locked.status_code == 429 and LOCKED.search(locked.text)
        for i in range(40):  # beyond every limit: other names too, as an attacker would
            assert attempt(client, "10.0.0.66", name=f"王{i}").status_code in (401, 429)
        mine = attempt(client, "10.0.0.7", password=PASSWORD)
        assert mine.status_code == 303 and mine.headers["location"] == "/queue"


def test_one_address_is_refused_after_its_limit_over_all_names(behind_proxy):
    with desk() as client:
        for i in range(20):  # twenty names, once each: no account's own limit is reached
            assert attempt(client, "10.0.0.66", name=f"王{i}").status_code == 401
        refused = attempt(client, "10.0.0.66", password=PASSWORD)
        assert refused.status_code == 429
        assert re.search(r"本机登录失败次数过多，已暂停登录，请于\d\d:\d\d后再试", refused.text)
        assert attempt(client, "10.0.0.7", password=PASSWORD).status_code == 303


def test_attempts_while_locked_do_not_make_the_lock_last_longer(behind_proxy, monkeypatch):
    monkeypatch.setenv("DUTYFLOW_DESK_LOGIN_WINDOW_MINUTES", "0.15")  # nine seconds
    reload_settings()
    with desk() as client:
        assert attempt(client, "10.0.0.66").status_code == 401
        first = time.monotonic()  # the first failure was counted before this
        for _ in range(4):
            assert attempt(client, "10.0.0.66").status_code == 401
        while time.monotonic() < first + 6:  # keep trying through the lock
            tried = attempt(client, "10.0.0.66")
            assert tried.status_code == 429 and LOCKED.search(tried.text)
            time.sleep(0.2)
        time.sleep(max(0.0, first + 9.5 - time.monotonic()))
        # the first failure has left the window: had the tries counted, five would remain
        assert attempt(client, "10.0.0.66", password=PASSWORD).status_code == 303


def test_an_administrator_lifts_the_lock(behind_proxy):
    from dutyflow.cli import app

    with desk() as client:
        for _ in range(5):
            attempt(client, "10.0.0.7")
        assert attempt(client, "10.0.0.7", password=PASSWORD).status_code == 429
        result = CliRunner().invoke(app, ["reviewer", "unlock", "李审核"])
        assert result.exit_code == 0 and "李审核 的登录锁定已解除" in result.output
        assert attempt(client, "10.0.0.7", password=PASSWORD).status_code == 303
        unknown = CliRunner().invoke(app, ["reviewer", "unlock", "无此人"])
        assert unknown.exit_code == 2 and "没有名为“无此人”的审核人账号" in unknown.output


def test_a_login_flood_neither_slows_the_desk_nor_locks_the_reviewer_out(behind_proxy, desk_url):
    """60 wrong logins at once from one address against the desk served by uvicorn: the
    password checks are bounded (the rest refused at once, 429), /health keeps answering."""
    flood = 60
    clients = [httpx.Client(base_url=desk_url, timeout=30) for _ in range(flood)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]
    start = threading.Barrier(flood + 1)
    answers: list[tuple[int, float, str]] = []

    def wrong_login(c: httpx.Client, token: str) -> None:
        start.wait()
        began = time.monotonic()
        response = c.post("/login", headers={"X-Forwarded-For": "10.0.0.66"}, data={
            "name": "李审核", "password": "wrong-password", "csrf": token})
        answers.append((response.status_code, time.monotonic() - began, response.text))

    threads = [threading.Thread(target=wrong_login, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    health: list[float] = []
    with httpx.Client(base_url=desk_url, timeout=30) as watcher:
        start.wait()
        while any(t.is_alive() for t in threads):
            began = time.monotonic()
            assert watcher.get("/health").json() == {"status": "ok"}
            health.append(time.monotonic() - began)
    for t in threads:
        t.join()
    for c in clients:
        c.close()

    assert len(answers) == flood and health
    statuses = [status for status, _, _ in answers]
    busy = [text for status, _, text in answers if status == 429 and "登录请求过多，请稍后再试" in text]
    assert set(statuses) <= {401, 429} and busy, statuses
    # passwords checked: the account's limit, plus at most the checks already running when
    # its last failure was counted (the rest were refused as busy or as locked)
    assert statuses.count(401) <= settings.desk_login_attempts + settings.desk_login_concurrency - 1
    print(f"\nflood of {flood}: {statuses.count(401)} checked, {len(busy)} refused as busy; "
          f"slowest login answer {max(s for _, s, _ in answers):.2f} s; /health median "
          f"{statistics.median(health) * 1000:.0f} ms, max {max(health) * 1000:.0f} ms "
          f"over {len(health)} calls")
    assert max(health) < 2.0  # was 17 s before the bound
    # the reviewer, from their own address, is not locked out by the flood
    with httpx.Client(base_url=desk_url, timeout=30) as mine:
        token = csrf_of(mine.get("/login").text)
        response = mine.post("/login", headers={"X-Forwarded-For": "10.0.0.7"}, data={
            "name": "李审核", "password": PASSWORD, "csrf": token})
        assert response.status_code == 303 and response.headers["location"] == "/queue"
