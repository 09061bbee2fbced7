"""Notifications of issued documents (issue 28): an outbox.

Issuing writes one row per addressee account and channel in its own transaction and touches
no network, so a mail server or a robot that is down never blocks issuing. `send_due` (the
`send-notifications` flow, `dutyflow notify`) claims each due row with one atomic UPDATE, so a
second run at the same time never sends it twice, sends it, and records what happened: sent,
or the error in Chinese and the next try (1 minute, doubling, capped), until after
`notify_attempts` tries it is marked failed. Nothing is dropped; the desk shows them all.

Email goes by SMTP from here; any other channel is a Prefect notification block, which only
the flow may load (the layers: no Prefect below flows), so it hands its senders in.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any
from urllib.parse import quote

from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import DOCUMENT_KINDS
from dutyflow.models.db import session_scope
from dutyflow.models.documents import log_event
from dutyflow.models.notifications import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    addressee_accounts,
    claim,
    due_ids,
    notification_rows,
    status_counts,
)
from dutyflow.models.tables import Document, Notification, Organization, utcnow
from dutyflow.services.reviewers import ORGANIZATION_KINDS

log = logging.getLogger(__name__)
EMAIL = "email"
BLOCK = "block:"  # block:custom-webhook/dangwei-robot
ACTOR = "通知发送"
STATUS_WORDS = {PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败"}


def channel_words(channel: str) -> str:
    return "电子邮件" if channel == EMAIL else f"通知渠道 {channel.removeprefix(BLOCK)}"


# ------------------------------------------------------------------ writing the outbox


def channels(email: str | None) -> list[tuple[str, str]]:
    """The channels one account is told through, as configured now: (channel, address)."""
    found = [(EMAIL, email)] if settings.smtp_host and email else []
    return found + [(BLOCK + name, "") for name in settings.notify_block_names]


def queue_notifications(*, session: Any, document: Document) -> int:
    """In the issuing transaction: one row per addressee account × channel (no network)."""
    accounts = addressee_accounts(session=session, org_code=document.org_code,
                                  kinds=ORGANIZATION_KINDS)
    rows = [Notification(document_id=document.id, org_code=a.org_code, account=a.name,
                         channel=channel, address=address)
            for a in accounts for channel, address in channels(a.email)]
    session.add_all(rows)
    if rows:
        log_event(session=session, subject=document.id, period=document.period,
                  event="notifications_queued", note=f"待发送通知 {len(rows)} 条")
    return len(rows)


# ------------------------------------------------------------------ the message


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def portal_link(document_id: str) -> str | None:
    """The document's portal page at the address the office gave (DUTYFLOW_DESK_URL); None
    without one: the desk's own listening address (127.0.0.1) reaches no branch."""
    if not settings.desk_url:
        return None
    return f"{settings.desk_address()}/portal/documents/{quote(document_id, safe='')}"


def message_for(document: Document, org_name: str | None) -> Message:
    """What the addressee reads: the document's title, number, date, and the portal link."""
    office = settings.office
    title = DOCUMENT_KINDS[document.kind].name
    number = document.document_number or "不编号"
    day = document.issued_on
    dated = f"{day.year}年{day.month}月{day.day}日" if day else ""
    to = org_name or office.all_units
    link = portal_link(document.id)
    body = (f"{to}：\n{office.issuer_name}于{dated}印发《{title}》（{number}），"
            f"请登录党建工作平台查看并签收" + (f"：{link}" if link else "。"))
    return Message(f"【{office.issuer_name}】{title}（{number}）", body)


# ------------------------------------------------------------------ sending

# a sender delivers one message to one row's addressee, or raises
Sender = Callable[[Notification, Message], None]


