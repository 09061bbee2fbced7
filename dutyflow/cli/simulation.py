"""`simulate`: what a changed policy would do to a period's cases, writing nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Json, Period
from dutyflow.cli._utilities import echo_json, user_errors


@app.command()
@user_errors
def simulate(
    period: Period,
    policy: Annotated[Path, typer.Option("--policy", help="The changed policy YAML to try.")],
    as_json: Json = False,
) -> None:
    """Dry run: which cases and measures a changed policy would change. Writes nothing."""
    from dutyflow.services.simulation import simulate_policy

    diff = simulate_policy(period=period, policy_path=policy)
    if as_json:
        echo_json(diff.as_dict())
        return
    typer.echo(f"policy {diff.policy_version} on {diff.period} (stored cases by "
               f"{', '.join(diff.stored_versions) or 'none'}):")
    for label, ids in (("would appear", diff.appear), ("would disappear", diff.disappear),
                       ("stay", diff.stay)):
        typer.echo(f"  {len(ids)} {label}")
        if label != "stay":
            for i in ids:
                typer.echo(f"    {i}")
    if diff.changes:
        typer.echo("  measures per organization (now → under this policy):")
        for change in diff.changes:
            typer.echo(f"    {change.case_id:<28} {change.words}")
