"""`warn`: the mid-month warning (月中提醒)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import OptionalPeriod
from dutyflow.cli._utilities import api_ready, prepare_prefect, user_errors


@app.command()
@user_errors
def warn(
    period: OptionalPeriod = None,
    input: Annotated[Path | None, typer.Option(
        "--input", "-i", help="The month's reports so far (default: <inbox>/<period>).")] = None,
) -> None:
    """月中提醒: duties not yet met this month, answers overdue and answers due within the next
    working days (DUTYFLOW_WARNING_DUE_DAYS, default 5), as a workbook to send round. A warning:
    nothing is stored, no case opened.

    Without --period, this month."""
    prepare_prefect()
    from prefect.states import State

    from dutyflow.flows.scheduled import mid_month

    api_ready()
    result = mid_month(period=period, input_path=input)
    if isinstance(result, State):
        from dutyflow.core.errors import BadInputError

        raise BadInputError(result.message or "the warning did not run")
    typer.echo(f"月中提醒：{result}")
