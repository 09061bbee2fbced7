"""`audit`: a period's audit log."""

from __future__ import annotations

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Period
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import period_key, user_errors


@app.command()
@user_errors
def audit(period: Period) -> None:
    """The period's audit log: every opening, change, withdrawal, decision and issue."""
    from dutyflow.core.calendar import local_time
    from dutyflow.core.vocabulary import event_words
    from dutyflow.models.db import session_scope
    from dutyflow.models.documents import actor_words, audit_log

    p = period_key(period)
    with session_scope() as session:
        events = audit_log(session=session, period=p)
    if events:
        print_table(["时间", "事件", "经办人", "编号", "说明"], [
            (f"{local_time(e.at):%Y-%m-%d %H:%M:%S}", event_words(e.event), actor_words(e.actor), e.subject,
             e.note) for e in events])
    typer.echo(f"{p} 共 {len(events)} 条记录")
