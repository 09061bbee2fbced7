"""Data access for what follows an issued measure: replies, acceptance, return, the state."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.vocabulary import DocumentStatus, FollowUp
from dutyflow.models.tables import ActionEvent, Case, Reply


def case_status(action: Any, today: date) -> str:
    """The status users see: the document's, or after issue the answer's (overdue: still
    awaited, nothing received, past the date the notice gave)."""
    if action.status != DocumentStatus.ISSUED or not action.follow_up:
        return str(action.status)
    if (action.follow_up == FollowUp.AWAITING_REPLY and action.replied_on is None
            and action.reply_due is not None and action.reply_due < today):
        return FollowUp.OVERDUE
    return str(action.follow_up)


def add_reply(*, session: Session, action: Case, reply: Reply, actor: str) -> Reply:
    session.add(reply)
    action.replied_on = reply.received_on
    session.add(action)
    session.add(ActionEvent(action_id=action.id, period=action.period, event="reply_received",
                            actor=actor[:100], note=reply.note or reply.measures[:200]))
    session.flush()
    return reply


def reply_targets(*, session: Session) -> list[tuple[str, str | None, str, str | None,
                                                    date | None]]:
    """(case id, document number, status, follow-up, issue date) of every case a reply row
    might name: what the 整改反馈 table is checked against."""
    rows = session.execute(select(Case.id, Case.doc_number, Case.status, Case.follow_up,
                                  Case.issued_on).where(
        Case.status != DocumentStatus.WITHDRAWN)).all()
    return [(i, n, s, f, on) for i, n, s, f, on in rows]


def add_table_replies(*, session: Session, records: list[dict[str, Any]], source: str) -> int:
    """Replies from a period's 整改反馈 table (checked already): each is added once, so a
    re-run, or the same reply in next month's table too, adds nothing."""
    added = 0
    for record in records:
        action = session.get(Case, record["case_id"])
        if action is None or action.follow_up in (None, FollowUp.CLOSED):
            continue  # closed since it was checked: the reply is kept in the report, not here
        seen = session.execute(select(Reply.id).where(
            Reply.action_id == action.id, Reply.received_on == record["replied_on"])).first()
        if seen is not None:
            continue
        evidence = (record.get("evidence") or "").strip()
        add_reply(session=session, action=action, actor="整改反馈表", reply=Reply(
            action_id=action.id, received_on=record["replied_on"],
            measures=(record.get("measures") or "").strip(), completed=record.get("completed"),
            note=f"佐证材料：{evidence}" if evidence else "", files=[], source=source[:500]))
        added += 1
    return added


def replies_of(*, session: Session, action_id: str) -> list[Reply]:
    return list(session.execute(select(Reply).where(Reply.action_id == action_id)
                                .order_by(Reply.id)).scalars())


def settle_reply(*, session: Session, action: Case, event: str, reviewer: str, note: str,
                 follow_up: FollowUp, reply_due: date | None) -> Case:
    """Accept (closed) or return (awaiting again, with a new due date) the reply received."""
    action.follow_up, action.replied_on = follow_up, None
    if reply_due is not None:
        action.reply_due = reply_due
    session.add(action)
    session.add(ActionEvent(action_id=action.id, period=action.period, event=event,
                            actor=reviewer[:100], note=note))
    session.flush()
    return action


def follow_up_cases(*, session: Session, period: str) -> list[Case]:
    """The period's issued cases that asked for an answer."""
    return list(session.execute(select(Case).where(
        Case.period == period, Case.status == DocumentStatus.ISSUED,
        Case.follow_up.is_not(None)).order_by(Case.id)).scalars())  # type: ignore[union-attr]


def followed_cases(*, session: Session, until_period: str) -> list[Case]:
    """Every issued case up to a month that asked for an answer, whatever became of it."""
    return list(session.execute(select(Case).where(
        Case.status == DocumentStatus.ISSUED, Case.follow_up.is_not(None),  # type: ignore[union-attr]
        Case.period <= until_period).order_by(Case.id)).scalars())


def closed_between(*, session: Session, first: Any, last: Any) -> set[str]:
    """Cases closed (销号) by a decision recorded between two moments."""
    return set(session.execute(select(ActionEvent.action_id).where(
        ActionEvent.event == "accepted", ActionEvent.at >= first,
        ActionEvent.at < last)).scalars())
