"""Chasing (催办): at each cycle, an issued measure whose answer did not come by its date gets a
short letter, drafted for review, then numbered in the letter series at issue; a letter whose
answer came meanwhile is withdrawn, not sent."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.calendar import add_working_days
from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import DocumentFormat, DocumentStatus, measure_name
from dutyflow.documents.files import (
    NotIssuable,
    Written,
    drafts_folder,
    issued_folder,
    refuse_unaddressed,
    safe_name,
    write_notice,
)
from dutyflow.documents.notice import Notice, build_chase
from dutyflow.models.chases import (
    answered_since,
    claim_chase,
    log_chase_event,
    open_chase,
    overdue_answers,
    period_chases,
    set_chase_draft,
    withdraw_chase,
)
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.tables import Case, Chase
from dutyflow.rules.policy import Policy
from dutyflow.services.drafting import organizations
from dutyflow.services.issuing import IssueSummary, number_and_record

log = logging.getLogger(__name__)


def _notice(session: Any, chase: Chase, policy: Policy, on: date, doc_number: str | None,
            orgs: dict[str, Any]) -> Notice:
    action = session.get(Case, chase.action_id)
    org = orgs.get(chase.org_code)
    parent = orgs.get(org.parent_code) if org and org.parent_code else None
    rules = policy.replies.chase
    climbs_to = rules.ladder[rules.next_step(action.measure)]
    return build_chase(subject=chase.id, action=action, org=org, parent=parent,
                       missed=chase.overdue_since, working_days=rules.working_days,
                       next_measure=measure_name(climbs_to), on=on, doc_number=doc_number)


def draft_chases(*, period: str, on: date, policy: Policy) -> list[str]:
    """Open a 催办 for each answer overdue at the period's end, withdraw drafts whose answer
    came since, and (re)draft the period's letters still to be decided; their ids."""
    as_of = Period.parse(period).last_day
    drafted = []
    with session_scope() as session:
        lock_period(session, f"chase {period}")
        orgs = organizations(session)
        for action in overdue_answers(session=session, as_of=as_of):
            open_chase(session=session, action=action, period=period)
        for chase in period_chases(session=session, period=period,
                                   statuses=(DocumentStatus.DRAFT, DocumentStatus.APPROVED,
                                             DocumentStatus.REJECTED)):
            if answered_since(session=session, action_id=chase.action_id,
                              after=chase.overdue_since):
                withdraw_chase(session=session, chase=chase, note="已收到整改反馈，不再催办")
                continue
            if chase.document and Path(chase.document).is_file():
                continue
            written = write_notice(_notice(session, chase, policy, on, None, orgs),
                                   drafts_folder(period), safe_name(chase.id))
            set_chase_draft(session=session, chase=chase, document=str(written.docx),
                            html_document=str(written.html))
            drafted.append(chase.id)
    if drafted:
        log.info("%s: %d 催办 letters drafted", period, len(drafted))
    return drafted


def issue_chases(*, period: str, on: date, issued_by: str, policy: Policy,
                 summary: IssueSummary) -> None:
    """Number and send each approved 催办 of the period, one transaction each; the answer's
    new date is the one the letter gives."""
    with session_scope() as session:
        ids = [c.id for c in period_chases(session=session, period=period,
                                           statuses=(DocumentStatus.APPROVED,))]
        orgs = organizations(session)
    for chase_id in ids:
        try:
            with session_scope() as session:
                chase = claim_chase(session=session, chase_id=chase_id)
                if chase is None:
                    summary.skipped += 1
                    continue
                if answered_since(session=session, action_id=chase.action_id,
                                  after=chase.overdue_since):
                    withdraw_chase(session=session, chase=chase, note="已收到整改反馈，不再催办")
                    continue
                notice = _notice(session, chase, policy, on, None, orgs)
                refuse_unaddressed(chase.id, notice.missing)

                def render(doc_number: str, chase: Chase = chase) -> Written:
                    final = _notice(session, chase, policy, on, doc_number, orgs)
                    return write_notice(final, issued_folder(period),
                                        safe_name(f"{doc_number}-{chase.id}"))

                number, written = number_and_record(
                    session=session, subject=chase.id, period=period, on=on,
                    issued_by=issued_by, action=None, series=DocumentFormat.LETTER,
                    render=render)
                chase.doc_number, chase.document_sha256 = number, written.sha256
                chase.document, chase.html_document = str(written.docx), str(written.html)
                chase.issued_on = on
                chase.reply_due = add_working_days(on, policy.replies.chase.working_days)
                session.add(chase)
                log_chase_event(session=session, chase=chase, event="chase_issued",
                                actor=issued_by, note=f"{number}，限{chase.reply_due}前反馈")
        except NotIssuable as refused:
            summary.refused.append(str(refused))
            log.warning("%s", refused)
            continue
        summary.issued.append((chase_id, number, str(written.docx)))

