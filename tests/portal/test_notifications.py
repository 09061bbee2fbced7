"""Notifications of issued documents: issuing writes the outbox in its own transaction (no
network: a server that is down never blocks it), `send-notifications` delivers each row once,
by email to a local SMTP server (aiosmtpd) and through a Prefect webhook block to a local HTTP
server, and a failure is tried again, then shown at the desk with its reason in Chinese."""

from __future__ import annotations

import email
import email.policy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.settings import reload_settings
from dutyflow.core.vocabulary import MEASURE_KINDS
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Document, Event, Notification, ReviewerAccount, utcnow
from tests.desk.conftest import PASSWORD, free_port
from tests.desk.test_desk_security import log_in
from tests.portal.conftest import ISSUED_ON, MONTH, SAMPLES

ROBOT_BLOCK = "custom-webhook/dangwei-robot"
ADDRESS = "sanzhibu@example.gov.cn"


# ------------------------------------------------------------------ the local servers


class SmtpInbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, SmtpInbox]]:
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@dataclass
class Robot:
    """A group robot's webhook (政务微信, 钉钉): answers `status`, keeps what it is sent."""

    status: int = 200
    received: list[dict] = field(default_factory=list)


@pytest.fixture
def robot() -> Iterator[tuple[int, Robot]]:
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(json.loads(body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], state
    server.shutdown()


def save_robot_block(port: int) -> None:
    """The office's robot as a Prefect notification block, by name."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    CustomWebhookNotificationBlock(
        name="党委机器人", url=f"http://127.0.0.1:{port}/robot",
        json_data={"msgtype": "text", "text": {"content": "{{subject}}\n{{body}}"}},
    ).save("dangwei-robot", overwrite=True)


def configure(monkeypatch: pytest.MonkeyPatch, *, smtp_port: int, **more: str) -> None:
    monkeypatch.setenv("DUTYFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DUTYFLOW_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("DUTYFLOW_SMTP_FROM", "dangwei@example.gov.cn")
    monkeypatch.setenv("DUTYFLOW_NOTIFY_BLOCKS", ROBOT_BLOCK)
    for name, value in more.items():
        monkeypatch.setenv(f"DUTYFLOW_{name}", value)
    reload_settings()


# ------------------------------------------------------------------ an issued month


def issue_with_an_account() -> tuple[str, str]:
    """August's cycle; an account with an email for the branch of the first letter; every
    letter the office decides alone approved and issued. (the letter's id, its branch)"""
    from dutyflow.flows.cycle import run_cycle
    from dutyflow.models.accountability import list_cases
    from dutyflow.models.documents import record_decision
    from dutyflow.services.issuing import issue_approved
    from dutyflow.services.reviewers import add_reviewer

    run_cycle(period=MONTH, input_path=SAMPLES / f"{MONTH}-党建报表.xlsx")
    with session_scope() as session:
        cases = [c for c in list_cases(session=session, period=MONTH)
                 if not c.proposal and MEASURE_KINDS[c.measure].numbered]
        for case in cases:
            record_decision(session=session, document_id=case.id, decision="approve",
                            reviewer="张主任", note="")
        first, org = cases[0].id, cases[0].org_code
    add_reviewer(name="三支部书记", role="支部书记", password=PASSWORD, org_code=org,
                 kind="branch", email=ADDRESS)
    summary = issue_approved(period=MONTH, on=ISSUED_ON, issued_by="张主任")
    assert first in {i for i, _, _ in summary.issued}
    return first, org


def rows() -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).order_by(Notification.id)).scalars())


def events(kind: str) -> list[Event]:
    with session_scope() as session:
        return list(session.execute(select(Event).where(Event.event == kind)).scalars())


# ------------------------------------------------------------------ the tests


