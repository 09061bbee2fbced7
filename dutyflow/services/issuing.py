"""Issuing: approved actions get the issuer's next number and a final document, gaplessly.

Each document is numbered, written and recorded in one transaction; if anything fails before
the commit the written files go too (the number was not used, so no document may carry it),
and a later run sweeps files a killed run left behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.faults import fault_point
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import ACTION_KINDS, ActionStatus
from dutyflow.documents.files import (
    Written,
    document_number,
    drafts_folder,
    issued_folder,
    safe_name,
    write_final,
    write_notice,
)
from dutyflow.documents.notice import build_circular
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.decisions import log_event, talk_slots
from dutyflow.models.issuing import (
    approved_action_ids,
    claim_for_issue,
    issued_for,
    issued_paths,
    next_number,
    quarter_actions,
    record_issued,
)
from dutyflow.models.tables import IssuedDocument
from dutyflow.services.drafting import organizations

log = logging.getLogger(__name__)


@dataclass
class IssueSummary:
    period: str
    issued: list[tuple[str, str, str]] = field(default_factory=list)  # subject, number, path
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
        log.warning("removed %d uncommitted documents in %s", len(removed), folder)
    return removed


def number_and_record(*, session: Any, subject: str, period: str, on: date, issued_by: str,
                      action: Any, render: Callable[[str], Written]) -> tuple[str, Written]:
    """Take the issuer's next number, write the document, record it, inside the caller's
    transaction."""
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


def issue_approved(*, period: str, on: date, issued_by: str) -> IssueSummary:
    """Number and finalise each approved action of a month, one transaction per document."""
    summary = IssueSummary(period)
    with session_scope() as session:
        ids = approved_action_ids(session=session, period=period)
        recorded = issued_paths(session=session, period=period)
    sweep_orphans(issued_folder(period), keep=recorded)
    with session_scope() as session:
        orgs = organizations(session)
        slots = talk_slots(session=session, period=period)
    for action_id in ids:
        with session_scope() as session:
            action = claim_for_issue(session=session, action_id=action_id)
            if action is None:  # another issue run took it first
                summary.skipped += 1
                continue
            org = orgs.get(action.org_code)
            parent = orgs.get(org.parent_code) if org and org.parent_code else None
            if not ACTION_KINDS[action.action].numbered:  # a return for correction: no number
                written = send_unnumbered(session=session, action=action, org=org, parent=parent,
                                          on=on, issued_by=issued_by)
                summary.issued.append((action_id, "", str(written.docx)))
                continue

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


def send_unnumbered(*, session: Any, action: Any, org: Any, parent: Any, on: date,
                    issued_by: str) -> Written:
    """A form that carries no document number (退回补正): written final and recorded as sent."""
    written = write_final(action=action, org=org, parent=parent, on=on, doc_number="")
    action.document, action.html_document = str(written.docx), str(written.html)
    action.document_sha256 = written.sha256
    session.add(action)
    log_event(session=session, action_id=action.id, event=ActionStatus.ISSUED, actor=issued_by,
              note=f"{ACTION_KINDS[action.action].name}（不编号）")
    return written


def issue_circular(*, quarter: str, on: date, issued_by: str) -> tuple[str, str] | None:
    """Number and write the quarter's circular from its approved and issued actions, once."""
    subject = f"circular-{quarter}"
    with session_scope() as session:
        lock_period(session, subject)
        if issued_for(session=session, subject=subject) is not None:
            return None  # an issued circular is never rewritten
        actions = quarter_actions(session=session, quarter=quarter,
                                  statuses=(ActionStatus.APPROVED, ActionStatus.ISSUED))
        orgs = organizations(session)

        def render(doc_number: str) -> Written:
            notice = build_circular(period=Period.parse(quarter), actions=actions, orgs=orgs,
                                    on=on, doc_number=doc_number)
            return write_notice(notice, issued_folder(quarter),
                                safe_name(f"{doc_number}-{subject}"))

        doc_number, written = number_and_record(session=session, subject=subject,
                                                period=quarter, on=on, issued_by=issued_by,
                                                action=None, render=render)
    return doc_number, str(written.docx)


def draft_circular(*, quarter: str, on: date) -> Path:
    """Draft the quarter's circular from its months' actions (withdrawn and rejected left out;
    the draft previews what is still under review, the issued circular does not)."""
    with session_scope() as session:
        actions = quarter_actions(session=session, quarter=quarter, statuses=(
            ActionStatus.DRAFT, ActionStatus.APPROVED, ActionStatus.ISSUED))
        orgs = organizations(session)
    notice = build_circular(period=Period.parse(quarter), actions=actions, orgs=orgs, on=on)
    written = write_notice(notice, drafts_folder(quarter),
                           f"circular-{quarter}")
    return written.docx
