"""Data access for what follows an issued measure: replies, acceptance, return, the state."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from dutyflow.core.vocabulary import DocumentStatus, FollowUp
from dutyflow.models.documents import log_event
from dutyflow.models.tables import Case, Document, Event, Reply, utcnow


def case_status(action: Any, today: date) -> str:
    """The status users see: the document's, or after issue the answer's (overdue: still
    awaited, nothing received, past the date the notice gave)."""
    if action.status != DocumentStatus.ISSUED or not action.follow_up:
        return str(action.status)
    if (action.follow_up == FollowUp.AWAITING_REPLY and action.replied_on is None
            and action.reply_due is not None and action.reply_due < today):
        return FollowUp.OVERDUE
    return str(action.follow_up)


def add_reply(*, session: Session, case: Case, reply: Reply, actor: str) -> Reply:
    session.add(reply)
    case.replied_on = reply.received_on
    session.add(case)
    log_event(session=session, subject=case.id, period=case.period, event="reply_received",
              actor=actor, note=reply.note or reply.measures[:200])
    session.flush()
    return reply


def reply_targets(*, session: Session) -> list[tuple[str, str | None, str, str | None,
                                                    date | None]]:
    """(case id, document number, status, follow-up, issue date) of every case a reply row
    might name: what the 整改反馈 table is checked against."""
    rows = session.execute(select(Case.id, Document.document_number, Document.status,
                                  Case.follow_up, Document.issued_on).join(
        Document, Document.id == Case.id).where(
        Document.status != DocumentStatus.WITHDRAWN)).all()
    return [(i, n, s, f, on) for i, n, s, f, on in rows]


def add_table_replies(*, session: Session, records: list[dict[str, Any]], source: str) -> int:
    """Replies from a period's 整改反馈 table (checked already): each is added once, so a
    re-run, or the same reply in next month's table too, adds nothing."""
    added = 0
    for record in records:
        case = session.get(Case, record["case_id"])
        if case is None or case.follow_up in (None, FollowUp.CLOSED):
            continue  # closed since it was checked: the reply is kept in the report, not here
        seen = session.execute(select(Reply.id).where(
            Reply.case_id == case.id, Reply.received_on == record["replied_on"])).first()
        if seen is not None:
            continue
        evidence = (record.get("evidence") or "").strip()
        add_reply(session=session, case=case, actor="整改反馈表", reply=Reply(
            case_id=case.id, received_on=record["replied_on"],
            measures=(record.get("measures") or "").strip(), completed=record.get("completed"),
            note=f"佐证材料：{evidence}" if evidence else "", files=[], source=source[:500]))
        added += 1
    return added


def replies_of(*, session: Session, case_id: str) -> list[Reply]:
    return list(session.execute(select(Reply).where(Reply.case_id == case_id)
                                .order_by(Reply.id)).scalars())


def claim_reply(*, session: Session, case_id: str, replied_on: date) -> bool:
    """Take the case's waiting reply for a decision with a conditional UPDATE: a concurrent
    accept or return, or a newer reply, cannot slip between (False: it was settled since)."""
    return bool(session.execute(update(Case).where(
        Case.id == case_id, Case.replied_on == replied_on,
        Case.follow_up == FollowUp.AWAITING_REPLY).values(updated_at=utcnow())).rowcount)


def latest_reply(*, session: Session, case_id: str) -> Reply | None:
    return session.execute(select(Reply).where(Reply.case_id == case_id).order_by(
        Reply.id.desc()).limit(1)).scalars().first()  # type: ignore[union-attr]


def last_settled(*, session: Session, case_id: str) -> Event | None:
    """The case's latest 销号 or 退回: who settled the reply a stale page still shows."""
    return session.execute(select(Event).where(
        Event.subject == case_id, Event.event.in_(("accepted", "returned")))  # type: ignore[attr-defined]
        .order_by(Event.at.desc(), Event.id.desc()).limit(1)).scalars().first()  # type: ignore[union-attr]


def settle_reply(*, session: Session, case: Case, event: str, reviewer: str, note: str,
                 follow_up: FollowUp, reply_due: date | None) -> Case:
    """Accept (closed) or return (awaiting again, with a new due date) the reply received."""
    case.follow_up, case.replied_on = follow_up, None
    if reply_due is not None:
        case.reply_due = reply_due
    session.add(case)
    log_event(session=session, subject=case.id, period=case.period, event=event,
              actor=reviewer, note=note)
    session.flush()
    return case


def follow_up_cases(*, session: Session, period: str) -> list[Case]:
    """The period's issued cases that asked for an answer."""
    return list(session.execute(select(Case).where(
        Case.period == period, Case.status == DocumentStatus.ISSUED,
        Case.follow_up.is_not(None)).order_by(Case.id)).scalars().unique())  # type: ignore[union-attr]


def followed_cases(*, session: Session, until_period: str) -> list[Case]:
    """Every issued case up to a month that asked for an answer, whatever became of it."""
    return list(session.execute(select(Case).where(
        Case.status == DocumentStatus.ISSUED, Case.follow_up.is_not(None),  # type: ignore[union-attr]
        Case.period <= until_period).order_by(Case.id)).scalars().unique())


def closed_between(*, session: Session, first: Any, last: Any) -> set[str]:
    """Cases closed (销号) by a decision recorded between two moments."""
    return set(session.execute(select(Event.subject).where(
        Event.event == "accepted", Event.at >= first, Event.at < last)).scalars())


def replies_to_settle(*, session: Session) -> list[Case]:
    """Issued cases whose reply waits for the office to accept or return it."""
    # joined, not the `status` hybrid's correlated subquery (PostgreSQL runs that per row)
    return list(session.execute(select(Case).join(Document, Document.id == Case.id).where(
        Document.status == DocumentStatus.ISSUED, Case.follow_up == FollowUp.AWAITING_REPLY,
        Case.replied_on.is_not(None)).order_by(Case.id)).scalars().unique())  # type: ignore[union-attr]


def tracked_rows(*, session: Session, period: str) -> list[Any]:
    """The period's issued cases that asked for an answer, only the columns the 反馈跟踪 view
    shows (a province's month is ten thousand of them: no findings, no ORM objects)."""
    return list(session.execute(select(
        Case.id, Case.period, Case.org_code, Case.measure, Case.reply_due, Case.follow_up,
        Case.replied_on, Document.status, Document.document_number).join(
        Document, Document.id == Case.id).where(
        Case.period == period, Document.status == DocumentStatus.ISSUED,
        Case.follow_up.is_not(None)).order_by(Case.id)).all())  # type: ignore[union-attr]


def case_periods(*, session: Session) -> list[str]:
    """Every period with cases, newest first."""
    return list(session.execute(select(Case.period).distinct().order_by(
        Case.period.desc())).scalars())  # type: ignore[attr-defined]
