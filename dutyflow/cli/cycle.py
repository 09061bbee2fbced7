"""The period's cycle: `ingest` the reports, `run` the whole cycle, `sample` report workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Input, On, Period, Policy
from dutyflow.cli._utilities import (
    api_ready,
    optional_date,
    period_and_input,
    prepare_prefect,
    user_errors,
)


def echo_ingest(summary: Any) -> None:
    for load in summary.tables:
        if load.outcome == "unchanged":
            typer.echo(f"  {load.table:<15} unchanged (the same file was loaded before)")
            continue
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
def ingest(input: Input, period: Period) -> None:
    """Load a period's reports; bad rows are quarantined, the good ones load."""
    period = period_and_input(period, input)
    prepare_prefect()
    from dutyflow.flows.ingest import ingest_reports

    api_ready()
    summary = ingest_reports(period=period, input_path=input)
    typer.echo(f"ingest {summary.period}: {summary.rows_loaded} rows loaded, "
               f"{summary.rows_quarantined} quarantined")
    echo_ingest(summary)


@app.command()
@user_errors
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("samples"),
    orgs: Annotated[int, typer.Option("--orgs", "-n", help="How many branches to generate.")] = 60,
    period: Annotated[list[str], typer.Option("--period", "-p", help="A month to write; repeat "
                                              "for several.")] = ["2026-08", "2026-09", "2026-10"],  # noqa: B006
    seed: Annotated[int, typer.Option("--seed")] = 7,
    clean: Annotated[bool, typer.Option("--clean", help="Leave out the deliberately messy rows.")] = False,
) -> None:
    """Write realistic report workbooks (Chinese headers, some messy rows) for demos and benchmarks."""
    from dutyflow.services.samples import write_period_workbook

    for p in period:
        path = write_period_workbook(out, period=p, branches=orgs, seed=seed, messy=not clean)
        typer.echo(f"wrote {path}")


@app.command()
@user_errors
def run(input: Input, period: Period, policy: Policy = None, on: On = None) -> None:
    """Run the whole cycle for a period as one Prefect flow run: ingest, evaluate, draft,
    and chase (催办) the answers overdue at the period's end.

    --on dates the drafts."""
    period = period_and_input(period, input)
    if policy is not None:
        from dutyflow.rules.policy import load_policy

        load_policy(policy)  # refuse a bad policy before anything runs
    day = optional_date(on)
    prepare_prefect()
    from dutyflow.flows.cycle import run_cycle

    api_ready()
    summary = run_cycle(period=period, input_path=input, policy_path=policy, on=day)
    ingest, evaluation = summary.ingest, summary.evaluation
    typer.echo(f"cycle {summary.period}: {ingest.rows_loaded} rows loaded, "
               f"{ingest.rows_quarantined} quarantined; {evaluation.findings} findings, "
               f"{evaluation.actions} actions ({evaluation.stored.opened} new, "
               f"{evaluation.stored.changed} changed, {evaluation.stored.withdrawn} withdrawn); "
               f"policy {evaluation.policy_version}; {summary.drafted} notices drafted"
               + (f"; {len(summary.chased)} 催办 letters drafted" if summary.chased else ""))
    echo_ingest(ingest)
