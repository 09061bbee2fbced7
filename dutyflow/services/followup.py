"""Closing the loop (闭环): an issued measure's reply is recorded, then accepted (销号) or
returned (退回, with a new due date), by the same reviewer rules and audit log as decisions."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core import refusals
from dutyflow.core.calendar import add_working_days
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import DEFAULT_REPLY_DAYS, DocumentStatus, FollowUp, status_words
from dutyflow.models.accountability import list_cases, organization_names
from dutyflow.models.chases import period_chase_map
from dutyflow.models.db import session_scope
from dutyflow.models.documents import ReviewError, log_event
from dutyflow.models.followup import add_reply, case_status, settle_reply
from dutyflow.models.tables import Case, Document, Organization, Reply
from dutyflow.services.review import check_reviewer


class ReplyError(DutyflowError):
    exit_code = 2


def _awaiting(action: Case | None, case_id: str) -> Case:
    if action is None:
        raise ReplyError(refusals.NO_CASE.format(case_id=case_id))
    if action.status != DocumentStatus.ISSUED or not action.follow_up:
        raise ReplyError(refusals.NOT_AWAITING.format(case_id=case_id,
                                                      status=status_words(action.status)))
    if action.follow_up == FollowUp.CLOSED:
        raise ReplyError(refusals.ALREADY_CLOSED.format(case_id=case_id))
    return action


def keep_files(paths: list[Path], folder: Path) -> list[dict[str, Any]]:
    """Copy the evidence files in under their content's hash: the same file twice is kept
    once, and nothing already kept is ever overwritten."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise ReplyError(refusals.NO_SUCH_FILES.format(files="、".join(missing)))
    kept = []
    for path in map(Path, paths):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        target = folder / f"{digest[:16]}-{path.name}"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(path, tmp)
            tmp.replace(target)
        kept.append({"name": path.name, "path": str(target), "sha256": digest})
    return kept


def record_reply(*, case_id: str, received: date, files: list[Path] | None = None,
                 note: str = "", measures: str = "", completed: bool | None = None,
                 source: str = "cli", actor: str = "dutyflow", today: date | None = None) -> Reply:
    """Record an organization's reply to an issued measure, with its evidence files."""
    today = today or date.today()
    if received > today:
        raise ReplyError(refusals.REPLY_IN_FUTURE.format(received=received, today=today))
    with session_scope() as session:
        case = _awaiting(session.get(Case, case_id), case_id)
        issued_on = case.issued_on
        if issued_on and received < issued_on:
            raise ReplyError(refusals.REPLY_BEFORE_ISSUE.format(
                case_id=case_id, issued_on=issued_on, received=received))
        kept = keep_files(list(files or []), Path(settings.output_dir) / case.period
                          / "replies" / case_id)
        return add_reply(session=session, case=case, actor=actor, reply=Reply(
            case_id=case_id, received_on=received, measures=measures.strip(),
            completed=completed, note=note.strip(), files=kept, source=source))


def _settle(case_id: str, verb: str, reviewer: str, note: str,
            apply: Callable[[Any, Case], Case]) -> Case:
    """Check the reviewer and that a reply waits, apply, or log the refusal and raise."""
    try:
        with session_scope() as session:
            case = _awaiting(session.get(Case, case_id), case_id)
            check_reviewer(name=reviewer, subject=case_id,
                           org=session.get(Organization, case.org_code))
            if case.replied_on is None:
                raise ReplyError(refusals.NO_REPLY_WAITING.format(case_id=case_id))
            return apply(session, case)
    except DutyflowError as exc:
        with session_scope() as session:
            found = session.get(Case, case_id)
            if found is not None:
                log_event(session=session, subject=case_id, period=found.period,
                          event=f"refused_{verb}", actor=reviewer, note=str(exc))
        raise


def accept_reply(*, case_id: str, reviewer: str, note: str = "") -> Case:
    """销号: the reply shows the problem fixed; the case is closed."""
    return _settle(case_id, "accept", reviewer, note, lambda session, action: settle_reply(
        session=session, case=action, event="accepted", reviewer=reviewer.strip(),
        note=note.strip(), follow_up=FollowUp.CLOSED, reply_due=None))


def return_reply(*, case_id: str, reviewer: str, note: str, today: date | None = None) -> Case:
    """退回: the reply is not enough; the organization answers again by a new due date."""
    if not note.strip():
        raise ReviewError(refusals.RETURN_NEEDS_NOTE)
    today = today or date.today()

    def again(session: Any, action: Case) -> Case:
        due = add_working_days(today, action.reply_days or DEFAULT_REPLY_DAYS)
        return settle_reply(session=session, case=action, event="returned",
                            reviewer=reviewer.strip(), note=f"{note.strip()}（重新反馈期限 {due}）",
                            follow_up=FollowUp.AWAITING_REPLY, reply_due=due)

    return _settle(case_id, "return", reviewer, note, again)


@dataclass(frozen=True)
class CaseState:
    """A case as `dutyflow cases` and the cycle's artifact show it: its status and its 催办."""

    case: Case
    status: str
    chases: list[Document]
    names: dict[str, str]

    def chases_json(self) -> list[dict[str, Any]]:
        return [{"id": c.id, "status": c.status, "document_number": c.document_number,
                 "overdue_since": c.overdue_since, "issued_on": c.issued_on,
                 "reply_due": c.reply_due} for c in self.chases]


def period_cases(*, period: str, today: date) -> list[CaseState]:
    """The period's cases (withdrawn ones left out), each with where it stands today."""
    with session_scope() as session:
        rows = list_cases(session=session, period=period, include_withdrawn=False)
        names = organization_names(session=session)
        chased = period_chase_map(session=session, case_period=period)
    return [CaseState(r, case_status(r, today), chased.get(r.id, []), names) for r in rows]
