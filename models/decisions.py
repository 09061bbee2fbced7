"""Data access for drafts and review decisions; every decision is appended, never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import DECISIONS, REVIEWABLE, DocumentStatus, measure_name
from dutyflow.models.tables import (
    ActionEvent,
    Case,
    CircularEvent,
    CircularReview,
    as_utc,
    utcnow,
)


class ReviewError(DutyflowError):
    exit_code = 2


def actions_needing_drafts(*, session: Session, period: str, fields: tuple[str, ...]
                           ) -> list[Any]:
    """New or changed actions (their draft was cleared) that are still to be decided or
    issued: the named columns of each, as rows (not ORM objects: thousands are drafted)."""
    return list(session.execute(
        select(*(getattr(Case, f) for f in fields))
        .where(Case.period == period, Case.document.is_(None),  # type: ignore[union-attr]
               Case.status.in_(REVIEWABLE))  # type: ignore[attr-defined]
        .order_by(Case.id)))


def talk_slots(*, session: Session, period: str) -> dict[str, int]:
    """Each live talk of the period and its place in the booking order (by action id)."""
    ids = session.execute(select(Case.id).where(
        Case.period == period, Case.measure == "talk",
        Case.status != DocumentStatus.WITHDRAWN).order_by(Case.id)).scalars()
    return {action_id: n for n, action_id in enumerate(ids)}


def live_criticisms(*, session: Session, period: str) -> list[Case]:
    """The period's 通报批评 cases still to be issued (drafted or approved)."""
    return list(session.execute(select(Case).where(
        Case.period == period, Case.measure == "circulated_criticism",
        Case.status.in_((DocumentStatus.DRAFT, DocumentStatus.APPROVED)))  # type: ignore[attr-defined]
        .order_by(Case.org_code)).scalars())


def set_drafts(*, session: Session, drafts: dict[str, tuple[str, str]]) -> None:
    """Record each action's draft .docx and .html paths."""
    if drafts:
        session.execute(update(Case), [
            {"id": action_id, "document": docx, "html_document": html}
            for action_id, (docx, html) in drafts.items()])


def record_decision(*, session: Session, action_id: str, decision: str, reviewer: str,
                    note: str, decision_ref: str = "") -> Case:
    """Approve or reject a case; the decision is appended to its history, never edited.

    Approving a proposal (a measure only the committee may decide) needs the reference of the
    committee's decision, e.g. 工委会议纪要〔2026〕9号."""
    status = DECISIONS[decision]
    reviewer, note, decision_ref = reviewer.strip(), note.strip(), decision_ref.strip()
    if not reviewer:
        raise ReviewError("a decision needs the reviewer's name (--reviewer)")
    if status == DocumentStatus.REJECTED and not note:
        raise ReviewError("a rejection needs a reason (--note)")
    action = session.get(Case, action_id)
    if action is None:
        raise ReviewError(f"no case {action_id!r}; list them with `dutyflow pending`")
    if status == DocumentStatus.APPROVED and action.proposal and not decision_ref:
        raise ReviewError(f"case {action_id} proposes {measure_name(action.measure)}, which only "
                          "the committee may decide: approve it with the decision's reference, "
                          "e.g. --decision \"工委会议纪要〔2026〕9号\"")
    # Claim the row with a conditional UPDATE: a concurrent re-run or issue cannot slip between.
    # Changing one's mind (approved <-> rejected) is a new decision; repeating one is refused.
    now = utcnow()
    others = tuple(s for s in REVIEWABLE if s != status)
    claimed = session.execute(
        update(Case).where(Case.id == action_id, Case.status.in_(others))  # type: ignore[attr-defined]
        .values(status=status, updated_at=now, reviewer=reviewer, decided_at=now,
                note=note or None, decision_ref=decision_ref or None)).rowcount
    if not claimed:
        session.refresh(action)
        if action.status == DocumentStatus.ISSUED:
            raise ReviewError(f"action {action_id} was issued as {action.doc_number}; "
                              "an issued notice never changes")
        if action.status == status:
            raise ReviewError(f"action {action_id} is already {status}; see `dutyflow audit`")
        raise ReviewError(f"action {action_id} is {action.status}; only drafts can be reviewed")
    recorded = f"{note}（{decision_ref}）" if decision_ref and note else (decision_ref or note)
    session.add(ActionEvent(action_id=action_id, period=action.period, event=status,
                            actor=reviewer, note=recorded))
    session.flush()
    session.refresh(action)
    return action


def log_event(*, session: Session, action_id: str, event: str, actor: str, note: str) -> None:
    action = session.get(Case, action_id)
    if action is not None:
        session.add(ActionEvent(action_id=action_id, period=action.period, event=event,
                                actor=actor[:100], note=note))


