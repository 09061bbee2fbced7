"""Chasing (催办): at each cycle, an issued measure whose answer did not come by its date gets a
short letter, drafted for review, then numbered in the letter series at issue like any other
document; a letter whose answer came meanwhile is withdrawn, not sent."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import CHASE, DocumentStatus, measure_name
from dutyflow.documents.files import drafts_folder, safe_name, write_notice
from dutyflow.documents.notice import Notice, build_chase
from dutyflow.models.chases import answered_since, chased_case, open_chase, overdue_answers
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import period_documents, set_drafts, withdraw
from dutyflow.models.tables import Document
from dutyflow.rules.policy import Policy
from dutyflow.services.drafting import organizations

log = logging.getLogger(__name__)
ANSWERED = "已收到整改反馈，不再催办"


def chase_notice(session: Any, chase: Document, policy: Policy, on: date,
                 doc_number: str | None, orgs: dict[str, Any]) -> Notice:
    case = chased_case(session=session, chase_id=chase.id)
    assert case is not None and chase.overdue_since is not None
    org = orgs.get(chase.org_code) if chase.org_code else None
    parent = orgs.get(org.parent_code) if org and org.parent_code else None
    rules = policy.replies.chase
    climbs_to = rules.ladder[rules.next_step(case.measure)]
    return build_chase(subject=chase.id, action=case, org=org, parent=parent,
                       missed=chase.overdue_since, working_days=rules.working_days,
                       next_measure=measure_name(climbs_to), on=on, doc_number=doc_number)


def answered_meanwhile(session: Any, chase: Document) -> bool:
    """The answer came after all: the 催办 is withdrawn, not sent."""
    case = chased_case(session=session, chase_id=chase.id)
    if case is None or chase.overdue_since is None or not answered_since(
            session=session, case_id=case.id, after=chase.overdue_since):
        return False
    withdraw(session=session, document=chase, note=ANSWERED)
    return True


def draft_chases(*, period: str, on: date, policy: Policy) -> list[str]:
    """Open a 催办 for each answer overdue at the period's end, withdraw drafts whose answer
    came since, and (re)draft the period's letters still to be decided; their ids."""
    as_of = Period.parse(period).last_day
    drafted = []
    with session_scope() as session:
        lock_period(session, f"chase {period}")
        orgs = organizations(session)
        for case in overdue_answers(session=session, as_of=as_of):
            open_chase(session=session, case=case, period=period)
        for chase in period_documents(session=session, period=period, kinds=(CHASE,),
                                      statuses=(DocumentStatus.DRAFT, DocumentStatus.APPROVED,
                                                DocumentStatus.REJECTED)):
            if answered_meanwhile(session, chase):
                continue
            if chase.path and Path(chase.path).is_file():
                continue
            written = write_notice(chase_notice(session, chase, policy, on, None, orgs),
                                   drafts_folder(period), safe_name(chase.id))
            set_drafts(session=session, drafts={chase.id: (str(written.docx),
                                                           str(written.html))})
            drafted.append(chase.id)
    if drafted:
        log.info("%s: %d 催办 letters drafted", period, len(drafted))
    return drafted
