"""An organization's answer (整改情况反馈) written as a form and kept as a draft until it is
submitted: measures taken, each of the case's findings as an item done or not with its
completion date, and evidence files. Submitting makes the same reply `dutyflow reply` makes
(services/followup.py), once: a second submit is refused until the office returns the answer."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core import refusals
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import FollowUp, status_words
from dutyflow.models.db import session_scope
from dutyflow.models.drafts import (
    claim_submission,
    draft_of,
    returns_of,
    save_draft,
)
from dutyflow.models.portal import case_in_scope
from dutyflow.models.tables import Case, Reply, ReplyDraft
from dutyflow.services.followup import record_reply_in
from dutyflow.services.portal import Scope, Upload, check_uploads, keep_uploads, today


class DraftRefused(DutyflowError):
    exit_code = 2


@dataclass(frozen=True)
class Item:
    """One finding of the case, as the form shows it and the reply keeps it."""

    finding_id: str
    text: str
    done: bool | None
    completed_on: date | None

    def stored(self) -> dict[str, Any]:
        return {"finding_id": self.finding_id, "text": self.text, "done": self.done,
                "completed_on": self.completed_on.isoformat() if self.completed_on else None}


@dataclass(frozen=True)
class Draft:
    case: Case
    measures: str
    items: list[Item]
    files: list[dict[str, Any]]  # name, path, sha256: kept already
    saved_at: Any  # datetime, or None: never saved
    submitted: bool  # in the answer's current round: waiting for the office


def findings_of(case: Case) -> list[tuple[str, str]]:
    """(finding id, text) of each finding the case's notice named."""
    return [(str(e.get("finding_id") or f"item-{n}"), str(e.get("text") or ""))
            for n, e in enumerate(case.evidence or [], start=1)]


def _stored_items(case: Case, stored: list[dict[str, Any]]) -> list[Item]:
    kept = {str(i.get("finding_id")): i for i in stored}
    items = []
    for finding_id, text in findings_of(case):
        found = kept.get(finding_id, {})
        on = found.get("completed_on")
        items.append(Item(finding_id, text, found.get("done"),
                          date.fromisoformat(on) if on else None))
    return items


def _done(value: object, n: int) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    words = str(value).strip().lower()
    if words in ("是", "true", "1", "yes"):
        return True
    if words in ("否", "false", "0", "no"):
        return False
    raise DraftRefused(refusals.ITEM_DONE_VALUE.format(n=n))


def _on(value: object, n: int) -> date | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        found = date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise DraftRefused(refusals.ITEM_DATE_BAD.format(n=n, value=str(value)[:20])) from exc
    if found > today():
        raise DraftRefused(refusals.ITEM_DATE_FUTURE.format(n=n, value=found))
    return found


def read_items(case: Case, given: object) -> list[Item]:
    """The items as sent (a list of {finding_id, done, completed_on}), checked against the
    case's findings; a bad one is refused naming its number. Findings not sent stay open."""
    if given is None:
        given = []
    if not isinstance(given, list) or not all(isinstance(i, dict) for i in given):
        raise DraftRefused(refusals.ITEMS_FORMAT)
    numbers = {fid: n for n, (fid, _) in enumerate(findings_of(case), start=1)}
    sent: dict[str, dict[str, Any]] = {}
    for item in given:
        fid = str(item.get("finding_id", ""))
        if fid not in numbers:
            raise DraftRefused(refusals.ITEM_UNKNOWN.format(item=fid[:40]))
        sent[fid] = item
    items = []
    for fid, text in findings_of(case):
        item, n = sent.get(fid, {}), numbers[fid]
        items.append(Item(fid, text, _done(item.get("done"), n), _on(item.get("completed_on"), n)))
    return items


def _round_submitted(draft: ReplyDraft | None, case: Case, returns: int) -> bool:
    """Submitted in this round: a reply waits for the office, or the draft went in since the
    last return."""
    return case.replied_on is not None or (
        draft is not None and draft.submitted_round is not None
        and draft.submitted_round >= returns)


