"""After issue (闭环): `reply` records an organization's answer, `accept` closes the case on it
(销号), `return` sends it back (退回)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import CaseId, Note, Reviewer
from dutyflow.cli._utilities import parse_date, user_errors


@app.command("reply")
@user_errors
def reply_command(
    case_id: CaseId,
    received: Annotated[str, typer.Option("--received", help="The day the reply came "
                                          "(2026-12-02).")],
    files: Annotated[list[Path] | None, typer.Option("--file", help="Evidence (佐证材料); "
                                                     "repeat for more.")] = None,
    note: Note = "",
) -> None:
    """Record an organization's reply (整改反馈) to an issued measure, with its evidence."""
    from dutyflow.services.followup import record_reply

    reply = record_reply(case_id=case_id, received=parse_date(received), files=list(files or []),
                         note=note)
    typer.echo(f"{case_id}：已记录 {reply.received_on} 收到的整改反馈"
               + (f"，保存佐证材料 {len(reply.files)} 份" if reply.files else "")
               + f"；审核后通过（dutyflow accept {case_id}）或退回（dutyflow return {case_id}）")


@app.command("accept")
@user_errors
def accept_command(case_id: CaseId, reviewer: Reviewer, note: Note = "") -> None:
    """销号: the reply shows the problem fixed; the case is closed."""
    from dutyflow.core.vocabulary import FollowUp
    from dutyflow.services.followup import accept_reply

    accept_reply(case_id=case_id, reviewer=reviewer, note=note)
    typer.echo(f"{case_id}：反馈通过，{FollowUp.CLOSED.words}（{reviewer}）")


@app.command("return")
@user_errors
def return_command(case_id: CaseId, reviewer: Reviewer, note: Note) -> None:
    """退回: the reply is not enough; a new due date is set.

    --note says why (required)."""
    from dutyflow.services.followup import return_reply

    case = return_reply(case_id=case_id, reviewer=reviewer, note=note)
    typer.echo(f"{case_id}：反馈退回（{reviewer}），须于 {case.reply_due} 前重新反馈")