def test_an_issued_letter_reaches_its_branch_by_email_and_by_the_robot_once(
        db_url, monkeypatch, smtp_server, robot):
    from dutyflow.flows.notify import send_notifications

    smtp_port, inbox = smtp_server
    robot_port, state = robot
    save_robot_block(robot_port)
    configure(monkeypatch, smtp_port=smtp_port, DESK_URL="https://dangjian.example.gov.cn")
    letter, org = issue_with_an_account()
    queued = rows()
    assert {(n.document_id, n.account, n.channel, n.status) for n in queued} == {
        (letter, "三支部书记", "email", "pending"), (letter, "三支部书记", f"block:{ROBOT_BLOCK}", "pending")}
    assert [n.address for n in queued if n.channel == "email"] == [ADDRESS]
    with session_scope() as session:
        number = session.get(Document, letter).document_number
    assert number and "〔2026〕" in number

    summary = send_notifications()
    assert (summary.sent, summary.retrying, summary.failed) == (2, 0, 0)
    [mail] = inbox.messages
    assert mail["To"] == ADDRESS and number in mail["Subject"]
    text = mail.get_content()
    assert number in text and "签收" in text
    assert f"https://dangjian.example.gov.cn/portal/documents/{letter}" in text
    [posted] = state.received
    content = posted["text"]["content"]
    assert number in content and f"/portal/documents/{letter}" in content and "印发" in content
    assert {n.status for n in rows()} == {"sent"}
    assert len(events("notified")) == 2

    again = send_notifications()  # a re-run never sends twice
    assert (again.sent, again.retrying, again.failed) == (0, 0, 0)
    assert len(inbox.messages) == 1 and len(state.received) == 1


def test_a_robot_that_fails_is_tried_again_then_shown_failed_at_the_desk(
        sqlite_url, monkeypatch, smtp_server, robot):
    from fastapi.testclient import TestClient

    from dutyflow.desk.app import create_app
    from dutyflow.flows.notify import send_notifications
    from dutyflow.services.notify import send_due
    from dutyflow.services.reviewers import add_reviewer

    smtp_port, inbox = smtp_server
    robot_port, state = robot
    state.status = 500
    save_robot_block(robot_port)
    configure(monkeypatch, smtp_port=smtp_port, NOTIFY_ATTEMPTS="3",
              DESK_SECRET_FILE=str(Path(sqlite_url.removeprefix("sqlite:///")).parent / "s"))
    letter, _ = issue_with_an_account()

    first = send_notifications()
    assert (first.sent, first.retrying, first.failed) == (1, 1, 0)  # the email went
    [waiting] = [n for n in rows() if n.status == "pending"]
    assert waiting.attempts == 1 and "状态码 500" in waiting.error
    assert waiting.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    assert send_notifications().retrying == 0  # not due yet: not tried
    assert len(state.received) == 1

    # the robot still fails a minute, then two minutes later: after 3 tries it is marked failed
    later = utcnow() + timedelta(minutes=1, seconds=5)
    assert send_due(now=later, senders=_robot_senders()).retrying == 1
    last = send_due(now=later + timedelta(minutes=2, seconds=5), senders=_robot_senders())
    assert last.failed == 1
    [failed] = [n for n in rows() if n.status == "failed"]
    assert failed.attempts == 3 and "状态码 500" in failed.error
    assert len(state.received) == 3 and len(inbox.messages) == 1
    [logged] = events("notify_failed")
    assert logged.subject == letter and "已尝试 3 次" in logged.note

    add_reviewer(name="李审核", role="组织部审核员", password=PASSWORD)
    with TestClient(create_app(), follow_redirects=False) as client:
        log_in(client, "李审核")
        page = client.get("/notifications").text
        assert "通知发送情况" in page and "发送失败" in page and "已发送" in page
        assert "对方接口返回错误，状态码 500" in page and "三支部书记" in page
        shown = client.get("/notifications?status=failed").text
        assert shown.count('data-status="failed"') == 1 and 'data-status="sent"' not in shown


def _robot_senders():
    from dutyflow.flows.notify import load_blocks

    return load_blocks.fn([ROBOT_BLOCK])


def test_a_mail_server_that_is_down_or_a_missing_robot_never_blocks_issuing(sqlite_url,
                                                                            monkeypatch):
    from dutyflow.flows.notify import send_notifications

    # nothing listens on that port, and no block of that name was ever saved
    configure(monkeypatch, smtp_port=free_port(), NOTIFY_BLOCKS="custom-webhook/no-such-robot")
    letter, _ = issue_with_an_account()  # issued all the same
    with session_scope() as session:
        assert session.get(Document, letter).status == "issued"
    summary = send_notifications()
    assert (summary.sent, summary.retrying) == (0, 2)
    errors = {n.channel: n.error for n in rows()}
    assert errors["email"] == "电子邮件：无法连接，对方没有响应"
    assert "找不到该通知渠道或其设置有误" in errors["block:custom-webhook/no-such-robot"]
    assert {n.status for n in rows()} == {"pending"}


