"""A period's cases: `actions` (the contract's list), `cases` (where each stands after issue),
`explain` (why one exists)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dutyflow.cli._app import app
from dutyflow.cli._options import CaseId, Json, Period
from dutyflow.cli._tables import RIGHT, print_table
from dutyflow.cli._utilities import echo_json, period_key, user_errors


def case_json(case: Any, names: dict[str, str]) -> dict[str, Any]:
    """A case as the contract lists it (`dutyflow actions --json`)."""
    from datetime import date

    from dutyflow.models.followup import case_status

    return {
        "id": case.id, "period": case.period, "org_code": case.org_code,
        # `action` is the contract's first name for the measure; both keys stay
        "org_name": names.get(case.org_code, ""), "action": case.measure, "measure": case.measure,
        "proposal": bool(case.proposal), "status": case_status(case, date.today()),
        "rule_ids": list(case.rule_ids), "evidence": list(case.evidence),
        "document": case.document, "html_document": case.html_document,
        "document_number": case.document_number, "reviewer": case.reviewer,
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
    from datetime import date

    from dutyflow.core.vocabulary import DocumentStatus, measure_name, status_words
    from dutyflow.models.accountability import list_cases, organization_names
    from dutyflow.models.db import session_scope
    from dutyflow.models.followup import case_status

    p = period_key(period)
    with session_scope() as session:
        rows = list_cases(session=session, period=p)
        names = organization_names(session=session)
    if status:
        rows = [r for r in rows if r.status == status]
    if as_json:
        echo_json([case_json(r, names) for r in rows])
        return
    today = date.today()
    waiting = {r.id for r in rows if r.proposal and r.status == DocumentStatus.DRAFT}
    if rows:
        print_table(["案件编号", "组织", "措施", "状态", ("问题", RIGHT), "说明"], [
            (r.id, names.get(r.org_code, ""), measure_name(r.measure),
             status_words(case_status(r, today)), len(r.evidence),
             "提议，待工委会议决定" if r.id in waiting else "") for r in rows])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.measure] = counts.get(r.measure, 0) + 1
    typer.echo(f"{p} 共 {len(rows)} 件"
               + ("：" + "，".join(f"{measure_name(k)} {v}" for k, v in counts.items())
                  if counts else "")
               + (f"；其中 {len(waiting)} 件提议待工委会议决定" if waiting else ""))


@app.command()
@user_errors
def explain(action_id: CaseId) -> None:
    """Say in plain Chinese why a case exists and which measure it carries."""
    from dutyflow.core.settings import settings
    from dutyflow.documents.wording import explain_action
    from dutyflow.models.accountability import get_case
    from dutyflow.models.db import session_scope
    from dutyflow.models.documents import ReviewError, events_of
    from dutyflow.models.tables import Organization
    from dutyflow.rules.policy import load_policy

    with session_scope() as session:
        action = get_case(session=session, case_id=action_id)
        if action is None:
            raise ReviewError(f"没有编号为 {action_id} 的案件（dutyflow actions 列出各期案件）")
        org = session.get(Organization, action.org_code)
        merged = [e.note for e in events_of(session=session, subject=action.id)
                  if e.event == "merged"]
        escalation = load_policy(settings.policy_file).escalation
        climbed = any(e.get("facts", {}).get("prior") for e in action.evidence)
        typer.echo(explain_action(action, org)
                   + (f"\n升级规则：{escalation.text}。依据：{escalation.basis}。" if climbed else "")
                   + "".join(f"\n并入：{note}" for note in merged))


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

    from dutyflow.core.vocabulary import STATUS_GROUPS, FollowUp, measure_name, status_words
    from dutyflow.services.followup import period_cases

    p = period_key(period)
    found = period_cases(period=p, today=date.today())
    if status:
        wanted = STATUS_GROUPS.get(status, (status,))
        found = [c for c in found if c.status in wanted]
    if as_json:
        echo_json([{**case_json(c.case, c.names), "chases": c.chases_json()} for c in found])
        return
    if found:
        print_table(["案件编号", "组织", "措施", "状态", "反馈期限", "收到反馈", "催办函"], [
            (c.case.id, c.names.get(c.case.org_code, ""), measure_name(c.case.measure),
             status_words(c.status),
             c.case.reply_due if c.status in (FollowUp.AWAITING_REPLY, FollowUp.OVERDUE)
             else None, c.case.replied_on,
             "、".join(x.document_number or f"（{status_words(x.status)}）" for x in c.chases))
            for c in found])
    counts: dict[str, int] = {}
    for c in found:
        counts[c.status] = counts.get(c.status, 0) + 1
    typer.echo(f"{p} 共 {len(found)} 件"
               + ("：" + "，".join(f"{status_words(k)} {v}" for k, v in counts.items())
                  if counts else ""))
