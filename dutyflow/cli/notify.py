"""`notify`: send the notifications of issued documents now (what the `send-notifications`
deployment does every five minutes)."""

from __future__ import annotations

import typer

from dutyflow.cli._app import app
from dutyflow.cli._utilities import api_ready, prepare_prefect, user_errors


@app.command()
@user_errors
def notify() -> None:
    """Send the due notifications (email by SMTP, the notification blocks named in
    DUTYFLOW_NOTIFY_BLOCKS); a failed one is tried again later, then shown at the desk."""
    prepare_prefect()
    from dutyflow.flows.notify import send_notifications

    api_ready()
    summary = send_notifications()
    typer.echo(f"通知：已发送 {summary.sent} 条，待重试 {summary.retrying} 条，发送失败 {summary.failed} 条")
    for words in dict.fromkeys(summary.errors):
        typer.echo(f"  {words}")
