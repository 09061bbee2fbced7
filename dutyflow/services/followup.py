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

from sqlalchemy import select

from dutyflow.core import refusals
from dutyflow.core.calendar import add_working_days, local_time, office_today
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    DEFAULT_REPLY_DAYS,
    DocumentStatus,
    FollowUp,
    event_words,
    status_words,
)
from dutyflow.models.accountability import list_cases, organization_names
from dutyflow.models.chases import period_chase_map
from dutyflow.models.db import session_scope
from dutyflow.models.documents import ReviewError, log_event
from dutyflow.models.followup import (
    add_reply,
    case_periods,
    case_status,
    claim_reply,
    last_settled,
    latest_reply,
    replies_of,
    settle_reply,
    tracked_rows,
)
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
                 source: str = "cli", actor: str = "dutyflow", today: date | None = None,
                 items: list[dict[str, Any]] | None = None) -> Reply:
    """Record an organization's reply to an issued measure, with its evidence files."""
    with session_scope() as session:
        return record_reply_in(
            session, case_id=case_id, received=received, files=files, note=note,
            measures=measures, completed=completed, source=source, actor=actor, today=today,
            items=items)


def record_reply_in(session: Any, *, case_id: str, received: date,
                    files: list[Path] | None = None, note: str = "", measures: str = "",
                    completed: bool | None = None, source: str = "cli",
                    actor: str = "dutyflow", today: date | None = None,
                    items: list[dict[str, Any]] | None = None) -> Reply:
    """`record_reply` in the caller's transaction (the portal claims its draft in the same one,
    so a submitted answer is never claimed without its reply)."""
    today = today or office_today()
    if received > today:
        raise ReplyError(refusals.REPLY_IN_FUTURE.format(received=received, today=today))
    case = _awaiting(session.get(Case, case_id), case_id)
    issued_on = case.issued_on
    if issued_on and received < issued_on:
        raise ReplyError(refusals.REPLY_BEFORE_ISSUE.format(
            case_id=case_id, issued_on=issued_on, received=received))
    kept = keep_files(list(files or []), Path(settings.output_dir) / case.period
                      / "replies" / case_id)
    return add_reply(session=session, case=case, actor=actor, reply=Reply(
        case_id=case_id, received_on=received, measures=measures.strip(),
        completed=completed, note=note.strip(), files=kept, source=source,
        items=list(items or [])))


def _changed_since_seen(session: Any, case_id: str) -> ReplyError:
    """A decision on a reply the reviewer saw, settled or replaced since: who did what, when."""
    settled = last_settled(session=session, case_id=case_id)
    who = refusals.REPLY_SETTLED_BY.format(
        reviewer=settled.actor, at=local_time(settled.at).strftime("%Y-%m-%d %H:%M"),
        what=event_words(settled.event)) if settled is not None else ""
    return ReplyError(refusals.REPLY_CHANGED_SINCE_SEEN.format(case_id=case_id, who=who))


def _settle(case_id: str, verb: str, reviewer: str, note: str,
            apply: Callable[[Any, Case], Case], seen_reply: int | None = None,
            needs_note: str = "") -> Case:
    """Check the reviewer and that a reply waits, apply, or log the refusal and raise.

    With `seen_reply` (the reply the reviewer read, as the desk sends it), a reply settled or
    replaced since is refused, not decided unseen; the reply is claimed with a conditional
    UPDATE, so of two decisions at once only one is recorded."""
    try:
        if needs_note and not note.strip():  # refused, and the refusal is in the case's record
            raise ReviewError(needs_note)
        with session_scope() as session:
            found = session.get(Case, case_id)
            if seen_reply is not None and found is not None and found.follow_up == FollowUp.CLOSED:
                raise _changed_since_seen(session, case_id)
            case = _awaiting(found, case_id)
            check_reviewer(name=reviewer, subject=case_id,
                           org=session.get(Organization, case.org_code))
            if case.replied_on is None:
                if seen_reply is not None:
                    raise _changed_since_seen(session, case_id)
                raise ReplyError(refusals.NO_REPLY_WAITING.format(case_id=case_id))
            latest = latest_reply(session=session, case_id=case_id)
            if seen_reply is not None and (latest is None or latest.id != seen_reply):
                raise _changed_since_seen(session, case_id)
            if not claim_reply(session=session, case_id=case_id, replied_on=case.replied_on):
                raise _changed_since_seen(session, case_id)
            return apply(session, case)
    except DutyflowError as exc:
        with session_scope() as session:
            found = session.get(Case, case_id)
            if found is not None:
                log_event(session=session, subject=case_id, period=found.period,
                          event=f"refused_{verb}", actor=reviewer, note=str(exc))
        raise


def accept_reply(*, case_id: str, reviewer: str, note: str = "",
                 seen_reply: int | None = None) -> Case:
    """销号: the reply shows the problem fixed; the case is closed."""
    return _settle(case_id, "accept", reviewer, note, lambda session, action: settle_reply(
        session=session, case=action, event="accepted", reviewer=reviewer.strip(),
        note=note.strip(), follow_up=FollowUp.CLOSED, reply_due=None), seen_reply)


def due_after_return(case: Case, today: date) -> date:
    """The date a returned reply must be sent again by: the measure's working days from today."""
    return add_working_days(today, case.reply_days or DEFAULT_REPLY_DAYS)


