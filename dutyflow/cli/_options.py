"""The options several commands share, each declared once (typer `Annotated` aliases).

A command writes `period: Period` (required) or `note: Note = ""` (optional); whether an
option is required is the command's default, not the alias."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Period = Annotated[str, typer.Option(
    "--period", "-p", help="A month 2026-10, a quarter 2026-Q3 or a year 2026.")]
OptionalPeriod = Annotated[str | None, typer.Option(
    "--period", "-p", help="A month 2026-10, a quarter 2026-Q3 or a year 2026; what leaving "
    "it out means is in the command's description.")]
Month = Annotated[str, typer.Option("--period", "-p", help="A month, e.g. 2026-10.")]
Quarter = Annotated[str, typer.Option("--period", "-p", help="A quarter, e.g. 2026-Q3.")]
Year = Annotated[str, typer.Option("--period", "-p", help="A year, e.g. 2026.")]

Input = Annotated[Path, typer.Option(
    "--input", "-i", help="A folder of report files or one .xlsx.")]
OptionalInput = Annotated[Path | None, typer.Option(
    "--input", "-i", help="A folder of report files or one .xlsx; without it, what is stored "
    "for the period (workbooks loaded before, the e-ledger).")]
Policy = Annotated[Path | None, typer.Option(
    "--policy", help="A policy YAML instead of the default.")]
On = Annotated[str | None, typer.Option(
    "--on", metavar="DATE", help="The day the command acts as of, e.g. 2026-12-02 "
    "(default today); the command's description says what it dates.")]
Json = Annotated[bool, typer.Option(
    "--json", help="Print JSON with the machine keys instead of a table.")]

Reviewer = Annotated[str, typer.Option("--reviewer", help="Who decides (recorded).")]
Note = Annotated[str, typer.Option(
    "--note", help="A sentence recorded with it: why (required to reject a case or return a "
    "reply).")]
CaseId = Annotated[str, typer.Argument(help="A case id, e.g. 2026-10-DW0004-ZB07.")]
