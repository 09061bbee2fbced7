"""How the desk draws its pages: one Jinja2 environment, made when the app is."""

from __future__ import annotations

import re

import pytest

from tests.desk.conftest import PASSWORD
from tests.desk.test_desk_security import csrf_of, log_in

CASE = "2026-08-DW0002-ZB03"


def test_pages_are_drawn_with_the_environment_made_at_start_up(client, monkeypatch):
    def no_new_environment(*args, **kwargs):
        pytest.fail("a Jinja2 environment was made while answering a request")

    monkeypatch.setattr("dutyflow.desk.deps.Environment", no_new_environment)
    log_in(client)
    for path in ("/login", "/queue", "/documents/2026-08-DW0002-ZB03", "/documents/nope"):
        assert client.get(path).status_code in (200, 404), path


def visible_words(html: str) -> list[str]:
    """The Latin words a reader sees on the page (not those in styles, tags, attributes or a
    document's id)."""
    text = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"\d{4}-\d{2}-[A-Z0-9-]+", "", re.sub(r"<[^>]+>", "", text))
    return re.findall(r"[A-Za-z]{2,}", text)


def assert_error_page(response, status: int, words: str, *, signed_in: bool) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text and 'href="/queue" id="to-queue">回到待审队列' in response.text
    assert f"状态码 {status}" in response.text
    assert ('id="to-login"' in response.text) is not signed_in
    assert ('action="/logout"' in response.text) is signed_in  # the header of a signed-in page
    assert visible_words(response.text) == [], visible_words(response.text)
    assert "X-Frame-Options" in response.headers and response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_addresses_and_wrong_methods_get_a_chinese_page_with_the_way_back(client, signed_in):
    if signed_in:
        log_in(client)
    assert_error_page(client.get("/nowhere"), 404, "没有这个页面", signed_in=signed_in)
    assert_error_page(client.post("/nowhere", data={"csrf": "x"}), 404, "没有这个页面",
                      signed_in=signed_in)
    wrong_method = client.get("/logout")
    assert_error_page(wrong_method, 405, "这个地址不能这样访问", signed_in=signed_in)
    assert wrong_method.headers["allow"] == "POST"
    assert_error_page(client.get("/documents/x/decide"), 405, "这个地址不能这样访问",
                      signed_in=signed_in)
    unreadable = client.post("/logout", content=b"csrf=x", headers={"content-type": "multipart/form-data"})
    assert_error_page(unreadable, 400, "未记录任何决定", signed_in=signed_in)


def test_a_malformed_address_gets_a_chinese_page_once_signed_in(client):
    assert client.get("/queue?page=abc").status_code == 303  # anonymous: to the login first
    log_in(client)
    assert_error_page(client.get("/queue?page=abc"), 422, "页码不是数字", signed_in=True)
    assert_error_page(client.get("/documents/2026-08-DW0002-ZB03/notice.pdf"), 404,
                      "没有这份文件", signed_in=True)
    assert_error_page(client.get("/documents/2026-08-DW9999-ZB99"), 404, "没有文书 2026-08-DW9999-ZB99",
                      signed_in=True)


def test_refused_forms_get_a_chinese_page(client):
    token = csrf_of(client.get("/login").text)
    anonymous = client.post("/queue/approve", data={"csrf": token, "case": CASE})
    assert_error_page(anonymous, 403, "请先登录", signed_in=False)
    forged = client.post("/login", data={"csrf": "forged", "name": "李审核"})
    assert_error_page(forged, 403, "表单已过期或并非来自审核台", signed_in=False)
    log_in(client)
    forged = client.post(f"/documents/{CASE}/decide", data={"csrf": "forged", "decision": "approve"})
    assert_error_page(forged, 403, "表单已过期或并非来自审核台", signed_in=True)


def test_a_failure_inside_the_desk_gets_a_chinese_page_and_no_trace(client, monkeypatch):
    from fastapi.testclient import TestClient

    def broken(*args, **kwargs):
        raise RuntimeError("connection refused: secret detail")

    with TestClient(client.app, raise_server_exceptions=False, follow_redirects=False) as desk:
        log_in(desk)
        monkeypatch.setattr("dutyflow.desk.routes.queue.queue_page", broken)
        failed = desk.get("/queue")
        assert_error_page(failed, 500, "审核台处理这次请求时出错", signed_in=True)
        assert "secret detail" not in failed.text and "Traceback" not in failed.text
        assert "script-src 'nonce-" in failed.headers["content-security-policy"]

        desk.cookies.clear()
        monkeypatch.setattr("dutyflow.desk.routes.auth.authenticate", broken)
        token = csrf_of(desk.get("/login").text)
        failed = desk.post("/login", data={"csrf": token, "name": "李审核", "password": PASSWORD})
        assert_error_page(failed, 500, "审核台处理这次请求时出错", signed_in=False)


def test_every_page_warns_of_a_year_whose_holidays_are_estimated(client, monkeypatch, tmp_path):
    from dutyflow.core import calendar
    from dutyflow.core.settings import settings

    monkeypatch.setattr(settings, "holiday_warning_days", 3650)  # reaches past 2026, any year
    calendar.reload_holidays()
    log_in(client)
    for path in ("/login", "/queue", f"/documents/{CASE}"):
        page = client.get(path).text
        assert re.search(r'class="banner calendar"[^>]*>\d{4}年的法定节假日安排尚未录入，按法定节日'
                         r"日期推算.*请及时按国务院办公厅通知补充节假日文件。</aside>", page), path
    office = tmp_path / "节假日.yaml"
    office.write_text("2027:\n  上班:\n    春节: 2027-02-17\n", encoding="utf-8")
    monkeypatch.setattr(settings, "holiday_file", office)
    calendar.reload_holidays()
    page = client.get("/queue").text  # a bad file is shown, not a broken desk
    assert "节假日文件 节假日.yaml：2027年 上班 春节：2027-02-17 不是周六或周日" in page
    from datetime import date

    years = range(date.today().year - 1, date.today().year + 12)  # every year the warning reaches
    office.write_text("".join(f"{y}:\n  放假:\n    元旦: {y}-01-01\n" for y in years),
                      encoding="utf-8")
    calendar.reload_holidays()
    assert "flash calendar" not in client.get("/queue").text  # entered: nothing to say
    calendar.reload_holidays()
