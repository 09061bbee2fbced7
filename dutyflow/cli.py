"""The `dutyflow` command line. Known errors print as one line and exit with their code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from dutyflow.core.errors import DutyflowError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Party-building accountability: reports in, reviewed notices out.")
F = TypeVar("F", bound=Callable[..., Any])


def _prepare_prefect() -> None:
    # Server-less by default: Prefect's temporary API, started now (it starts while this
    # process imports the flows), without its start/stop chatter.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from dutyflow.console import quiet_console
    from dutyflow.flows import temporary_api

    temporary_api.start()
    quiet_console()


def _api_ready() -> None:
    """Just before a flow runs: the temporary server answers."""
    from dutyflow.flows import temporary_api

    temporary_api.wait_until_ready()


def user_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DutyflowError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def _period_and_input(period: str, path: Path) -> str:
    """Check what can be checked before Prefect starts (it takes seconds to start)."""
    from dutyflow.core.errors import BadInputError
    from dutyflow.core.periods import Period

    normalised = str(Period.parse(period))
    if not path.exists():
        raise BadInputError("no such file or folder", file=str(path))
    return normalised


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
def ingest(
    input: Path = typer.Option(..., "--input", "-i", help="A folder of report files or one .xlsx."),
    period: str = typer.Option(..., "--period", "-p", help="2026-10, 2026-Q3 or 2026."),
) -> None:
    """Load a period's reports; bad rows are quarantined, the good ones load."""
    period = _period_and_input(period, input)
    _prepare_prefect()
    from dutyflow.flows.ingest import ingest_reports

    _api_ready()
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
    from dutyflow.services.samples import write_period_workbook

    for p in period:
        path = write_period_workbook(out, period=p, branches=orgs, seed=seed, messy=not clean)
        typer.echo(f"wrote {path}")


@app.command()
@user_errors
def run(
    input: Path = typer.Option(..., "--input", "-i", help="A folder of report files or one .xlsx."),
    period: str = typer.Option(..., "--period", "-p", help="2026-10, 2026-Q3 or 2026."),
    policy: Path | None = typer.Option(None, "--policy", help="A policy YAML instead of the default."),
    on: str | None = typer.Option(None, "--on", help="The date the drafts carry (default today)."),
) -> None:
    """Run the whole cycle for a period as one Prefect flow run: ingest, evaluate, draft,
    and chase (催办) the answers overdue at the period's end."""
    period = _period_and_input(period, input)
    if policy is not None:
        from dutyflow.rules.policy import load_policy

        load_policy(policy)  # refuse a bad policy before anything runs
    _prepare_prefect()
    from dutyflow.flows.cycle import run_cycle

    _api_ready()
    summary = run_cycle(period=period, input_path=input, policy_path=policy,
                        on=_date(on) if on else None)
    ingest, evaluation = summary.ingest, summary.evaluation
    typer.echo(f"cycle {summary.period}: {ingest.rows_loaded} rows loaded, "
               f"{ingest.rows_quarantined} quarantined; {evaluation.findings} findings, "
               f"{evaluation.actions} actions ({evaluation.stored.opened} new, "
               f"{evaluation.stored.changed} changed, {evaluation.stored.withdrawn} withdrawn); "
               f"policy {evaluation.policy_version}; {summary.drafted} notices drafted"
               + (f"; {len(summary.chased)} 催办 letters drafted" if summary.chased else ""))
    echo_ingest(ingest)


