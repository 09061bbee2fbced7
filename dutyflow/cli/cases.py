"""A period's cases: `actions` (the contract's list), `cases` (where each stands after issue),
`explain` (why one exists)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import CaseId, Json, Period
from dutyflow.cli._utilities import echo_json, period_key, user_errors


def case_json(case: Any, names: dict[str, str]) -> dict[str, Any]:
    """A case as the contract lists it (`dutyflow actions --json`)."""
    from datetime import date

    from dutyflow.models.followup import case_status

    return {
        "id": case.id, "period": case.period, "org_code": case.org_code,
        "org_name": names.get(case.org_code, ""), "action": case.measure,
        "proposal": bool(case.proposal), "status": case_status(case, date.today()),
        "rule_ids": list(case.rule_ids), "evidence": list(case.evidence),
        "document": case.document, "html_document": case.html_document,
        "document_number": case.doc_number, "reviewer": case.reviewer,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "note": case.note, "decision_ref": case.decision_ref,
        "reply_due": case.reply_due.isoformat() if case.reply_due else None,
        "replied_on": case.replied_on.isoformat() if case.replied_on else None,
        "policy_version": case.policy_version,
    }


@app.command()
@user_errors
def actions(
    period: Period,
    as_json: Json = False,
    status: Annotated[str | None, typer.Option("--status", help="Only actions with this "
                                               "status.")] = None,
) -> None:
    """List a period's accountability cases: one per organization, one measure each."""
    from dutyflow.core.vocabulary import DocumentStatus, measure_name
    from dutyflow.models.accountability import list_actions, organization_names
    from dutyflow.models.db import session_scope

    p = period_key(period)
    with session_scope() as session:
        rows = list_actions(session=session, period=p)
        names = organization_names(session=session)
    if status:
        rows = [r for r in rows if r.status == status]
    if as_json:
        echo_json([case_json(r, names) for r in rows])
        return
    for r in rows:
        proposal = "（提议，待工委会议决定）" if r.proposal and r.status == DocumentStatus.DRAFT else ""
        typer.echo(f"{r.id:<28} {measure_name(r.measure):<5} {r.status:<10} "
                   f"{len(r.evidence)} finding(s)  {names.get(r.org_code, '')}{proposal}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.measure] = counts.get(r.measure, 0) + 1
    summary = ", ".join(f"{measure_name(k)} {v}" for k, v in counts.items())
    proposals = sum(1 for r in rows if r.proposal and r.status == DocumentStatus.DRAFT)
    typer.echo(f"{len(rows)} cases in {p}" + (f": {summary}" if summary else "")
               + (f"; {proposals} proposals wait for a committee decision" if proposals else ""))


@app.command()
@user_errors
def explain(action_id: CaseId) -> None:
    """Say in plain Chinese why a case exists and which measure it carries."""
    from dutyflow.documents.wording import explain_action
    from dutyflow.models.accountability import get_action
    from dutyflow.models.db import session_scope
    from dutyflow.models.decisions import ReviewError
    from dutyflow.models.tables import Organization

    with session_scope() as session:
        action = get_action(session=session, action_id=action_id)
        if action is None:
            raise ReviewError(f"no case {action_id!r}; list them with `dutyflow actions`")
        org = session.get(Organization, action.org_code)
        typer.echo(explain_action(action, org))


@app.command()
@user_errors
def cases(
    period: Period,
    status: Annotated[str | None, typer.Option("--status", help="open, or one status: draft, "
                                               "approved, awaiting_reply, overdue, closed, ...")
                      ] = None,
    as_json: Json = False,
) -> None:
    """Where each case of a period stands: decided, issued, answered, overdue, chased, closed."""
    from datetime import date

    from dutyflow.core.vocabulary import STATUS_GROUPS, measure_name, status_words
    from dutyflow.services.followup import period_cases

    p = period_key(period)
    found = period_cases(period=p, today=date.today())
    if status:
        wanted = STATUS_GROUPS.get(status, (status,))
        found = [c for c in found if c.status in wanted]
    if as_json:
        echo_json([{**case_json(c.case, c.names), "chases": c.chases_json()} for c in found])
        return
    counts: dict[str, int] = {}
    for c in found:
        r, s = c.case, c.status
        counts[s] = counts.get(s, 0) + 1
        due = f" due {r.reply_due}" if r.reply_due and s in ("awaiting_reply", "overdue") else ""
        replied = f" reply of {r.replied_on} to review" if r.replied_on else ""
        chased = "".join(f" 催办{x.doc_number or '（' + status_words(x.status) + '）'}"
                         for x in c.chases)
        typer.echo(f"{r.id:<28} {measure_name(r.measure):<5} {status_words(s):<10}{due}{replied}"
                   f"{chased}  {c.names.get(r.org_code, '')}")
    typer.echo(f"{len(found)} cases in {p}"
               + (": " + ", ".join(f"{status_words(k)} {v}" for k, v in counts.items())
                  if counts else ""))
