"""Data access for drafts, review decisions and issuing with gapless document numbers."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from dutyflow.errors import DutyflowError
from models.tables import Action, ActionEvent, DocumentCounter, IssuedDocument, utcnow

DECISIONS = {"approve": "approved", "reject": "rejected"}


class ReviewError(DutyflowError):
    exit_code = 2


def actions_needing_drafts(*, session: Session, period: str) -> list[Action]:
    """New or changed actions (their draft was cleared) that are still to be decided or issued."""
    return list(session.execute(
        select(Action).where(Action.period == period, Action.document.is_(None),  # type: ignore[union-attr]
                             Action.status.in_(("draft", "approved", "rejected")))  # type: ignore[attr-defined]
        .order_by(Action.id)).scalars())


def talk_slots(*, session: Session, period: str) -> dict[str, int]:
    """Each live talk of the period and its place in the booking order (by action id)."""
    ids = session.execute(select(Action.id).where(
        Action.period == period, Action.action == "talk",
        Action.status != "withdrawn").order_by(Action.id)).scalars()
    return {action_id: n for n, action_id in enumerate(ids)}


def set_drafts(*, session: Session, drafts: dict[str, tuple[str, str]]) -> None:
    """Record each action's draft .docx and .html paths."""
    if drafts:
        session.execute(update(Action), [
            {"id": action_id, "document": docx, "html_document": html}
            for action_id, (docx, html) in drafts.items()])


def record_decision(*, session: Session, action_id: str, decision: str, reviewer: str,
                    note: str) -> Action:
    """Approve or reject an action; the decision is appended to its history, never edited."""
    status = DECISIONS[decision]
    reviewer = reviewer.strip()
    if not reviewer:
        raise ReviewError("a decision needs the reviewer's name (--reviewer)")
    if status == "rejected" and not note.strip():
        raise ReviewError("a rejection needs a reason (--note)")
    # Claim the row with a conditional UPDATE: a concurrent re-run or issue cannot slip between.
    # Changing one's mind (approved <-> rejected) is a new decision; repeating one is refused.
    others = tuple(s for s in ("draft", "approved", "rejected") if s != status)
    claimed = session.execute(
        update(Action).where(Action.id == action_id, Action.status.in_(others))  # type: ignore[attr-defined]
        .values(status=status, updated_at=utcnow())).rowcount
    action = session.get(Action, action_id)
    if action is None:
        raise ReviewError(f"no action {action_id!r}; list them with `dutyflow pending`")
    if not claimed:
        session.refresh(action)
        if action.status == "issued":
            raise ReviewError(f"action {action_id} was issued as {action.doc_number}; "
                              "an issued notice never changes")
        if action.status == status:
            raise ReviewError(f"action {action_id} is already {status}; see `dutyflow audit`")
        raise ReviewError(f"action {action_id} is {action.status}; only drafts can be reviewed")
    session.add(ActionEvent(action_id=action_id, period=action.period, event=status,
                            actor=reviewer, note=note.strip()))
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


def approved_action_ids(*, session: Session, period: str) -> list[str]:
    return list(session.execute(
        select(Action.id).where(Action.period == period, Action.status == "approved")
        .order_by(Action.org_code, Action.id)).scalars())


def claim_for_issue(*, session: Session, action_id: str) -> Action | None:
    """Move one approved action to issued inside the caller's transaction, or None if taken."""
    claimed = session.execute(
        update(Action).where(Action.id == action_id, Action.status == "approved")
        .values(status="issued", issued_at=utcnow(), updated_at=utcnow())).rowcount
    if not claimed:
        return None
    action = session.get(Action, action_id)
    if action is not None:
        session.refresh(action)
    return action


def next_number(*, session: Session, prefix: str, year: int) -> int:
    """The issuer's next number for the year; the counter row stays locked until commit."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    session.execute(insert(DocumentCounter).values(prefix=prefix, year=year, last_number=0)
                    .on_conflict_do_nothing(index_elements=["prefix", "year"]))
    return int(session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.prefix == prefix, DocumentCounter.year == year)
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)).scalar_one())


def record_issued(*, session: Session, document: IssuedDocument, action: Action | None) -> None:
    session.add(document)
    if action is not None:
        action.doc_number, action.document_sha256 = document.doc_number, document.sha256
        action.document, action.html_document = document.path, document.html_path
        session.add(action)
        session.add(ActionEvent(action_id=action.id, period=action.period, event="issued",
                                actor=document.issued_by, note=document.doc_number))


def issued_paths(*, session: Session, period: str) -> set[str]:
    rows = session.execute(select(IssuedDocument.path, IssuedDocument.html_path)
                           .where(IssuedDocument.period == period)).all()
    return {p for row in rows for p in row}


def issued_for(*, session: Session, subject: str) -> IssuedDocument | None:
    return session.execute(select(IssuedDocument).where(IssuedDocument.subject == subject)
                           ).scalars().first()


def pending_actions(*, session: Session, period: str | None) -> list[Action]:
    statement = select(Action).where(Action.status == "draft").order_by(Action.period, Action.id)
    if period:
        statement = statement.where(Action.period == period)
    return list(session.execute(statement).scalars())


def quarter_actions(*, session: Session, quarter: str, statuses: tuple[str, ...]) -> list[Action]:
    """The actions of a quarter's three months with one of `statuses`."""
    from dutyflow.periods import Period

    q = Period.parse(quarter)
    months = [str(Period(q.year, "month", m)) for m in range(3 * q.index - 2, 3 * q.index + 1)]
    return list(session.execute(
        select(Action).where(Action.period.in_(months), Action.status.in_(statuses))  # type: ignore[attr-defined]
        .order_by(Action.period, Action.org_code, Action.id)).scalars())