def _case_json(case: Any, names: dict[str, str]) -> dict[str, Any]:
    """A case as the contract lists it (`dutyflow actions --json`)."""
    from datetime import date

    from dutyflow.models.followup import case_status

    return {
        "id": case.id, "period": case.period, "org_code": case.org_code,
        "org_name": names.get(case.org_code, ""), "action": case.measure,
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
    period: str = typer.Option(..., "--period", "-p"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list."),
    status: str | None = typer.Option(None, "--status", help="Only actions with this status."),
) -> None:
    """List a period's accountability cases: one per organization, one measure each."""
    import json

    from dutyflow.core.periods import Period
    from dutyflow.core.vocabulary import DocumentStatus, measure_name
    from dutyflow.models.accountability import list_cases, organization_names
    from dutyflow.models.db import session_scope

    p = str(Period.parse(period))
    with session_scope() as session:
        rows = list_cases(session=session, period=p)
        names = organization_names(session=session)
    if status:
        rows = [r for r in rows if r.status == status]
    if as_json:
        typer.echo(json.dumps([_case_json(r, names) for r in rows], ensure_ascii=False,
                              indent=2, default=str))
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
def explain(action_id: str = typer.Argument(..., help="A case id from `dutyflow actions`.")
            ) -> None:
    """Say in plain Chinese why a case exists and which measure it carries."""
    from dutyflow.documents.wording import explain_action
    from dutyflow.models.accountability import get_case
    from dutyflow.models.db import session_scope
    from dutyflow.models.documents import ReviewError
    from dutyflow.models.tables import Organization

    with session_scope() as session:
        action = get_case(session=session, case_id=action_id)
        if action is None:
            raise ReviewError(f"no case {action_id!r}; list them with `dutyflow actions`")
        org = session.get(Organization, action.org_code)
        typer.echo(explain_action(action, org))


@app.command()
@user_errors
def simulate(
    period: str = typer.Option(..., "--period", "-p"),
    policy: Path = typer.Option(..., "--policy", help="The changed policy YAML to try."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Dry run: which cases and measures a changed policy would change. Writes nothing."""
    import json

    from dutyflow.services.simulation import simulate_policy

    diff = simulate_policy(period=period, policy_path=policy)
    if as_json:
        typer.echo(json.dumps(diff.as_dict(), ensure_ascii=False, indent=2))
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


@app.command()
@user_errors
def documents(
    period: str = typer.Option(..., "--period", "-p"),
    status: str | None = typer.Option(None, "--status", help="draft, approved, rejected, "
                                      "issued or withdrawn."),
    kind: str | None = typer.Option(None, "--kind", help="A document kind: reminder, chase, "
                                    "criticism_circular, quarter_circular, ..."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every document of a period a person reviews and the office may issue: the cases'
    notices, 催办, the 通报批评, a quarter's circulars."""
    import json

    from dutyflow.services.documents import list_documents

    rows = list_documents(period=period, status=status, kind=kind)
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(f"{r.id}  {r.kind_name}  {r.status_words}  {r.document_number or ''}  "
                   f"{r.organization}  {'、'.join(r.case_ids)}")
    typer.echo(f"共 {len(rows)} 份文书")


@app.command()
@user_errors
def pending(period: str | None = typer.Option(None, "--period", "-p")) -> None:
    """List the actions waiting for review, with a line on each."""
    from dutyflow.core.periods import Period
    from dutyflow.services.review import pending_items

    items = pending_items(str(Period.parse(period)) if period else None)
    for item in items:
        typer.echo(f"{item.document_id}\n    {item.name} · {item.organization} · {item.reasons}"
                   f"\n    {item.draft}")
    typer.echo(f"{len(items)} documents wait for review")


@app.command()
@user_errors
def review(
    case_ids: list[str] = typer.Argument(None, metavar="[ID ...]"),
    approve: bool = typer.Option(False, "--approve"),
    reject: bool = typer.Option(False, "--reject"),
    reviewer: str = typer.Option(..., "--reviewer", help="Who decides."),
    note: str = typer.Option("", "--note", help="Why; required to reject."),
    decision: str = typer.Option("", "--decision", help="The committee decision's reference "
                                 "(工委会议纪要〔2026〕9号); required to approve a proposal."),
    all_office: str | None = typer.Option(
        None, "--all-office", metavar="PERIOD", help="Every draft of PERIOD that the office "
        "may decide alone (never a proposal), each recorded as its own decision."),
) -> None:
    """Approve or reject cases (or a quarter's circular, circular-2026-Q3); every decision is
    recorded and never edited."""
    from dutyflow.core.errors import DutyflowError
    from dutyflow.core.periods import Period
    from dutyflow.core.vocabulary import DocumentStatus
    from dutyflow.models.documents import ReviewError
    from dutyflow.services.review import decide, office_drafts

    if approve == reject:
        raise DutyflowError("say either --approve or --reject")
    case_ids = list(case_ids or [])
    if all_office:
        case_ids += office_drafts(str(Period.parse(all_office)))
    if not case_ids:
        raise DutyflowError("name the cases to decide, or --all-office PERIOD")
    refused: list[str] = []
    for case_id in case_ids:  # each decision is its own transaction: one refusal loses none
        try:
            case = decide(document_id=case_id, decision="approve" if approve else "reject",
                          reviewer=reviewer, note=note, decision_ref=decision)
        except DutyflowError as exc:
            refused.append(f"{case_id}: {exc}")
            continue
        typer.echo(f"{case_id}: {case.status} by {reviewer}"
                   + (f" ({decision})" if decision and case.status == DocumentStatus.APPROVED else ""))
    if refused:
        raise ReviewError("; ".join(refused) if len(refused) == 1 else
                          f"{len(refused)} of {len(case_ids)} refused: " + "; ".join(refused))


@app.command("issue")
@user_errors
def issue_command(
    period: str = typer.Option(..., "--period", "-p"),
    issued_by: str = typer.Option("dutyflow", "--by", help="Who issues (recorded)."),
    on: str | None = typer.Option(None, "--on", help="The date the documents carry (成文日期; "
                                  "default today)."),
) -> None:
    """Number and finalise the period's approved actions."""
    from dutyflow.core.periods import Period
    from dutyflow.core.settings import Settings, settings

    period = str(Period.parse(period))
    defaults = Settings.model_fields
    placeholders = [name for name in ("issuer_name", "contact_phone", "issuer_address")
                    if getattr(settings, name) == defaults[name].default]
    if placeholders:
        typer.echo("warning: the notices carry placeholder issuer details ("
                   + ", ".join(f"DUTYFLOW_{n.upper()}" for n in placeholders)
                   + " not set); set them before issuing for real", err=True)
    _prepare_prefect()
    from dutyflow.flows.notices import issue_notices

    day = _date(on) if on else None
    if day is not None:
        from datetime import date

        from dutyflow.core.errors import BadInputError

        if day > date.today():
            raise BadInputError(f"--on {day} is after today: a document is dated when it is signed")
        if day <= Period.parse(period).last_day:
            raise BadInputError(f"--on {day}: {period}'s documents are dated after it ends")
    _api_ready()
    summary = issue_notices(period=period, issued_by=issued_by, on=day)
    for document_id, number, path in summary.issued:
        typer.echo(f"{number or '（不编号）'}  {document_id}  {path}")
    for refused in summary.refused:
        typer.echo(f"not issued: {refused}", err=True)
    if summary.waiting:
        typer.echo(f"待审核、未印发 {len(summary.waiting)} 份：" + "；".join(summary.waiting[:5])
                   + ("……" if len(summary.waiting) > 5 else ""))
    typer.echo(f"issued {len(summary.issued)} documents for {summary.period}")


@app.command()
@user_errors
def serve(
    port: int = typer.Option(4200, "--port"),
    prefect_db: str = typer.Option(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/prefect", "--prefect-db",
        envvar="PREFECT_API_DATABASE_CONNECTION_URL", help="The Prefect server's own database."),
    logs: Path = typer.Option(Path("logs"), "--logs", help="Where server and worker logs go."),
) -> None:
    """Start a Prefect server on PostgreSQL, deploy prefect.yaml, run a worker and the review
    desk until Ctrl-C."""
    import signal
    import time

    from dutyflow.core.settings import settings
    from dutyflow.server import start_service

    def stop_on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # systemd, `kill` and `timeout` send SIGTERM: stop it all

    signal.signal(signal.SIGTERM, stop_on_term)
    service = start_service(prefect_db_url=prefect_db, dutyflow_db_url=settings.database_url,
                            port=port, logs=logs)
    typer.echo(f"Prefect UI: http://127.0.0.1:{port}   review desk: {settings.desk_address()}\n"
               f"logs in {logs}/; Ctrl-C stops it all")
    try:
        while all(p.poll() is None for p in service.processes.values()):
            time.sleep(2)
        ended = [n for n, p in service.processes.items() if p.poll() is not None]
        typer.echo(f"the {', '.join(ended)} exited (see {logs}/{ended[0]}.log); stopping",
                   err=True)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


@app.command()
@user_errors
def desk(
    host: str | None = typer.Option(None, "--host", help="Bind address (DUTYFLOW_DESK_HOST)."),
    port: int | None = typer.Option(None, "--port", help="Port (DUTYFLOW_DESK_PORT)."),
) -> None:
    """Run the review desk: reviewers log in from a browser, read each notice and decide."""
    import uvicorn

    from dutyflow.core.settings import settings
    from dutyflow.desk.app import create_app
    from dutyflow.models.db import upgrade_database

    upgrade_database()
    host, port = host or settings.desk_host, port or settings.desk_port
    address = settings.desk_url or f"http://{host}:{port}"
    typer.echo(f"review desk on http://{host}:{port} (reviewers open {address})")
    # proxy_headers off: the trusted proxy is recognised by its own address (X-Remote-User)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", proxy_headers=False)


def _date(text: str) -> Any:
    from datetime import date

    from dutyflow.core.errors import BadInputError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"not a date: {text!r} (write 2026-12-02)") from None


@app.command("reply")
@user_errors
def reply_command(
    case_id: str = typer.Argument(..., help="An issued case's id."),
    received: str = typer.Option(..., "--received", help="The day the reply came (2026-12-02)."),
    files: list[Path] = typer.Option(None, "--file", help="Evidence (佐证材料); repeat for more."),
    note: str = typer.Option("", "--note"),
) -> None:
    """Record an organization's reply (整改反馈) to an issued measure, with its evidence."""
    from dutyflow.services.followup import record_reply

    reply = record_reply(case_id=case_id, received=_date(received), files=list(files or []),
                         note=note)
    typer.echo(f"{case_id}: reply of {reply.received_on} recorded"
               + (f", {len(reply.files)} file(s) kept" if reply.files else "")
               + f"; accept it (`dutyflow accept {case_id}`) or return it (`dutyflow return`)")


@app.command("accept")
@user_errors
def accept_command(
    case_id: str = typer.Argument(...),
    reviewer: str = typer.Option(..., "--reviewer"),
    note: str = typer.Option("", "--note"),
) -> None:
    """销号: the reply shows the problem fixed; the case is closed."""
    from dutyflow.services.followup import accept_reply

    accept_reply(case_id=case_id, reviewer=reviewer, note=note)
    typer.echo(f"{case_id}: closed by {reviewer}")


@app.command("return")
@user_errors
def return_command(
    case_id: str = typer.Argument(...),
    reviewer: str = typer.Option(..., "--reviewer"),
    note: str = typer.Option(..., "--note", help="Why the reply is not enough (required)."),
) -> None:
    """退回: the reply is not enough; a new due date is set."""
    from dutyflow.services.followup import return_reply

    case = return_reply(case_id=case_id, reviewer=reviewer, note=note)
    typer.echo(f"{case_id}: returned by {reviewer}; a new reply is due by {case.reply_due}")


@app.command()
@user_errors
def cases(
    period: str = typer.Option(..., "--period", "-p"),
    status: str | None = typer.Option(None, "--status", help="open, or one status: draft, "
                                      "approved, awaiting_reply, overdue, closed, ..."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Where each case of a period stands: decided, issued, answered, overdue, chased, closed."""
    import json
    from datetime import date

    from dutyflow.core.periods import Period
    from dutyflow.core.vocabulary import STATUS_GROUPS, measure_name, status_words
    from dutyflow.services.followup import period_cases

    p = str(Period.parse(period))
    found = period_cases(period=p, today=date.today())
    if status:
        wanted = STATUS_GROUPS.get(status, (status,))
        found = [c for c in found if c.status in wanted]
    if as_json:
        typer.echo(json.dumps([{**_case_json(c.case, c.names), "chases": c.chases_json()}
                               for c in found], ensure_ascii=False, indent=2, default=str))
        return
    counts: dict[str, int] = {}
    for c in found:
        r, s = c.case, c.status
        counts[s] = counts.get(s, 0) + 1
        due = f" due {r.reply_due}" if r.reply_due and s in ("awaiting_reply", "overdue") else ""
        replied = f" reply of {r.replied_on} to review" if r.replied_on else ""
        chased = "".join(f" 催办{x.document_number or '（' + status_words(x.status) + '）'}"
                         for x in c.chases)
        typer.echo(f"{r.id:<28} {measure_name(r.measure):<5} {status_words(s):<10}{due}{replied}"
                   f"{chased}  {c.names.get(r.org_code, '')}")
    typer.echo(f"{len(found)} cases in {p}"
               + (": " + ", ".join(f"{status_words(k)} {v}" for k, v in counts.items())
                  if counts else ""))


@app.command()
@user_errors
def warn(
    period: str | None = typer.Option(None, "--period", "-p", help="The month (default: this one)."),
    input: Path | None = typer.Option(None, "--input", "-i", help="The month's reports so far "
                                      "(default: <inbox>/<period>)."),
) -> None:
    """月中提醒: duties not yet held this month and answers soon due, as a workbook to send
    round. A warning: nothing is stored, no case opened."""
    _prepare_prefect()
    from prefect.states import State

    from dutyflow.flows.scheduled import mid_month

    _api_ready()
    result = mid_month(period=period, input_path=input)
    if isinstance(result, State):
        from dutyflow.core.errors import BadInputError

        raise BadInputError(result.message or "the warning did not run")
    typer.echo(f"mid-month warning: {result}")


@app.command()
@user_errors
def scores(
    period: str = typer.Option(..., "--period", "-p", help="A month, e.g. 2026-10."),
    as_json: bool = typer.Option(False, "--json"),
    policy: Path | None = typer.Option(None, "--policy"),
) -> None:
    """The month's party-building scores (月调度): units first, then branches, highest first."""
    import json

    from dutyflow.core.settings import settings
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.scores import month_scores

    month = month_scores(period=period, policy=load_policy(policy or settings.policy_file))
    rows = month.table()
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        kind = "直属" if row["kind"] == "unit" else "    "
        typer.echo(f"{kind} {row['org_code']:<14} {row['score']:>6g}  −{row['deductions']:<5g} "
                   f"{row['organization']}")
    typer.echo(f"{len(rows)} organizations scored for {month.period}; "
               "`dutyflow explain-score ORG --period P` for the lines")


@app.command("explain-score")
@user_errors
def explain_score_command(
    org_code: str = typer.Argument(...),
    period: str = typer.Option(..., "--period", "-p"),
    policy: Path | None = typer.Option(None, "--policy"),
) -> None:
    """An organization's month score, line by line: each deduction, cap and addition."""
    from dutyflow.core.settings import settings
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.scores import explain_score

    typer.echo(explain_score(org_code=org_code, period=period,
                             policy=load_policy(policy or settings.policy_file)))


@app.command()
@user_errors
def ranking(
    period: str = typer.Option(..., "--period", "-p", help="A quarter, e.g. 2026-Q3."),
    as_json: bool = typer.Option(False, "--json"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write the ranking workbook here."),
    draft: bool = typer.Option(False, "--draft", help="Draft the communiqué (考评排名通报) for "
                               "review, with the workbook and charts under out/<quarter>/ and "
                               "Prefect artifacts."),
    on: str | None = typer.Option(None, "--on", help="As of this date (default today): the "
                                  "draft's date, and bottom-list windows ended before it are "
                                  "settled."),
    policy: Path | None = typer.Option(None, "--policy"),
) -> None:
    """季通报: the quarter's units and branches ranked by score, with movement since the
    previous quarter and the 红黑榜; once its communiqué is issued, the ranking it printed."""
    import json
    from datetime import date

    from dutyflow.core.errors import BadInputError
    from dutyflow.core.periods import Period
    from dutyflow.core.settings import settings
    from dutyflow.core.vocabulary import RANKING_CIRCULAR, RANKING_GROUPS, circular_subject
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.issuing import circular_drafted
    from dutyflow.services.ranking import ranking_of, settle_bottom_lists

    quarter = Period.parse(period)
    if quarter.kind != "quarter":
        raise BadInputError(f"a ranking covers a quarter like 2026-Q3, not {period}")
    day = _date(on) if on else date.today()
    if day > date.today():
        raise BadInputError(f"--on {day} is after today")
    if draft:
        _prepare_prefect()
        from dutyflow.flows.scheduled import quarter_ranking

        _api_ready()
        workbook = quarter_ranking(period=str(quarter), on=day, policy_path=policy)
        typer.echo(f"ranking workbook and charts: {Path(workbook).parent}")
    for entry in settle_bottom_lists(on=day):  # on stderr: --json stays parseable
        typer.echo(f"{entry.quarter} {entry.org_code}: {entry.listing.words}", err=True)
    standing = ranking_of(quarter=quarter, policy=load_policy(policy or settings.policy_file),
                          on=day)
    assert standing is not None
    if xlsx:
        typer.echo(f"wrote {standing.write_xlsx(xlsx)}")
    if as_json:
        typer.echo(json.dumps({"quarter": standing.quarter, "judged_months": standing.judged,
                               "doc_number": standing.doc_number, "rows": standing.table()},
                              ensure_ascii=False, indent=2))
        return
    for group in standing.groups:
        typer.echo(f"{RANKING_GROUPS[group]}")
        for r in standing.group(group):
            typer.echo(f"  {r.rank:>4} {r.org_code:<14} {r.score:>6g} {r.movement_words:>4}  "
                       f"{r.listing_words:<10} {r.name}")
    subject = circular_subject(str(quarter), RANKING_CIRCULAR)
    review = None if standing.doc_number else circular_drafted(str(quarter), RANKING_CIRCULAR)
    typer.echo(f"{standing.quarter}: months judged {', '.join(standing.judged)}; "
               + (f"published as {standing.doc_number}" if standing.doc_number else
                  f"communiqué {subject} drafted: review it, then `dutyflow issue --period "
                  f"{quarter}`" if review else
                  "not yet circulated (`--draft` drafts the communiqué for review)"))


@app.command()
@user_errors
def year(
    period: str = typer.Option(..., "--period", "-p", help="A year, e.g. 2026."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Where to write the workbook "
                                     "(default out/<year>/<year>-党建工作考核.xlsx)."),
    policy: Path | None = typer.Option(None, "--policy"),
) -> None:
    """年考核: the year's months rolled up into each organization's annual score and record
    (findings, cases, measures, answers, recurrences, lists), as a workbook, charts and a
    Prefect artifact."""
    from dutyflow.core.errors import BadInputError
    from dutyflow.core.periods import Period

    if Period.parse(period).kind != "year":
        raise BadInputError(f"the roll-up covers a year like 2026, not {period}")
    _prepare_prefect()
    from dutyflow.flows.scheduled import year_roll_up

    _api_ready()
    typer.echo(f"year {period}: {year_roll_up(period=period, workbook=xlsx, policy_path=policy)}")


reviewer_app = typer.Typer(no_args_is_help=True,
                           help="Reviewer accounts: who may decide, and log into the desk.")
app.add_typer(reviewer_app, name="reviewer")


@reviewer_app.command("add")
@user_errors
def reviewer_add(
    name: str = typer.Argument(..., help="The name recorded on every decision."),
    role: str = typer.Option("", "--role", help="e.g. 市直机关工委组织部审核员"),
    org: str | None = typer.Option(None, "--org", help="The reviewer's own branch (组织编码): "
                                   "they never decide on its cases."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input."),
    no_password: bool = typer.Option(False, "--no-password", help="No desk password: the CLI, "
                                     "or single sign-on through the reverse proxy, only."),
    replace: bool = typer.Option(False, "--replace", help="Change an existing account."),
) -> None:
    """Add a reviewer; asks for the desk password twice unless told otherwise."""
    from dutyflow.services.reviewers import add_reviewer

    if no_password:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    reviewer = add_reviewer(name=name, role=role, password=password, org_code=org,
                            replace=replace)
    typer.echo(f"reviewer {reviewer.name} ({reviewer.role or 'no role'})"
               + (f", own branch {reviewer.org_code}" if reviewer.org_code else "")
               + ("" if password else "; no desk password"))


@reviewer_app.command("list")
@user_errors
def reviewer_list() -> None:
    """Every reviewer account, and the CLI-only names of DUTYFLOW_REVIEWERS."""
    from dutyflow.core.settings import settings
    from dutyflow.services.reviewers import reviewers

    accounts = reviewers()
    for reviewer, active, can_log_in in accounts:
        state = ("active" if active else "disabled") + (", desk login" if can_log_in else "")
        typer.echo(f"{reviewer.name:<10} {reviewer.role:<24} {reviewer.org_code or '':<12} {state}")
    known = {r.name for r, _, _ in accounts}
    for listed in settings.reviewers:
        if listed.name not in known:
            typer.echo(f"{listed.name:<10} {listed.role:<24} {'':<12} DUTYFLOW_REVIEWERS (CLI only)")


@reviewer_app.command("disable")
@user_errors
def reviewer_disable(name: str = typer.Argument(...)) -> None:
    """Stop an account from deciding or logging in (its past decisions stay)."""
    from dutyflow.services.reviewers import set_active

    set_active(name=name, active=False)
    typer.echo(f"reviewer {name} disabled")


@reviewer_app.command("enable")
@user_errors
def reviewer_enable(name: str = typer.Argument(...)) -> None:
    """Let a disabled account decide and log in again."""
    from dutyflow.services.reviewers import set_active

    set_active(name=name, active=True)
    typer.echo(f"reviewer {name} enabled")


@app.command()
@user_errors
def audit(period: str = typer.Option(..., "--period", "-p")) -> None:
    """The period's audit log: every opening, change, withdrawal, decision and issue."""
    from dutyflow.core.calendar import local_time
    from dutyflow.core.periods import Period
    from dutyflow.models.db import session_scope
    from dutyflow.models.documents import audit_log

    p = str(Period.parse(period))
    with session_scope() as session:
        events = audit_log(session=session, period=p)
        for e in events:
            note = f"  {e.note}" if e.note else ""
            typer.echo(f"{local_time(e.at):%Y-%m-%d %H:%M:%S}  {e.event:<18} {e.actor:<10} "
                       f"{e.subject}{note}")
    typer.echo(f"{len(events)} events in {p}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover - `python -m dutyflow.cli`
    app()