@dataclass(frozen=True)
class AuditEntry:
    """One line of a period's audit log: a case's event or a circular's."""

    at: datetime
    event: str
    actor: str
    subject: str  # a case id, or circular-<quarter>
    note: str


def audit_log(*, session: Session, period: str) -> list[AuditEntry]:
    cases = [AuditEntry(e.at, e.event, e.actor, e.action_id, e.note) for e in session.execute(
        select(ActionEvent).where(ActionEvent.period == period).order_by(ActionEvent.id)).scalars()]
    circulars = [AuditEntry(e.at, e.event, e.actor, e.subject, e.note) for e in session.execute(
        select(CircularEvent).where(CircularEvent.period == period)
        .order_by(CircularEvent.id)).scalars()]
    return sorted(cases + circulars, key=lambda e: as_utc(e.at)) if circulars else cases


# ------------------------------------------------------------------ the quarter's circular


def get_circular(*, session: Session, subject: str) -> CircularReview | None:
    return session.get(CircularReview, subject)


def circular_events(*, session: Session, subject: str) -> list[CircularEvent]:
    return list(session.execute(select(CircularEvent).where(CircularEvent.subject == subject)
                                .order_by(CircularEvent.id)).scalars())


def log_circular_event(*, session: Session, circular: CircularReview, event: str, actor: str,
                       note: str = "") -> None:
    session.add(CircularEvent(subject=circular.subject, period=circular.period, event=event,
                              actor=actor[:100], note=note))


def store_circular_draft(*, session: Session, subject: str, period: str, content_hash: str,
                         document: str, html_document: str) -> CircularReview:
    """Open the circular's review, or send it back to draft when what it says has changed."""
    circular = session.get(CircularReview, subject)
    if circular is None:
        circular = CircularReview(subject=subject, period=period, content_hash=content_hash)
        session.add(circular)
        session.flush()
        log_circular_event(session=session, circular=circular, event="opened", actor="dutyflow")
    elif circular.status != DocumentStatus.ISSUED and circular.content_hash != content_hash:
        circular.status, circular.content_hash = DocumentStatus.DRAFT, content_hash
        circular.reviewer = circular.decided_at = circular.note = None
        log_circular_event(session=session, circular=circular, event="evidence_changed",
                           actor="dutyflow", note="the figures changed: to be reviewed again")
    if circular.status != DocumentStatus.ISSUED:
        circular.document, circular.html_document = document, html_document
    circular.updated_at = utcnow()
    session.flush()
    return circular


def record_circular_decision(*, session: Session, subject: str, decision: str, reviewer: str,
                             note: str) -> CircularReview:
    """Approve or reject the quarter's circular; the decision is appended to its history."""
    status = DECISIONS[decision]
    reviewer, note = reviewer.strip(), note.strip()
    if not reviewer:
        raise ReviewError("a decision needs the reviewer's name (--reviewer)")
    if status == DocumentStatus.REJECTED and not note:
        raise ReviewError("a rejection needs a reason (--note)")
    now = utcnow()
    others = tuple(s for s in REVIEWABLE if s != status)
    claimed = session.execute(
        update(CircularReview).where(CircularReview.subject == subject,
                                     CircularReview.status.in_(others))  # type: ignore[attr-defined]
        .values(status=status, reviewer=reviewer, decided_at=now, note=note or None,
                updated_at=now)).rowcount
    circular = session.get(CircularReview, subject)
    if circular is None:
        raise ReviewError(f"no circular {subject!r}: draft it first (quarter-circular)")
    session.refresh(circular)
    if not claimed:
        if circular.status == DocumentStatus.ISSUED:
            raise ReviewError(f"{subject} was issued as {circular.doc_number}; an issued "
                              "circular never changes")
        raise ReviewError(f"{subject} is already {circular.status}; see `dutyflow audit`")
    log_circular_event(session=session, circular=circular, event=status, actor=reviewer,
                       note=note)
    return circular


def pending_circulars(*, session: Session, period: str | None) -> list[CircularReview]:
    statement = select(CircularReview).where(CircularReview.status == DocumentStatus.DRAFT)
    if period:
        statement = statement.where(CircularReview.period == period)
    return list(session.execute(statement.order_by(CircularReview.period)).scalars())


def pending_actions(*, session: Session, period: str | None) -> list[Case]:
    statement = select(Case).where(Case.status == DocumentStatus.DRAFT).order_by(Case.period, Case.id)
    if period:
        statement = statement.where(Case.period == period)
    return list(session.execute(statement).scalars())
