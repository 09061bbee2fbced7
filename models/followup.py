"""Data access for what follows an issued measure: replies, acceptance, return, the state."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.vocabulary import ActionStatus, FollowUp
from dutyflow.models.tables import Action, ActionEvent, Reply


def case_status(action: Any, today: date) -> str:
    """The status users see: the document's, or after issue the answer's (overdue: still
    awaited, nothing received, past the date the notice gave)."""
    if action.status != ActionStatus.ISSUED or not action.follow_up:
        return str(action.status)
    if (action.follow_up == FollowUp.AWAITING_REPLY and action.replied_on is None
            and action.reply_due is not None and action.reply_due < today):
        return FollowUp.OVERDUE
    return str(action.follow_up)


def add_reply(*, session: Session, action: Action, reply: Reply, actor: str) -> Reply:
    session.add(reply)
    action.replied_on = reply.received_on
    session.add(action)
    session.add(ActionEvent(action_id=action.id, period=action.period, event="reply_received",
                            actor=actor[:100], note=reply.note or reply.measures[:200]))
    session.flush()
    return reply


def replies_of(*, session: Session, action_id: str) -> list[Reply]:
    return list(session.execute(select(Reply).where(Reply.action_id == action_id)
                                .order_by(Reply.id)).scalars())


def settle_reply(*, session: Session, action: Action, event: str, reviewer: str, note: str,
                 follow_up: FollowUp, reply_due: date | None) -> Action:
    """Accept (closed) or return (awaiting again, with a new due date) the reply received."""
    action.follow_up, action.replied_on = follow_up, None
    if reply_due is not None:
        action.reply_due = reply_due
    session.add(action)
    session.add(ActionEvent(action_id=action.id, period=action.period, event=event,
                            actor=reviewer[:100], note=note))
    session.flush()
    return action


def follow_up_cases(*, session: Session, period: str) -> list[Action]:
    """The period's issued cases that asked for an answer."""
    return list(session.execute(select(Action).where(
        Action.period == period, Action.status == ActionStatus.ISSUED,
        Action.follow_up.is_not(None)).order_by(Action.id)).scalars())  # type: ignore[union-attr]
