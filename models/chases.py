"""Data access for 催办 letters: which answers are overdue, the letters' drafts, decisions,
issue and withdrawal. Every step is appended to the case's own history (`action_event`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from dutyflow.core.vocabulary import DECISIONS, REVIEWABLE, DocumentStatus, FollowUp, chase_subject
from dutyflow.models.decisions import ReviewError
from dutyflow.models.tables import ActionEvent, Case, Chase, Reply, utcnow


def log_chase_event(*, session: Session, chase: Chase, event: str, actor: str,
                    note: str = "") -> None:
    case_period = session.execute(select(Case.period).where(
        Case.id == chase.action_id)).scalar_one()
    text = f"{chase.id}" + (f"：{note}" if note else "")
    session.add(ActionEvent(action_id=chase.action_id, period=case_period, event=event,
                            actor=actor[:100], note=text))


def overdue_answers(*, session: Session, as_of: date) -> list[Case]:
    """Issued cases still waiting for an answer whose date passed before `as_of`, with nothing
    received and no 催办 yet for that date."""
    chased = select(Chase.id).where(Chase.action_id == Case.id,
                                    Chase.overdue_since == Case.reply_due)
    return list(session.execute(select(Case).where(
        Case.status == DocumentStatus.ISSUED, Case.follow_up == FollowUp.AWAITING_REPLY,
        Case.replied_on.is_(None), Case.reply_due < as_of,  # type: ignore[union-attr,operator]
        ~chased.exists()).order_by(Case.id)).scalars())


def open_chase(*, session: Session, action: Case, period: str) -> Chase:
    rounds = session.execute(select(func.count()).select_from(Chase).where(
        Chase.action_id == action.id)).scalar_one()
    assert action.reply_due is not None
    chase = Chase(id=chase_subject(action.id, rounds + 1), action_id=action.id,
                  round=rounds + 1, period=period, org_code=action.org_code,
                  overdue_since=action.reply_due)
    session.add(chase)
    session.flush()
    log_chase_event(session=session, chase=chase, event="chase_drafted", actor="dutyflow",
                    note=f"应于{action.reply_due}前反馈，未收到")
    return chase


def get_chase(*, session: Session, chase_id: str) -> Chase | None:
    return session.get(Chase, chase_id)


def period_chases(*, session: Session, period: str,
                  statuses: tuple[str, ...] | None = None) -> list[Chase]:
    """The 催办 letters a period's cycle drafted (with one of `statuses`)."""
    statement = select(Chase).where(Chase.period == period)
    if statuses:
        statement = statement.where(Chase.status.in_(statuses))  # type: ignore[attr-defined]
    return list(session.execute(statement.order_by(Chase.id)).scalars())


def pending_chases(*, session: Session, period: str | None) -> list[Chase]:
    statement = select(Chase).where(Chase.status == DocumentStatus.DRAFT)
    if period:
        statement = statement.where(Chase.period == period)
    return list(session.execute(statement.order_by(Chase.period, Chase.id)).scalars())


def chases_of(*, session: Session, action_id: str) -> list[Chase]:
    return list(session.execute(select(Chase).where(Chase.action_id == action_id)
                                .order_by(Chase.round)).scalars())


def period_chase_map(*, session: Session, case_period: str) -> dict[str, list[Chase]]:
    """The 催办 letters of a period's cases, by case (whatever cycle drafted them)."""
    rows = session.execute(select(Chase).join(Case, Case.id == Chase.action_id).where(
        Case.period == case_period).order_by(Chase.action_id, Chase.round)).scalars()
    found: dict[str, list[Chase]] = {}
    for chase in rows:
        found.setdefault(chase.action_id, []).append(chase)
    return found


def chase_numbers(*, session: Session) -> list[tuple[str, str]]:
    """(number, case id) of every issued 催办: a reply may quote the letter that chased it."""
    return [(n, a) for n, a in session.execute(select(Chase.doc_number, Chase.action_id).where(
        Chase.doc_number.is_not(None))).all()]  # type: ignore[union-attr]


