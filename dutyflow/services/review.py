"""Who may decide, and recording every decision, including the refused ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import action_name
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.decisions import ReviewError, log_event, pending_actions, record_decision
from dutyflow.models.tables import Action, Organization
from dutyflow.services.reviewers import find_reviewer


class NotAReviewer(ReviewError):
    pass


def check_reviewer(*, name: str, action: Action | None, org: Organization | None) -> None:
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
    """Record a decision; a refused one is logged in its own transaction, then raised."""
    try:
        with session_scope() as session:
            action = session.get(Action, action_id)
            org = session.get(Organization, action.org_code) if action else None
            check_reviewer(name=reviewer, action=action, org=org)
            return record_decision(session=session, action_id=action_id, decision=decision,
                                   reviewer=reviewer, note=note, decision_ref=decision_ref)
    except DutyflowError as exc:
        with session_scope() as session:
            if session.get(Action, action_id) is not None:
                log_event(session=session, action_id=action_id, event=f"refused_{decision}",
                          actor=reviewer, note=str(exc))
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
    """What waits for review in a period (or in all periods), with names and reasons."""
    with session_scope() as session:
        actions = pending_actions(session=session, period=period)
        names = organization_names(session=session)
    return [PendingItem(a.id, names.get(a.org_code, a.org_code), action_name(a.action),
                        "；".join(e["text"] for e in a.evidence), a.html_document or "")
            for a in actions]


def office_drafts(period: str) -> list[str]:
    """The period's drafts one reviewer may decide alone (proposals need the committee)."""
    with session_scope() as session:
        return [a.id for a in pending_actions(session=session, period=period) if not a.proposal]
