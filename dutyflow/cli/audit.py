"""`audit`: a period's audit log."""

from __future__ import annotations

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Period
from dutyflow.cli._utilities import period_key, user_errors


@app.command()
@user_errors
def audit(period: Period) -> None:
    """The period's audit log: every opening, change, withdrawal, decision and issue."""
    from dutyflow.core.calendar import local_time
    from dutyflow.models.db import session_scope
    from dutyflow.models.decisions import audit_log

    p = period_key(period)
    with session_scope() as session:
        events = audit_log(session=session, period=p)
        for e in events:
            note = f"  {e.note}" if e.note else ""
            typer.echo(f"{local_time(e.at):%Y-%m-%d %H:%M:%S}  {e.event:<18} {e.actor:<10} "
                       f"{e.subject}{note}")
    typer.echo(f"{len(events)} events in {p}")
