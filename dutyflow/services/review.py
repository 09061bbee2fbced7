"""Who may decide, and recording every decision, including the refused ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    CHASE,
    DOCUMENT_KINDS,
    circular_name,
    is_chase,
    is_circular,
    measure_name,
)
from dutyflow.models.accountability import organization_names
from dutyflow.models.chases import get_chase, log_chase_event, pending_chases, record_chase_decision
from dutyflow.models.db import session_scope
from dutyflow.models.decisions import (
    ReviewError,
    get_circular,
    log_circular_event,
    log_event,
    pending_actions,
    pending_circulars,
    record_circular_decision,
    record_decision,
)
from dutyflow.models.tables import Case, Organization
from dutyflow.services.reviewers import find_reviewer


class NotAReviewer(ReviewError):
    pass


def check_reviewer(*, name: str, action: Case | None, org: Organization | None) -> None:
    """Refuse anyone who is not a reviewer, and anyone deciding on their own branch."""
    reviewer = find_reviewer(name)
    if reviewer is None:
        raise NotAReviewer(f"{name!r} is not a reviewer; add one with `dutyflow reviewer add` "
                           "(or list names in DUTYFLOW_REVIEWERS for the CLI)")
    if org is None:
        return
    own = (reviewer.org_code == org.org_code
           or (org.secretary and org.secretary.strip() == reviewer.name))
    if own:
        raise NotAReviewer(f"{reviewer.name} belongs to {org.org_name}, whom case "
                           f"{action.id if action else ''} concerns; someone else must decide")


def decide(*, action_id: str, decision: str, reviewer: str, note: str = "",
           decision_ref: str = "") -> Any:
    """Record a decision on a case, or on a quarter's circular (`circular-2026-Q3`); a refused
    one is logged in its own transaction, then raised."""
    if is_circular(action_id):
        return _decide_circular(action_id, decision, reviewer, note)
    if is_chase(action_id):
        return _decide_chase(action_id, decision, reviewer, note)
    try:
        with session_scope() as session:
            action = session.get(Case, action_id)
            org = session.get(Organization, action.org_code) if action else None
            check_reviewer(name=reviewer, action=action, org=org)
            return record_decision(session=session, action_id=action_id, decision=decision,
                                   reviewer=reviewer, note=note, decision_ref=decision_ref)
    except DutyflowError as exc:
        with session_scope() as session:
            if session.get(Case, action_id) is not None:
                log_event(session=session, action_id=action_id, event=f"refused_{decision}",
                          actor=reviewer, note=str(exc))
        raise


def _decide_circular(subject: str, decision: str, reviewer: str, note: str) -> Any:
    """The circular is the office's own document: any reviewer decides it, with no own-branch
    rule and no committee reference (its 通报批评 were each decided as cases)."""
    try:
        with session_scope() as session:
            check_reviewer(name=reviewer, action=None, org=None)
            return record_circular_decision(session=session, subject=subject,
                                            decision=decision, reviewer=reviewer, note=note)
    except DutyflowError as exc:
        with session_scope() as session:
            circular = get_circular(session=session, subject=subject)
            if circular is not None:
                log_circular_event(session=session, circular=circular,
                                   event=f"refused_{decision}", actor=reviewer, note=str(exc))
        raise


def _decide_chase(chase_id: str, decision: str, reviewer: str, note: str) -> Any:
    """A 催办 is the office's own letter (no committee), but no one decides on their branch's."""
    try:
        with session_scope() as session:
            chase = get_chase(session=session, chase_id=chase_id)
            check_reviewer(name=reviewer, action=None,
                           org=session.get(Organization, chase.org_code) if chase else None)
            return record_chase_decision(session=session, chase_id=chase_id, decision=decision,
                                         reviewer=reviewer, note=note)
    except DutyflowError as exc:
        with session_scope() as session:
            chase = get_chase(session=session, chase_id=chase_id)
            if chase is not None:
                log_chase_event(session=session, chase=chase, event="refused_chase",
                                actor=reviewer, note=f"{decision}: {exc}")
        raise


@dataclass(frozen=True)
class PendingItem:
    """An action waiting for a decision, as a reviewer reads it."""

    action_id: str
    organization: str
    measure: str
    reasons: str
    draft: str


def pending_items(period: str | None) -> list[PendingItem]:
    """What waits for review in a period (or in all periods), with names and reasons: the
    cases, then any quarter's circular."""
    with session_scope() as session:
        actions = pending_actions(session=session, period=period)
        names = organization_names(session=session)
        circulars = pending_circulars(session=session, period=period)
        chases = pending_chases(session=session, period=period)
    items = [PendingItem(a.id, names.get(a.org_code, a.org_code), measure_name(a.measure),
                         "；".join(e["text"] for e in a.evidence), a.html_document or "")
             for a in actions]
    items += [PendingItem(c.id, names.get(c.org_code, c.org_code), DOCUMENT_KINDS[CHASE].name,
                          f"{c.action_id}应于{c.overdue_since}前反馈，未收到", c.html_document or "")
              for c in chases]
    return items + [PendingItem(c.subject, settings.all_units, circular_name(c.subject),
                                f"{c.period}{circular_name(c.subject)}", c.html_document or "")
                    for c in circulars]





def office_drafts(period: str) -> list[str]:
    """The period's drafts one reviewer may decide alone (proposals need the committee), and
    the 催办 letters its cycle drafted."""
    with session_scope() as session:
        return ([a.id for a in pending_actions(session=session, period=period) if not a.proposal]
                + [c.id for c in pending_chases(session=session, period=period)])
