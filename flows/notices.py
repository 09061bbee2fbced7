"""Flows for documents: draft the notices of new or changed actions; issue approved ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from dutyflow.documents.notice import build_circular
from dutyflow.documents.render import (
    Written,
    document_number,
    safe_name,
    write_draft,
    write_final,
    write_notice,
)
from dutyflow.faults import fault_point
from dutyflow.periods import Period, PeriodParam
from dutyflow.settings import settings
from flows.runners import shard_count
from models.db import lock_period, session_scope
from models.documents import (
    actions_needing_drafts,
    approved_action_ids,
    claim_for_issue,
    issued_for,
    issued_paths,
    next_number,
    quarter_actions,
    record_issued,
    set_drafts,
    talk_slots,
)
from models.tables import IssuedDocument, Organization
from rules.shards import assign_shards, subtree_roots


@dataclass
class IssueSummary:
    period: str
    issued: list[tuple[str, str, str]] = field(default_factory=list)  # action id, number, path
    skipped: int = 0


def sweep_orphans(folder: Path, *, keep: set[str]) -> list[Path]:
    """Remove documents a killed issue run wrote but never committed (their numbers were not
    used, so they will be written again under the same number)."""
    removed = []
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix in (".docx", ".html", ".tmp") and str(path.resolve()) not in keep:
                path.unlink()
                removed.append(path)
    if removed:
        get_run_logger().warning("removed %d uncommitted documents in %s", len(removed), folder)
    return removed


def _orgs(session) -> dict[str, Organization]:  # type: ignore[no-untyped-def]
    return {o.org_code: o for o in session.query(Organization).all()}


def _plain(row: Any, fields: tuple[str, ...]) -> SimpleNamespace | None:
    """A detached, picklable copy: shards may run in other processes."""
    return None if row is None else SimpleNamespace(**{f: getattr(row, f) for f in fields})


ACTION_FIELDS = ("id", "period", "org_code", "action", "evidence")
ORG_FIELDS = ("org_code", "org_name", "org_type", "secretary", "parent_code")


@task(cache_policy=NO_CACHE)
def plan_drafts(period: str, shards: int) -> list[list[tuple[Any, ...]]]:
    """The actions whose draft is missing (new or changed), with what their notices need,
    split by organization subtree."""
    with session_scope() as session:
        actions = actions_needing_drafts(session=session, period=period)
        slots = talk_slots(session=session, period=period)
        orgs = _orgs(session)
    if not actions:
        return []
    items = []
    for action in actions:
        org = orgs.get(action.org_code)
        parent = orgs.get(org.parent_code) if org and org.parent_code else None
        items.append((action.org_code, _plain(action, ACTION_FIELDS), _plain(org, ORG_FIELDS),
                      _plain(parent, ORG_FIELDS), slots.get(action.id, 0)))
    frame = pd.DataFrame({"org_code": [i[0] for i in items], "item": range(len(items))})
    roots = subtree_roots(pd.DataFrame([{"org_code": c, "parent_code": o.parent_code}
                                        for c, o in orgs.items()]))
    return [[items[i][1:] for i in part["item"]] for part in assign_shards(frame, roots, shards)]


@task(cache_policy=NO_CACHE)
def render_shard(items: list[tuple[Any, ...]], on: date, output_dir: str
                 ) -> dict[str, tuple[str, str]]:
    """Write the drafts of one shard; return each action's .docx and .html paths."""
    drafts = {}
    for n, (action, org, parent, slot) in enumerate(items, start=1):
        written = write_draft(action=action, org=org, parent=parent, on=on, talk_slot=slot,
                              output_dir=Path(output_dir))
        drafts[action.id] = (str(written.docx), str(written.html))
        if n == len(items) // 2 + 1:
            fault_point("mid_rendering")
    return drafts


@task(cache_policy=NO_CACHE)
def record_drafts(drafts: dict[str, tuple[str, str]]) -> None:
    """Point each action at its new draft, in one transaction."""
    with session_scope() as session:
        set_drafts(session=session, drafts=drafts)


@flow(name="render-notices", flow_run_name="draft notices {period}")
def render_notices(period: PeriodParam, on: date | None = None) -> int:
    """Draft the notices of a period's new or changed actions, shard by shard."""
    period = str(Period.parse(period))
    shards = plan_drafts(period, shard_count())
    total = sum(len(shard) for shard in shards)
    if not total:
        return 0
    progress = create_progress_artifact(progress=0.0, description=f"drafting {period}")
    # (a mapped list is not walked item by item the way a plain argument is; no quote needed)
    futures = render_shard.map(shards, unmapped(on or date.today()),
                               unmapped(str(Path(settings.output_dir).resolve())))
    drafts: dict[str, tuple[str, str]] = {}
    for future in futures:
        drafts.update(future.result())
        update_progress_artifact(progress, progress=100.0 * len(drafts) / total)
    record_drafts(quote(drafts))
    get_run_logger().info("drafted %d notices for %s in %d shards", len(drafts), period,
                          len(shards))
    return len(drafts)


