"""Who may decide, and recording every decision, including the refused ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import action_name
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.decisions import ReviewError, log_event, pending_actions, record_decision
from dutyflow.models.tables import Action, Organization


class NotAReviewer(ReviewError):
    pass


def check_reviewer(*, name: str, action: Action | None, org: Organization | None) -> None:
    """Refuse anyone outside the configured list, and the person the action targets."""
    allowed = {r.name.strip(): r for r in settings.reviewers}
    if name.strip() not in allowed:
        raise NotAReviewer(f"{name!r} is not a configured reviewer; decisions are accepted from "
                           f"{', '.join(allowed) or 'nobody (set DUTYFLOW_REVIEWERS)'}")
    if org is not None and org.secretary and org.secretary.strip() == name.strip():
        raise NotAReviewer(f"{name} is the secretary of {org.org_name}, whom action "
                           f"{action.id if action else ''} targets; someone else must decide")


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
