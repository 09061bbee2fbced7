"""`documents`: every document of a period a person reviews and the office may issue."""

from __future__ import annotations

from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Json, Period
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import echo_json, period_key, user_errors


@app.command()
@user_errors
def documents(
    period: Period,
    status: Annotated[str | None, typer.Option(
        "--status", help="draft, approved, rejected, issued or withdrawn.")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="A document kind: reminder, talk, chase, criticism_circular, "
        "quarter_circular, ranking_circular, ...")] = None,
    as_json: Json = False,
) -> None:
    """Every document of a period: the cases' notices, 催办, the 通报批评; for a quarter its
    circulars. Each with its kind, status, the cases it concerns and its number."""
    from dutyflow.services.documents import list_documents

    rows = list_documents(period=period_key(period), status=status, kind=kind)
    if as_json:
        echo_json([r.as_json() for r in rows])
        return
    if rows:
        print_table(["编号", "文书", "状态", "文号", "发往", "涉及案件"],
                    [(r.id, r.kind_name, r.status_words, r.document_number or "",
                      r.organization, "、".join(r.case_ids)) for r in rows])
    typer.echo(f"共 {len(rows)} 份文书")