@task(cache_policy=NO_CACHE)
def issue_approved(period: str, on: date, issued_by: str) -> IssueSummary:
    """Number and finalise each approved action, one transaction per document."""
    summary = IssueSummary(period)
    with session_scope() as session:
        ids = approved_action_ids(session=session, period=period)
        recorded = issued_paths(session=session, period=period)
    sweep_orphans(Path(settings.output_dir) / period / "issued", keep=recorded)
    with session_scope() as session:
        orgs = {code: _plain(o, ORG_FIELDS) for code, o in _orgs(session).items()}
        slots = talk_slots(session=session, period=period)
    for action_id in ids:
        with session_scope() as session:
            action = claim_for_issue(session=session, action_id=action_id)
            if action is None:  # another issue run took it first
                summary.skipped += 1
                continue
            org = orgs.get(action.org_code)
            parent = orgs.get(org.parent_code) if org and org.parent_code else None

            def render(doc_number: str, action: Any = action, org: Any = org,
                       parent: Any = parent) -> Written:
                written = write_final(action=action, org=org, parent=parent, on=on,
                                      doc_number=doc_number, talk_slot=slots.get(action.id, 0))
                if len(summary.issued) == 1:
                    fault_point("mid_issue")  # one notice issued, the second written, uncommitted
                return written

            doc_number, written = number_and_record(
                session=session, subject=action.id, period=period, on=on, issued_by=issued_by,
                action=action, render=render)
        summary.issued.append((action_id, doc_number, str(written.docx)))
    return summary


def number_and_record(*, session: Any, subject: str, period: str, on: date, issued_by: str,
                      action: Any, render: Callable[[str], Written]) -> tuple[str, Written]:
    """Take the issuer's next number, write the document, record it, inside the caller's
    transaction. If anything fails before the commit, the written files go too: the number
    was not used, and no document may carry it."""
    number = next_number(session=session, prefix=settings.issuer_prefix, year=on.year)
    doc_number = document_number(settings.issuer_prefix, on.year, number)
    written = None
    try:
        written = render(doc_number)
        record_issued(session=session, action=action, document=IssuedDocument(
            doc_number=doc_number, prefix=settings.issuer_prefix, year=on.year, number=number,
            subject=subject, period=period, path=str(written.docx),
            html_path=str(written.html), sha256=written.sha256, issued_by=issued_by))
        session.flush()
    except BaseException:
        if written is not None:
            written.docx.unlink(missing_ok=True)
            written.html.unlink(missing_ok=True)
        raise
    return doc_number, written


@task(cache_policy=NO_CACHE)
def issue_circular(quarter: str, on: date, issued_by: str) -> tuple[str, str] | None:
    """Number and write the quarter's circular from its approved and issued actions, once."""
    subject = f"circular-{quarter}"
    with session_scope() as session:
        lock_period(session, subject)
        if issued_for(session=session, subject=subject) is not None:
            return None  # an issued circular is never rewritten
        actions = quarter_actions(session=session, quarter=quarter,
                                  statuses=("approved", "issued"))
        orgs = _orgs(session)

        def render(doc_number: str) -> Written:
            notice = build_circular(period=Period.parse(quarter), actions=actions, orgs=orgs,
                                    on=on, doc_number=doc_number)
            return write_notice(notice, Path(settings.output_dir) / quarter / "issued",
                                safe_name(f"{doc_number}-{subject}"))

        doc_number, written = number_and_record(session=session, subject=subject,
                                                period=quarter, on=on, issued_by=issued_by,
                                                action=None, render=render)
    return doc_number, str(written.docx)


@flow(name="issue-notices", flow_run_name="issue {period}")
def issue_notices(period: PeriodParam, issued_by: str = "dutyflow", on: date | None = None
                  ) -> IssueSummary:
    """Give each approved action of the period its document number and final document.

    For a quarter (2026-Q3) it issues the quarter's circular (季度通报) instead.
    """
    period = str(Period.parse(period))
    if Period.parse(period).kind == "quarter":
        summary = IssueSummary(period)
        circular = issue_circular(period, on or date.today(), issued_by)
        if circular:
            summary.issued.append((f"circular-{period}", *circular))
        else:
            summary.skipped += 1
        get_run_logger().info("circular %s: %s", period, circular or "already issued")
        return summary
    summary = issue_approved(period, on or date.today(), issued_by)
    get_run_logger().info("issued %d notices for %s", len(summary.issued), period)
    return summary
