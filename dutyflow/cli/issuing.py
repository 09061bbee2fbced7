"""`issue`: number and finalise a period's approved documents."""

from __future__ import annotations

from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import On, Period
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import (
    api_ready,
    optional_date,
    period_key,
    prepare_prefect,
    user_errors,
)

UNISSUED = 3  # exit code: something approved could not be issued (the reasons are printed)


@app.command("issue")
@user_errors
def issue_command(
    period: Period,
    issued_by: Annotated[str, typer.Option("--by", help="Who issues (recorded).")] = "dutyflow",
    on: On = None,
) -> None:
    """Number and finalise the period's approved documents (a quarter's: its circulars).
    Refuses (exit 2) until the office file names the issuer (no example value left); exits 3
    when an approved document could not be issued, each with its reason.

    --on is the date the documents carry (成文日期): after the period ends, never in the
    future."""
    from datetime import date

    from dutyflow.core import periods
    from dutyflow.core.errors import BadInputError
    from dutyflow.core.office import OfficeError
    from dutyflow.core.settings import settings

    period = period_key(period)
    day = optional_date(on)
    if day is not None:
        if day > date.today():
            raise BadInputError(f"--on {day} is after today: a document is dated when it is signed")
        if day <= periods.Period.parse(period).last_day:
            raise BadInputError(f"--on {day}: {period}'s documents are dated after it ends")
    try:  # before Prefect starts: nothing goes out in the name of an example office
        refusal = settings.issue_refusal()
    except OfficeError as wrong:  # the file is there but cannot be used
        refusal = str(wrong)
    if refusal:
        typer.echo(refusal, err=True)
        raise typer.Exit(OfficeError.exit_code)
    prepare_prefect()
    from dutyflow.flows.notices import issue_notices

    api_ready()
    summary = issue_notices(period=period, issued_by=issued_by, on=day)
    if summary.issued:
        print_table(["文号", "编号", "文件"], [(number or "（不编号）", subject, path)
                                            for subject, number, path in summary.issued])
    for refused in summary.refused:
        typer.echo(f"未印发：{refused}", err=True)
    if summary.waiting:
        typer.echo(f"待审核、未印发 {len(summary.waiting)} 份：" + "；".join(summary.waiting[:5])
                   + ("……" if len(summary.waiting) > 5 else ""))
    typer.echo(f"{summary.period} 印发 {len(summary.issued)} 份")
    if summary.refused:  # approved, yet not sent: the office must know, and so must a script
        typer.echo(f"已批准但未能印发 {len(summary.refused)} 份，原因见上", err=True)
        raise typer.Exit(UNISSUED)