def draft(scope: Scope, case_id: str) -> Draft | None:
    """The case's draft as saved (or an empty one listing the findings); None outside scope."""
    with session_scope() as session:
        case = case_in_scope(session=session, case_id=case_id, codes=scope.codes)
        if case is None:
            return None
        found = draft_of(session=session, case_id=case_id)
        submitted = _round_submitted(found, case, returns_of(session=session, case_id=case_id))
    if found is None:
        return Draft(case, "", _stored_items(case, []), [], None, submitted)
    return Draft(case, found.measures, _stored_items(case, found.items), list(found.files),
                 found.saved_at, submitted)


def _keep_uploads(case: Case, uploads: list[Upload]) -> list[dict[str, Any]]:
    """The draft's new files, checked as an answer's are and kept under their content hash
    (out/<period>/reply-drafts/<case>/): the submitted reply keeps its own copies."""
    folder = Path(settings.output_dir) / case.period / "reply-drafts" / case.id
    return keep_uploads(check_uploads(uploads), folder)


def save(scope: Scope, case_id: str, *, measures: str, items: object,
         uploads: list[Upload] | None = None, remove: list[str] | None = None) -> Draft | None:
    """Save the draft (audited): measures and items replace what was saved, new files join the
    kept ones, files named in `remove` (their sha256) leave. None outside the scope."""
    with session_scope() as session:
        case = case_in_scope(session=session, case_id=case_id, codes=scope.codes)
        if case is None:
            return None
        if case.follow_up != FollowUp.AWAITING_REPLY:
            raise DraftRefused(refusals.NOT_AWAITING.format(case_id=case_id,
                                                            status=status_words(case.status)))
        checked = read_items(case, items)
        found = draft_of(session=session, case_id=case_id)
        files = [f for f in (found.files if found else []) if f["sha256"] not in set(remove or [])]
    new = _keep_uploads(case, list(uploads or []))
    seen = {f["sha256"] for f in files}
    files += [f for f in new if f["sha256"] not in seen and not seen.add(f["sha256"])]  # type: ignore[func-returns-value]
    if len(files) > settings.portal_upload_files:
        raise DraftRefused(refusals.TOO_MANY_FILES.format(limit=settings.portal_upload_files))
    with session_scope() as session:
        save_draft(session=session, case=case, measures=measures.strip()[:20000],
                   items=[i.stored() for i in checked], files=files, actor=scope.account.name)
    return draft(scope, case_id)


def _complete(found: Draft) -> None:
    """What a submitted answer must have: measures, and each item done or not, with its date
    when done."""
    if not found.measures.strip():
        raise DraftRefused(refusals.MEASURES_NEEDED)
    for n, item in enumerate(found.items, start=1):
        if item.done is None:
            raise DraftRefused(refusals.ITEM_DONE_NEEDED.format(n=n))
        if item.done and item.completed_on is None:
            raise DraftRefused(refusals.ITEM_DATE_NEEDED.format(n=n))


def submit(scope: Scope, case_id: str) -> Reply | None:
    """Submit the saved draft as the case's reply, once per round; None outside the scope."""
    found = draft(scope, case_id)
    if found is None:
        return None
    if found.saved_at is None:
        raise DraftRefused(refusals.DRAFT_MISSING)
    _complete(found)
    with tempfile.TemporaryDirectory(prefix="dutyflow-draft-") as folder:
        paths = []  # under the names the branch gave them, for the reply's own copies
        for n, kept in enumerate(found.files, start=1):
            path = Path(folder) / str(n) / str(kept["name"])
            path.parent.mkdir()
            shutil.copyfile(kept["path"], path)
            paths.append(path)
        # the claim and the reply in one transaction: a crash or a refusal between them
        # leaves neither, so a submitted answer always has its reply
        with session_scope() as session:
            case = case_in_scope(session=session, case_id=case_id, codes=scope.codes)
            if case is None or draft_of(session=session, case_id=case_id) is None:
                return None
            if case.replied_on is not None or not claim_submission(
                    session=session, case_id=case_id,
                    round_=returns_of(session=session, case_id=case_id)):
                raise DraftRefused(refusals.DRAFT_SUBMITTED)
            return record_reply_in(
                session, case_id=case_id, received=today(), files=paths,
                measures=found.measures, completed=all(i.done for i in found.items),
                items=[i.stored() for i in found.items], source="portal",
                actor=scope.account.name, today=today())