def send_email(row: Notification, message: Message) -> None:
    """By SMTP (DUTYFLOW_SMTP_*), STARTTLS when set, logging in when a user is given."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = formataddr((settings.office.issuer_name, settings.smtp_from
                               or f"dutyflow@{socket.getfqdn()}"))
    mail["To"] = row.address
    mail.set_content(message.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(mail)


def failure_words(channel: str, error: BaseException) -> str:
    """Why a try failed, in Chinese, for the office (the exception itself goes to the log)."""
    how = channel_words(channel)
    log.warning("notification by %s failed: %r", channel, error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"{how}：邮件服务器拒收此收件地址"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"{how}：邮件服务器登录失败，请检查用户名和密码"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{how}：邮件服务器拒绝发送（代码 {error.smtp_code}）"
    if isinstance(error, smtplib.SMTPException):
        return f"{how}：邮件服务器中断了发送"
    if isinstance(error, socket.gaierror):
        return f"{how}：找不到服务器地址"
    if isinstance(error, ConnectionRefusedError):
        return f"{how}：无法连接，对方没有响应"
    if isinstance(error, TimeoutError):
        return f"{how}：连接超时"
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status is not None:
        return f"{how}：对方接口返回错误，状态码 {status}"
    if isinstance(error, UnknownChannel):
        return f"{how}：找不到该通知渠道或其设置有误，请检查通知渠道的名称和设置"
    return f"{how}：发送失败（原因见发送流程的运行日志）"


class UnknownChannel(LookupError):
    """A channel no sender was given for, or whose block could not be loaded."""


def next_try(attempts: int, now: datetime) -> datetime:
    """1 minute after the first failure, doubling, at most notify_retry_max_minutes."""
    minutes = min(settings.notify_retry_minutes * 2 ** max(attempts - 1, 0),
                  settings.notify_retry_max_minutes)
    return now + timedelta(minutes=minutes)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def send_due(*, senders: Mapping[str, Sender] | None = None, now: datetime | None = None,
             limit: int = 500) -> SendSummary:
    """Send every due notification once: claim it (its own transaction), send it, record it.
    `senders` maps a block channel to its sender; email needs none."""
    senders = dict(senders or {})
    summary = SendSummary()
    # each claim and each record reads the clock again: a long run's rows must not look
    # stale to another run while they are being sent (a fixed `now` is the tests' clock)
    clock = (lambda: now) if now is not None else utcnow
    with session_scope() as session:
        ids = due_ids(session=session, now=clock(), limit=limit)
    for notification_id in ids:
        with session_scope() as session:
            if not claim(session=session, notification_id=notification_id, now=clock()):
                continue  # another run took it
        channel = ""
        try:  # whatever fails, the row is recorded as failed or to retry, never left claimed
            with session_scope() as session:
                row: Any = session.get(Notification, notification_id)
                channel = row.channel
                document: Any = session.get(Document, row.document_id)
                org = session.get(Organization, row.org_code) if row.org_code else None
                message = message_for(document, org.org_name if org else None)
                session.expunge(row)
            sender = send_email if row.channel == EMAIL else senders.get(row.channel)
            if sender is None:
                raise UnknownChannel(row.channel.removeprefix(BLOCK))
            sender(row, message)
        except Exception as error:  # noqa: BLE001 (any failure is recorded and tried again)
            _record_failure(notification_id, failure_words(channel, error), clock(), summary)
        else:
            _record_sent(notification_id, clock(), summary)
    return summary


def _record_sent(notification_id: int, now: datetime, summary: SendSummary) -> None:
    with session_scope() as session:
        row: Any = session.get(Notification, notification_id)
        row.status, row.sent_at, row.error = SENT, now, ""
        session.add(row)
        log_event(session=session, subject=row.document_id, period=_period(session, row),
                  event="notified", actor=ACTOR,
                  note=f"{row.account}，{channel_words(row.channel)}")
    summary.sent += 1


def _record_failure(notification_id: int, words: str, now: datetime,
                    summary: SendSummary) -> None:
    with session_scope() as session:
        row: Any = session.get(Notification, notification_id)
        row.error = words
        if row.attempts >= settings.notify_attempts:
            row.status = FAILED
            log_event(session=session, subject=row.document_id, period=_period(session, row),
                      event="notify_failed", actor=ACTOR,
                      note=f"{row.account}，已尝试 {row.attempts} 次：{words}")
            summary.failed += 1
        else:
            row.status, row.next_attempt_at = PENDING, next_try(row.attempts, now)
            summary.retrying += 1
        session.add(row)
    summary.errors.append(words)


def _period(session: Any, row: Notification) -> str:
    document = session.get(Document, row.document_id)
    return document.period if document else ""


# ------------------------------------------------------------------ what the desk shows


@dataclass(frozen=True)
class NotificationView:
    id: int
    document_id: str
    document_name: str
    document_number: str | None
    org_name: str
    account: str
    channel: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    error: str

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.status, self.status)


def notifications(*, statuses: tuple[str, ...] = (), document_id: str | None = None,
                  limit: int = 500) -> tuple[list[NotificationView], dict[str, int]]:
    """The notifications (latest first) and the count of each status."""
    with session_scope() as session:
        rows = notification_rows(session=session, statuses=statuses, document_id=document_id,
                                 limit=limit)
        counts = status_counts(session=session)
        return [NotificationView(n.id or 0, d.id, DOCUMENT_KINDS[d.kind].name, d.document_number,
                                 name or settings.office.all_units, n.account,
                                 channel_words(n.channel), n.status, n.attempts,
                                 n.next_attempt_at if n.status == PENDING else None, n.sent_at,
                                 n.error) for n, d, name in rows], counts
