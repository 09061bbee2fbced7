"""The root `dutyflow` app. Each noun's module adds its commands to it; importing the package
(`dutyflow.cli`) imports them all."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Party-building accountability: reports in, reviewed notices out.")
