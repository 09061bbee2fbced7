"""Lists printed as tables with a header row, through rich, which measures East Asian width
so Chinese columns line up (as Prefect's own CLI prints its lists).

At a terminal a table fits its width (long cells wrap) and its header is bold. Otherwise (a
pipe, a file, a test) nothing is wrapped, cut or coloured, columns are separated by spaces
only and lines carry no trailing blanks, so a script splits a row into its cells; an empty
cell is best kept to the last columns."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

WIDTH_FOR_SCRIPTS = 10_000  # columns: wider than any row, so none is wrapped or cut
RIGHT = "right"  # a column of figures: (header, RIGHT)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _console(terminal: bool, *, err: bool) -> Console:
    from rich.console import Console

    if terminal:  # cells are text: never markup, emoji codes or guessed highlighting
        return Console(stderr=err, markup=False, emoji=False, highlight=False)
    return Console(width=WIDTH_FOR_SCRIPTS, force_terminal=False, force_jupyter=False,
                   color_system=None, no_color=True, soft_wrap=False, markup=False,
                   emoji=False, highlight=False)


def print_table(columns: Sequence[str | tuple[str, str]], rows: Iterable[Sequence[Any]], *,
                title: str | None = None, err: bool = False) -> None:
    """One table on stdout (or stderr): `columns` are headers, or (header, RIGHT) for
    figures; a cell None prints empty."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title,
                  title_justify="left", title_style="bold", header_style="bold")
    for column in columns:
        header, justify = (column, "left") if isinstance(column, str) else column
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    stream = sys.stderr if err else sys.stdout
    terminal = _is_terminal(stream)
    console = _console(terminal, err=err)
    if terminal:
        console.print(table)
        return
    with console.capture() as captured:
        console.print(table)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()), err=err)
