"""`send-notifications`: send the notifications issuing wrote (the outbox), by email and
through the Prefect notification blocks the office named; failures wait for their next try.
The sending itself is `services/notify.py`; only the blocks are loaded here (Prefect)."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.blocks.core import Block
from prefect.cache_policies import NO_CACHE

from dutyflow.core.settings import settings
from dutyflow.models.tables import Notification
from dutyflow.services.notify import (
    BLOCK,
    Message,
    Sender,
    SendSummary,
    UnknownChannel,
    send_due,
)


def _block_sender(block: Any) -> Sender:
    def send(row: Notification, message: Message) -> None:
        block.notify(message.body, subject=message.subject)
    return send


def _unavailable(error: Exception) -> Sender:
    """A block that could not be loaded: each of its rows fails with the reason, to be tried
    again (the block may be created or fixed meanwhile)."""
    def send(row: Notification, message: Message) -> None:
        raise error
    return send


@task(cache_policy=NO_CACHE)
def load_blocks(names: list[str]) -> dict[str, Sender]:
    """Each named notification block (type slug/name), ready to send."""
    senders = {}
    for name in names:
        try:
            senders[BLOCK + name] = _block_sender(Block.load(name))
        except Exception as error:  # noqa: BLE001 (recorded on each of its rows)
            get_run_logger().warning("notification block %s could not be loaded: %s", name, error)
            senders[BLOCK + name] = _unavailable(UnknownChannel(f"{name}: {error}"))
    return senders


@task(cache_policy=NO_CACHE)
def send_notifications_due(senders: dict[str, Sender]) -> SendSummary:
    """Claim, send and record every due notification."""
    return send_due(senders=senders)


@flow(name="send-notifications", flow_run_name="send notifications")
def send_notifications() -> SendSummary:
    """Send the due notifications of issued documents (email, notification blocks)."""
    senders = load_blocks(settings.notify_block_names)
    summary = send_notifications_due(senders)
    get_run_logger().info("notifications: %d sent, %d to try again, %d failed",
                          summary.sent, summary.retrying, summary.failed)
    return summary
