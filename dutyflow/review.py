"""Who may decide, and recording every decision, including the refused ones."""

from __future__ import annotations

from typing import Any

from dutyflow.errors import DutyflowError
from dutyflow.settings import settings
from models.db import session_scope
from models.documents import ReviewError, log_event, record_decision
from models.tables import Action, Organization


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


def decide(*, action_id: str, decision: str, reviewer: str, note: str = "") -> Any:
    """Record a decision; a refused one is logged in its own transaction, then raised."""
    try:
        with session_scope() as session:
            action = session.get(Action, action_id)
            org = session.get(Organization, action.org_code) if action else None
            check_reviewer(name=reviewer, action=action, org=org)
            return record_decision(session=session, action_id=action_id, decision=decision,
                                   reviewer=reviewer, note=note)
    except DutyflowError as exc:
        with session_scope() as session:
            if session.get(Action, action_id) is not None:
                log_event(session=session, action_id=action_id, event=f"refused_{decision}",
                          actor=reviewer, note=str(exc))
        raise
