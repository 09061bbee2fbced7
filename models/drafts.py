"""Data access for an organization's answer drafts (整改情况反馈草稿): one per case, saved and
resumed, claimed once per round when submitted (a conditional UPDATE: of two submits at once
only one goes through)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from dutyflow.models.documents import log_event
from dutyflow.models.tables import Case, Event, ReplyDraft, utcnow


def draft_of(*, session: Session, case_id: str) -> ReplyDraft | None:
    return session.get(ReplyDraft, case_id)


def save_draft(*, session: Session, case: Case, measures: str, items: list[dict[str, Any]],
               files: list[dict[str, Any]], actor: str) -> ReplyDraft:
    """Keep what the organization wrote so far (audited); saving again replaces it."""
    draft = session.get(ReplyDraft, case.id) or ReplyDraft(case_id=case.id, saved_by=actor)
    draft.measures, draft.items, draft.files = measures, items, files
    draft.saved_by, draft.saved_at = actor[:100], utcnow()
    session.add(draft)
    log_event(session=session, subject=case.id, period=case.period, event="reply_draft_saved",
              actor=actor, note=f"{len(items)}项，佐证材料{len(files)}个")
    session.flush()
    return draft


def returns_of(*, session: Session, case_id: str) -> int:
    """How many times the office returned (退回) the case's answer: the answer's round."""
    return int(session.execute(select(func.count()).select_from(Event).where(
        Event.subject == case_id, Event.event == "returned")).scalar_one())


def claim_submission(*, session: Session, case_id: str, round_: int) -> bool:
    """Mark the draft submitted for this round, unless it already was (False then)."""
    done = session.execute(update(ReplyDraft).where(
        ReplyDraft.case_id == case_id,
        or_(ReplyDraft.submitted_round.is_(None),  # type: ignore[union-attr]
            ReplyDraft.submitted_round < round_))  # type: ignore[operator]
        .values(submitted_round=round_, submitted_at=utcnow()))
    return bool(done.rowcount)  # type: ignore[attr-defined]