def answered_since(*, session: Session, action_id: str, after: date) -> bool:
    """Whether any reply to the case was received after `after`."""
    return session.execute(select(Reply.id).where(
        Reply.action_id == action_id, Reply.received_on > after).limit(1)).first() is not None


def set_chase_draft(*, session: Session, chase: Chase, document: str, html_document: str) -> None:
    chase.document, chase.html_document, chase.updated_at = document, html_document, utcnow()
    session.add(chase)


def withdraw_chase(*, session: Session, chase: Chase, note: str) -> None:
    """The answer came before the 催办 went out: it is not sent (kept, with why)."""
    chase.status, chase.updated_at = DocumentStatus.WITHDRAWN, utcnow()
    session.add(chase)
    log_chase_event(session=session, chase=chase, event="chase_withdrawn", actor="dutyflow",
                    note=note)


def record_chase_decision(*, session: Session, chase_id: str, decision: str, reviewer: str,
                          note: str) -> Chase:
    """Approve or reject a 催办 draft; the decision is appended to its case's history."""
    status = DECISIONS[decision]
    reviewer, note = reviewer.strip(), note.strip()
    if not reviewer:
        raise ReviewError("a decision needs the reviewer's name (--reviewer)")
    if status == DocumentStatus.REJECTED and not note:
        raise ReviewError("a rejection needs a reason (--note)")
    chase = session.get(Chase, chase_id)
    if chase is None:
        raise ReviewError(f"no 催办 {chase_id!r}; list them with `dutyflow pending`")
    now = utcnow()
    others = tuple(s for s in REVIEWABLE if s != status)
    claimed = session.execute(update(Chase).where(
        Chase.id == chase_id, Chase.status.in_(others))  # type: ignore[attr-defined]
        .values(status=status, reviewer=reviewer, decided_at=now, note=note or None,
                updated_at=now)).rowcount
    session.refresh(chase)
    if not claimed:
        if chase.status == DocumentStatus.ISSUED:
            raise ReviewError(f"{chase_id} was issued as {chase.doc_number}; an issued letter "
                              "never changes")
        raise ReviewError(f"{chase_id} is {chase.status}; see `dutyflow audit`")
    log_chase_event(session=session, chase=chase, event=f"chase_{status}", actor=reviewer,
                    note=note)
    return chase


def claim_chase(*, session: Session, chase_id: str) -> Chase | None:
    """Move one approved 催办 to issued inside the caller's transaction, or None if taken."""
    claimed = session.execute(update(Chase).where(
        Chase.id == chase_id, Chase.status == DocumentStatus.APPROVED)
        .values(status=DocumentStatus.ISSUED, updated_at=utcnow())).rowcount
    if not claimed:
        return None
    chase = session.get(Chase, chase_id)
    if chase is not None:
        session.refresh(chase)
    return chase


def unanswered_chases(*, session: Session, issued_since: date, issued_until: date
                      ) -> list[dict[str, Any]]:
    """Issued 催办 letters (dated in the window), their case, and the first reply received
    after the date the case missed: what escalation is judged on."""
    rows = session.execute(select(
        Chase.id, Chase.action_id, Chase.org_code, Chase.doc_number, Chase.issued_on,
        Chase.overdue_since, Case.measure, Case.doc_number).join(
        Case, Case.id == Chase.action_id).where(
        Chase.status == DocumentStatus.ISSUED, Chase.issued_on >= issued_since,  # type: ignore[operator]
        Chase.issued_on <= issued_until)).all()  # type: ignore[operator]
    replies = session.execute(select(Reply.action_id, Reply.received_on).where(
        Reply.action_id.in_({r[1] for r in rows}))).all() if rows else []  # type: ignore[attr-defined]
    out = []
    for chase_id, case_id, org, number, issued_on, missed, measure, case_number in rows:
        after = [day for case, day in replies if case == case_id and day > missed]
        out.append({"chase_id": chase_id, "case_id": case_id, "org_code": org,
                    "chase_number": number, "chased_on": issued_on, "overdue_since": missed,
                    "case_action": measure, "doc_number": case_number or "",
                    "answered_on": min(after) if after else None})
    return out
