"""The `dutyflow` command line. Known errors print as one line and exit with their code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from dutyflow.errors import DutyflowError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Party-building accountability: reports in, reviewed notices out.")
F = TypeVar("F", bound=Callable[..., Any])


def _prepare_prefect() -> None:
    # Server-less by default: Prefect's ephemeral API, without its start/stop chatter.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from dutyflow.logs import quiet_console

    quiet_console()


def user_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DutyflowError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def echo_ingest(summary: Any) -> None:
    for load in summary.tables:
        typer.echo(f"  {load.table:<15} {load.outcome:<10} {load.rows_loaded:>7} loaded "
                   f"{load.rows_quarantined:>5} quarantined")
    for name in summary.skipped_tables:
        typer.echo(f"  {name:<15} not in input")
    if summary.quarantined:
        typer.echo(f"quarantined rows ({summary.rows_quarantined}):")
        for entry in summary.quarantined:
            typer.echo(f"  {entry.line()}")


@app.command()
@user_errors
def ingest(
    input: Path = typer.Option(..., "--input", "-i", help="A folder of report files or one .xlsx."),
    period: str = typer.Option(..., "--period", "-p", help="2026-10, 2026-Q3 or 2026."),
) -> None:
    """Load a period's reports; bad rows are quarantined, the good ones load."""
    from dutyflow.periods import Period

    Period.parse(period)
    _prepare_prefect()
    from flows.ingest import ingest_reports

    summary = ingest_reports(period=period, input_path=input)
    typer.echo(f"ingest {summary.period}: {summary.rows_loaded} rows loaded, "
               f"{summary.rows_quarantined} quarantined")
    echo_ingest(summary)


@app.command()
@user_errors
def sample(
    out: Path = typer.Option(Path("samples"), "--out", "-o", help="Folder to write into."),
    orgs: int = typer.Option(60, "--orgs", "-n", help="How many branches to generate."),
    period: list[str] = typer.Option(["2026-08", "2026-09", "2026-10"], "--period", "-p"),
    seed: int = typer.Option(7, "--seed"),
    clean: bool = typer.Option(False, "--clean", help="Leave out the deliberately messy rows."),
) -> None:
    """Write realistic report workbooks (Chinese headers, some messy rows) for demos and benchmarks."""
    from dutyflow.sample import write_period_workbook

    for p in period:
        path = write_period_workbook(out, period=p, branches=orgs, seed=seed, messy=not clean)
        typer.echo(f"wrote {path}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