def return_reply(*, case_id: str, reviewer: str, note: str, today: date | None = None,
                 seen_reply: int | None = None) -> Case:
    """退回: the reply is not enough; the organization answers again by a new due date."""
    today = today or office_today()

    def again(session: Any, action: Case) -> Case:
        due = due_after_return(action, today)
        return settle_reply(session=session, case=action, event="returned",
                            reviewer=reviewer.strip(), note=f"{note.strip()}（重新反馈期限 {due}）",
                            follow_up=FollowUp.AWAITING_REPLY, reply_due=due)

    return _settle(case_id, "return", reviewer, note, again, seen_reply,
                   needs_note=refusals.RETURN_NEEDS_NOTE)


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


# ------------------------------------------------------------------ the desk's 反馈跟踪 view

def tracking_words() -> dict[str, str]:
    """Where an issued case's answer stands, as the desk's 反馈跟踪 groups it (in this order)."""
    return {"awaiting": "待反馈",
            "due_soon": f"{settings.desk_due_soon_working_days}个工作日内到期",
            "overdue": "已逾期", "chased": "已催办", "answered": "已反馈待审核",
            "closed": "已销号"}


@dataclass(frozen=True)
class TrackedCase:
    """An issued case in the 反馈跟踪 view: where its answer stands today, and its 催办."""

    case: Any  # the columns of models.followup.tracked_rows
    org_name: str
    tracking: str  # a key of tracking_words()
    unit: str
    chase_numbers: list[str]  # the 催办's numbers (a draft's status words)


@dataclass(frozen=True)
class UnitCounts:
    unit: str
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def tracking_of(case: Any, chases: list[Document], today: date) -> str:
    """awaiting, due_soon, overdue, chased, answered or closed: the answer's state today."""
    status = case_status(case, today)
    if status == FollowUp.CLOSED:
        return "closed"
    if case.replied_on is not None:
        return "answered"
    if status == FollowUp.OVERDUE:
        sent = any(c.status == DocumentStatus.ISSUED for c in chases)
        return "chased" if sent else "overdue"
    soon = add_working_days(today, settings.desk_due_soon_working_days)
    if case.reply_due is not None and case.reply_due <= soon:
        return "due_soon"
    return "awaiting"


def follow_up_view(*, period: str, unit: str = "", today: date) -> tuple[list[TrackedCase],
                                                                           list[UnitCounts]]:
    """The period's issued cases that asked for an answer (those of one unit's subtree if
    `unit`), each with where its answer stands today, and the counts per unit."""
    from dutyflow.services.board import unit_codes  # pandas: loaded for the view only

    with session_scope() as session:
        units = unit_codes(session=session)
        issued = tracked_rows(session=session, period=period)
        names = organization_names(session=session)
        chased = period_chase_map(session=session, case_period=period)
    words = tracking_words()
    rows: list[TrackedCase] = []
    lines: dict[str, UnitCounts] = {}
    for case in issued:
        owner = str(units.get(case.org_code, case.org_code))
        chases = chased.get(case.id, [])
        tracked = TrackedCase(case, names.get(case.org_code, case.org_code),
                              tracking_of(case, chases, today), owner, [
                                  c.document_number or f"（{status_words(c.status)}）"
                                  for c in chases if c.status != DocumentStatus.WITHDRAWN])
        line = lines.setdefault(owner, UnitCounts(owner, names.get(owner, owner),
                                                  dict.fromkeys(words, 0)))
        line.counts[tracked.tracking] += 1
        if not unit or owner == unit:
            rows.append(tracked)
    return rows, sorted(lines.values(), key=lambda line: line.unit)


@dataclass(frozen=True)
class EvidenceFile:
    index: int
    name: str


@dataclass(frozen=True)
class ReplyView:
    """A reply as the case page shows it: what was done, and its evidence files by index."""

    reply: Reply
    files: list[EvidenceFile]
    waiting: bool  # the reply the office has still to accept or return


def case_replies(case_id: str) -> tuple[list[ReplyView], date | None]:
    """A case's replies, newest first, and the date a return now would set."""
    with session_scope() as session:
        case = session.get(Case, case_id)
        if case is None:
            return [], None
        replies = replies_of(session=session, case_id=case_id)
        due = due_after_return(case, office_today()) if case.replied_on is not None else None
        waiting_id = replies[-1].id if replies and case.replied_on is not None else None
    return [ReplyView(r, [EvidenceFile(i, str(f.get("name") or f"佐证材料{i + 1}"))
                          for i, f in enumerate(r.files)], r.id == waiting_id)
            for r in reversed(replies)], due


def evidence_file(*, case_id: str, reply_id: int, index: int) -> tuple[Path, str] | None:
    """An evidence file recorded for this reply of this case, by its index: its path and the
    name it came under. Nothing else (another case's file, a path of the caller's choosing, a
    file moved out of the output folder) is ever found."""
    with session_scope() as session:
        reply = session.get(Reply, reply_id)
        if reply is None or reply.case_id != case_id or not 0 <= index < len(reply.files):
            return None
        recorded = reply.files[index]
    path = Path(str(recorded.get("path", ""))).resolve()
    root = Path(settings.output_dir).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path, str(recorded.get("name") or path.name)


def view_periods() -> list[str]:
    """The periods with cases, newest first, for the view's filter."""
    with session_scope() as session:
        return case_periods(session=session)


def follow_up_statuses(case_ids: list[str], today: date) -> dict[str, str]:
    """Where each issued case of these stands after issue (反馈已逾期, 已销号, ...), as
    `dutyflow cases` says it; cases not issued are left out."""
    if not case_ids:
        return {}
    with session_scope() as session:
        found = session.execute(select(Case).where(
            Case.id.in_(case_ids), Case.follow_up.is_not(None))).scalars().unique()  # type: ignore[attr-defined,union-attr]
        return {c.id: case_status(c, today) for c in found}
