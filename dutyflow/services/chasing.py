"""Chasing (催办): at the first cycle after an answer's date, an organization whose answers did
not come gets one short letter naming every answer it is missing (number, date, due date),
drafted for review, then numbered in the letter series at issue like any other document. An
answer that came meanwhile drops its case from the letter; a letter left with none is
withdrawn, not sent. The letter warns of the next measure only when that measure has not
already been taken or decided for the organization."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.vocabulary import CHASE, MEASURE_KINDS, DocumentStatus
from dutyflow.documents.files import drafts_folder, safe_name, write_notice
from dutyflow.documents.notice import Notice, build_chase
from dutyflow.models.chases import (
    add_to_chase,
    answered_since,
    chase_cases,
    chase_digest,
    drop_from_chase,
    measures_decided,
    overdue_answers,
)
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import back_to_draft, period_documents, set_drafts, withdraw
from dutyflow.models.tables import Case, Document
from dutyflow.rules.policy import Policy
from dutyflow.services.drafting import organizations

log = logging.getLogger(__name__)
ANSWERED = "已收到整改反馈，不再催办"


def warning_of(session: Any, org_code: str, chased: list[Case], policy: Policy) -> str:
    """The measure a 催办 may warn of: the first step of the chase ladder more severe than
    every measure chased and every measure already taken or decided for the organization
    since the earliest chased period ("" when the ladder has nothing left)."""
    since = min(c.period for c in chased)
    decided = measures_decided(session=session, org_code=org_code, since=since)
    ranks = [MEASURE_KINDS[m].rank for m in [*decided, *(c.measure for c in chased)]]
    above = max(ranks, default=0)
    for step in policy.replies.chase.ladder:
        if MEASURE_KINDS[step].rank > above:
            return step
    return ""


def chase_notice(session: Any, chase: Document, policy: Policy, on: date,
                 doc_number: str | None, orgs: dict[str, Any]) -> Notice:
    named = chase_cases(session=session, chase_id=chase.id)
    assert named, f"{chase.id} names no case"
    org = orgs.get(chase.org_code) if chase.org_code else None
    parent = orgs.get(org.parent_code) if org and org.parent_code else None
    warns = warning_of(session, chase.org_code or "", [c for c, _ in named], policy)
    return build_chase(subject=chase.id, chased=named, org=org, parent=parent,
                       working_days=policy.replies.chase.working_days, warns_of=warns, on=on,
                       by_committee=warns in policy.committee_decides, doc_number=doc_number)


def answered_meanwhile(session: Any, chase: Document) -> bool:
    """Answers that came after all drop their cases from the 催办; one left with none is
    withdrawn, not sent (True)."""
    named = chase_cases(session=session, chase_id=chase.id)
    answered = [c.id for c, due in named
                if answered_since(session=session, case_id=c.id, after=due)]
    if not answered:
        return False
    if len(answered) == len(named):
        withdraw(session=session, document=chase, note=ANSWERED)
        return True
    drop_from_chase(session=session, chase=chase, case_ids=answered)
    if chase.status != DocumentStatus.APPROVED:  # an approved one is sent naming fewer cases
        back_to_draft(session=session, document=chase, content_hash=chase_digest(
            c.id for c, _ in named if c.id not in answered),
                      note=f"已收到{'、'.join(answered)}的整改反馈，不再催办")
    return False


def draft_chases(*, period: str, on: date, policy: Policy) -> list[str]:
    """At the cycle dated `on`: one 催办 per organization for the answers overdue by then,
    withdraw or narrow drafts whose answers came since, and (re)draft the cycle's letters
    still to be decided; their ids."""
    drafted = []
    with session_scope() as session:
        lock_period(session, f"chase {period}")
        orgs = organizations(session)
        overdue: dict[str, list[Case]] = defaultdict(list)
        for case in overdue_answers(session=session, as_of=on, before_period=period):
            overdue[case.org_code].append(case)
        for org_code, cases in overdue.items():
            add_to_chase(session=session, period=period, org_code=org_code, cases=cases)
        for chase in period_documents(session=session, period=period, kinds=(CHASE,),
                                      statuses=(DocumentStatus.DRAFT, DocumentStatus.APPROVED,
                                                DocumentStatus.REJECTED)):
            if answered_meanwhile(session, chase):
                continue
            if chase.path and Path(chase.path).is_file():
                continue
            written = write_notice(chase_notice(session, chase, policy, on, None, orgs),
                                   drafts_folder(period), safe_name(chase.id), view=False)
            set_drafts(session=session, drafts={chase.id: (str(written.docx),
                                                           str(written.html))})
            drafted.append(chase.id)
    if drafted:
        log.info("%s: %d 催办 letters drafted", period, len(drafted))
    return drafted
