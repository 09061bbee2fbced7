"""Review: `pending` lists what waits for a decision, `review` records decisions."""

from __future__ import annotations

from typing import Annotated

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import Note, OptionalPeriod, Reviewer
from dutyflow.cli._tables import print_table
from dutyflow.cli._utilities import period_key, user_errors


@app.command()
@user_errors
def pending(period: OptionalPeriod = None) -> None:
    """List the documents waiting for review (cases' notices, 催办, 通报), a line on each.

    Without --period, every period's."""
    from dutyflow.services.review import pending_items

    items = pending_items(period_key(period) if period else None)
    if items:
        print_table(["编号", "组织", "文书", "原因", "草稿"],
                    [(i.document_id, i.organization, i.name, i.reasons, i.draft) for i in items])
    typer.echo(f"待审核 {len(items)} 件")


@app.command()
@user_errors
def review(
    reviewer: Reviewer,
    case_ids: Annotated[list[str] | None, typer.Argument(metavar="[ID ...]")] = None,
    approve: Annotated[bool, typer.Option("--approve")] = False,
    reject: Annotated[bool, typer.Option("--reject")] = False,
    note: Note = "",
    decision: Annotated[str, typer.Option(
        "--decision", help="The committee decision's reference (工委会议纪要〔2026〕9号); "
        "required to approve a proposal.")] = "",
    all_office: Annotated[str | None, typer.Option(
        "--all-office", metavar="PERIOD", help="Every draft of PERIOD that the office may "
        "decide alone (never a proposal), each recorded as its own decision.")] = None,
) -> None:
    """Approve or reject cases (or a quarter's circular, circular-2026-Q3); every decision is
    recorded and never edited."""
    from dutyflow.core import refusals
    from dutyflow.core.errors import DutyflowError
    from dutyflow.core.vocabulary import DocumentStatus, status_words
    from dutyflow.models.documents import ReviewError
    from dutyflow.services.review import decide, office_drafts

    if approve == reject:
        raise DutyflowError("say either --approve or --reject")
    case_ids = list(case_ids or [])
    if all_office:
        case_ids += office_drafts(period_key(all_office))
    if not case_ids:
        raise DutyflowError("name the cases to decide, or --all-office PERIOD")
    decided, refused = [], []
    for case_id in case_ids:  # each decision is its own transaction: one refusal loses none
        try:
            case = decide(document_id=case_id, decision="approve" if approve else "reject",
                          reviewer=reviewer, note=note, decision_ref=decision)
        except DutyflowError as exc:
            refused.append(refusals.NOT_RECORDED.format(document_id=case_id, reason=exc))
            continue
        decided.append((case_id, status_words(case.status), reviewer,
                        decision if decision and case.status == DocumentStatus.APPROVED else ""))
    if decided:
        print_table(["编号", "状态", "审核人", "工委会议决定"], decided)
    if refused:
        raise ReviewError(refused[0] if len(refused) == 1 else
                          f"{len(case_ids)} 件中 {len(refused)} 件未记录：" + "；".join(refused))
