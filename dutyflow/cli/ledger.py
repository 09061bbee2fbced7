"""`ledger`: the e-ledger (三会一课台账) the organizations keep in the portal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Period
from dutyflow.cli._utilities import period_key, user_errors

ledger_app = typer.Typer(no_args_is_help=True,
                         help="The e-ledger of meetings the organizations record in the portal.")
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("export")
@user_errors
def export(period: Period,
           output: Annotated[Path, typer.Option(
               "--output", "-o", help="The workbook to write (.xlsx).")],
           org: Annotated[str | None, typer.Option(
               "--org", help="Only this organization and those under it.")] = None) -> None:
    """Write the period's ledger (meetings, and rectification items when it keeps any) as a
    workbook the ingest reads (the same sheets and headers), so an office can work on it in
    Excel."""
    from dutyflow.services.ledger_export import export_ledger

    written = export_ledger(period=period_key(period), output=output, org=org)
    typer.echo(f"已导出 {written.words()}到 {output}")
