"""Data access for drafts and review decisions; every decision is appended, never edited."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session

from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import DECISIONS, REVIEWABLE, ActionStatus, action_name
from dutyflow.models.tables import Action, ActionEvent, utcnow


class ReviewError(DutyflowError):
    exit_code = 2


def actions_needing_drafts(*, session: Session, period: str) -> list[Action]:
    """New or changed actions (their draft was cleared) that are still to be decided or issued."""
    return list(session.execute(
        select(Action).where(Action.period == period, Action.document.is_(None),  # type: ignore[union-attr]
                             Action.status.in_(REVIEWABLE))  # type: ignore[attr-defined]
        .order_by(Action.id)).scalars())


def talk_slots(*, session: Session, period: str) -> dict[str, int]:
    """Each live talk of the period and its place in the booking order (by action id)."""
    ids = session.execute(select(Action.id).where(
        Action.period == period, Action.action == "talk",
        Action.status != ActionStatus.WITHDRAWN).order_by(Action.id)).scalars()
    return {action_id: n for n, action_id in enumerate(ids)}


def live_criticisms(*, session: Session, period: str) -> list[Action]:
    """The period's 通报批评 cases still to be issued (drafted or approved)."""
    return list(session.execute(select(Action).where(
        Action.period == period, Action.action == "circulated_criticism",
        Action.status.in_((ActionStatus.DRAFT, ActionStatus.APPROVED)))  # type: ignore[attr-defined]
        .order_by(Action.org_code)).scalars())


def set_drafts(*, session: Session, drafts: dict[str, tuple[str, str]]) -> None:
    """Record each action's draft .docx and .html paths."""
    if drafts:
        session.execute(update(Action), [
            {"id": action_id, "document": docx, "html_document": html}
            for action_id, (docx, html) in drafts.items()])


def record_decision(*, session: Session, action_id: str, decision: str, reviewer: str,
                    note: str, decision_ref: str = "") -> Action:
    """Approve or reject a case; the decision is appended to its history, never edited.

    Approving a proposal (a measure only the committee may decide) needs the reference of the
    committee's decision, e.g. 工委会议纪要〔2026〕9号."""
    status = DECISIONS[decision]
    reviewer, note, decision_ref = reviewer.strip(), note.strip(), decision_ref.strip()
    if not reviewer:
        raise ReviewError("a decision needs the reviewer's name (--reviewer)")
    if status == ActionStatus.REJECTED and not note:
        raise ReviewError("a rejection needs a reason (--note)")
    action = session.get(Action, action_id)
    if action is None:
        raise ReviewError(f"no case {action_id!r}; list them with `dutyflow pending`")
    if status == ActionStatus.APPROVED and action.proposal and not decision_ref:
        raise ReviewError(f"case {action_id} proposes {action_name(action.action)}, which only "
                          "the committee may decide: approve it with the decision's reference, "
                          "e.g. --decision \"工委会议纪要〔2026〕9号\"")
    # Claim the row with a conditional UPDATE: a concurrent re-run or issue cannot slip between.
    # Changing one's mind (approved <-> rejected) is a new decision; repeating one is refused.
    now = utcnow()
    others = tuple(s for s in REVIEWABLE if s != status)
    claimed = session.execute(
        update(Action).where(Action.id == action_id, Action.status.in_(others))  # type: ignore[attr-defined]
        .values(status=status, updated_at=now, reviewer=reviewer, decided_at=now,
                note=note or None, decision_ref=decision_ref or None)).rowcount
    if not claimed:
        session.refresh(action)
        if action.status == ActionStatus.ISSUED:
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
    action = session.get(Action, action_id)
    if action is not None:
        session.add(ActionEvent(action_id=action_id, period=action.period, event=event,
                                actor=actor[:100], note=note))


def audit_log(*, session: Session, period: str) -> list[ActionEvent]:
    return list(session.execute(select(ActionEvent).where(ActionEvent.period == period)
                                .order_by(ActionEvent.id)).scalars())


def pending_actions(*, session: Session, period: str | None) -> list[Action]:
    statement = select(Action).where(Action.status == ActionStatus.DRAFT).order_by(Action.period, Action.id)
    if period:
        statement = statement.where(Action.period == period)
    return list(session.execute(statement).scalars())