def test_two_senders_at_once_send_each_notification_once(db_url, monkeypatch):
    """The claim is one UPDATE only one run can win (SQLite and PostgreSQL)."""
    from dutyflow.services.notify import send_due

    configure(monkeypatch, smtp_port=free_port(), NOTIFY_BLOCKS="test/robot")
    with session_scope() as session:
        session.add(Document(id="doc-1", kind="reminder", period=MONTH, status="issued",
                             org_code=None, document_number="市直工委函〔2026〕1号",
                             issued_on=ISSUED_ON))
        session.flush()
        session.add_all([Notification(document_id="doc-1", account=f"账号{i}",
                                      channel="block:test/robot") for i in range(40)])
    sent: list[str] = []
    lock = threading.Lock()

    def record(row, message) -> None:
        with lock:
            sent.append(row.account)

    threads = [threading.Thread(target=send_due, kwargs={"senders": {"block:test/robot": record}})
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == sorted(f"账号{i}" for i in range(40))
    assert {n.status for n in rows()} == {"sent"} and {n.attempts for n in rows()} == {1}


def test_a_message_that_cannot_be_written_is_tried_again_not_left_claimed(sqlite_url,
                                                                          monkeypatch):
    """A failure before sending (the office file unreadable, say) is recorded like a failed
    send: the row waits for its next try, never stays 发送中 with its attempts counting."""
    from dutyflow.services import notify

    configure(monkeypatch, smtp_port=free_port(), NOTIFY_BLOCKS="test/robot")
    with session_scope() as session:
        session.add(Document(id="doc-1", kind="reminder", period=MONTH, status="issued",
                             org_code=None, document_number="市直工委函〔2026〕1号",
                             issued_on=ISSUED_ON))
        session.flush()
        session.add(Notification(document_id="doc-1", account="账号1", channel="block:test/robot"))

    def broken(*args, **kwargs):
        raise OSError("office file unreadable")

    monkeypatch.setattr(notify, "message_for", broken)
    summary = notify.send_due(senders={"block:test/robot": lambda row, message: None})
    assert (summary.sent, summary.retrying) == (0, 1)
    [row] = rows()
    assert row.status == "pending" and row.attempts == 1 and row.error


def test_without_the_office_s_address_a_message_carries_no_link_that_reaches_no_one(
        sqlite_url, monkeypatch):
    from dutyflow.services.notify import message_for

    configure(monkeypatch, smtp_port=free_port())
    document = Document(id="doc-1", kind="reminder", period=MONTH, status="issued",
                        org_code=None, document_number="市直工委函〔2026〕1号", issued_on=ISSUED_ON)
    body = message_for(document, "中共市教育局第3党支部").body
    assert "127.0.0.1" not in body and "http" not in body
    assert body.endswith("请登录党建工作平台查看并签收。")


def test_an_account_s_email_is_set_and_a_wrong_one_refused_in_chinese(sqlite_url):
    runner = CliRunner()
    wrong = runner.invoke(app, ["account", "add", "王审核", "--role", "reviewer",
                                "--email", "不是邮箱", "--no-password"])
    assert wrong.exit_code != 0 and "电子邮箱“不是邮箱”格式不正确" in wrong.output
    made = runner.invoke(app, ["account", "add", "王审核", "--role", "reviewer",
                               "--email", "wang@example.gov.cn", "--no-password"])
    assert made.exit_code == 0, made.output
    changed = runner.invoke(app, ["account", "email", "王审核", "wangshen@example.gov.cn"])
    assert changed.exit_code == 0 and "wangshen@example.gov.cn" in changed.output
    with session_scope() as session:
        assert session.get(ReviewerAccount, "王审核").email == "wangshen@example.gov.cn"
    bad = runner.invoke(app, ["account", "email", "王审核", "a@b"])
    assert bad.exit_code != 0 and "格式不正确" in bad.output
    nobody = runner.invoke(app, ["account", "email", "没有此人", "a@example.gov.cn"])
    assert nobody.exit_code != 0 and "没有名为“没有此人”" in nobody.output
