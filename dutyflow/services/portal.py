"""The branches' half (issue 28): what an organization's account sees and does, for the portal's
pages and the JSON API alike. Every function takes the account's scope (the organizations it
sees) and answers None, never another organization's data, for anything outside it."""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd

from dutyflow.core import refusals
from dutyflow.core.calendar import office_today
from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import EVENT_WORDS, RANKING_GROUPS, Listing, meeting_type_names
from dutyflow.models.accountability import read_meeting_frames
from dutyflow.models.db import session_scope
from dutyflow.models.followup import case_status
from dutyflow.models.portal import (
    InboxRow,
    addressed_document,
    answer_record,
    answers_due,
    case_in_scope,
    inbox,
    organization_rows,
    return_reasons,
    sign_for,
    subtree_codes,
)
from dutyflow.models.rankings import latest_judged_month, latest_published_places
from dutyflow.models.tables import Case, Reply, as_utc
from dutyflow.rules.facts import HISTORY_COLUMNS, PeriodData, meeting_facts, meetings_since
from dutyflow.rules.policy import Policy
from dutyflow.rules.scoring import score_text
from dutyflow.services.casefile import notice_path
from dutyflow.services.evaluate import current_policy, read_policy
from dutyflow.services.followup import keep_files, record_reply_in
from dutyflow.services.reviewers import UNIT, Reviewer
from dutyflow.services.scores import Explained, MonthScores, explained, month_scores
from dutyflow.services.warning import _held_and_required


class UploadRefused(DutyflowError):
    exit_code = 2


@dataclass(frozen=True)
class Scope:
    """Who is asking and the organizations they see: their own, and for a unit account its
    whole subtree."""

    account: Reviewer
    own: str
    codes: frozenset[str]


def scope_of(account: Reviewer) -> Scope:
    own = account.org_code or ""
    if account.kind == UNIT and own:
        with session_scope() as session:
            codes = frozenset(subtree_codes(session=session, org_code=own))
    else:
        codes = frozenset({own}) if own else frozenset()
    return Scope(account, own, codes)


today = office_today  # the portal's day is the office's


# ------------------------------------------------------------------------------ documents


def documents(scope: Scope) -> list[InboxRow]:
    with session_scope() as session:
        return inbox(session=session, codes=scope.codes, own=scope.own)


def document_row(scope: Scope, document_id: str) -> InboxRow | None:
    return next((row for row in documents(scope) if row.id == document_id), None)


def document_pdf(scope: Scope, document_id: str) -> Path | None:
    """The issued document's PDF, when it is addressed to this scope and was printed."""
    with session_scope() as session:
        found = addressed_document(session=session, document_id=document_id, codes=scope.codes)
        return notice_path(found.path, found.html_path, ".pdf") if found else None


def document_html(scope: Scope, document_id: str) -> Path | None:
    with session_scope() as session:
        found = addressed_document(session=session, document_id=document_id, codes=scope.codes)
        return notice_path(found.path, found.html_path, ".html") if found else None


def receive(scope: Scope, document_id: str) -> datetime | None:
    """签收 by this account (audited); when it was first signed for; None outside the scope."""
    with session_scope() as session:
        found = addressed_document(session=session, document_id=document_id, codes=scope.codes)
        if found is None:
            return None
        receipt = sign_for(session=session, document=found,
                           org_code=found.org_code or scope.own, actor=scope.account.name)
        return as_utc(receipt.signed_at)


# ------------------------------------------------------------------------------ answers


@dataclass(frozen=True)
class Upload:
    name: str  # as the sender called it: shown, never used as a path
    content: bytes


# what a file's first bytes say it is (the name's extension is not trusted)
_SIGNATURES = ((b"%PDF-", ".pdf"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".doc"))


def evidence_type(content: bytes) -> str | None:
    """The file's type read from its content: PDF, PNG, JPEG, Word (.doc, .docx), or None."""
    for magic, suffix in _SIGNATURES:
        if content.startswith(magic):
            return suffix
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return ".docx"
    return None


def safe_stem(name: str) -> str:
    """The sender's file name as a label: no folders, nothing but letters, digits, - and _."""
    stem = Path(name.replace("\\", "/").rsplit("/", 1)[-1]).stem
    return re.sub(r"[^\w\-]+", "_", stem).strip("._")[:60] or "file"


def check_uploads(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Each upload with its type, or UploadRefused naming the first file that breaks a limit."""
    if len(uploads) > settings.portal_upload_files:
        raise UploadRefused(refusals.TOO_MANY_FILES.format(limit=settings.portal_upload_files))
    checked = []
    for upload in uploads:
        if len(upload.content) > settings.portal_upload_mb * 1024 * 1024:
            raise UploadRefused(refusals.FILE_TOO_LARGE.format(
                name=upload.name, limit=settings.portal_upload_mb))
        suffix = evidence_type(upload.content)
        if suffix is None:
            raise UploadRefused(refusals.FILE_TYPE.format(name=upload.name))
        checked.append((upload, suffix))
    return checked


@contextmanager
def staged(checked: list[tuple[Upload, str]]) -> Iterator[list[Path]]:
    """Checked uploads written to a private folder of their own, each named by its checked
    type (the sender's name only a label, never a path), removed afterwards: two requests
    with files of one name never meet."""
    with tempfile.TemporaryDirectory(prefix="dutyflow-upload-") as folder:
        paths = []
        for number, (upload, suffix) in enumerate(checked, start=1):
            path = Path(folder) / str(number) / f"{safe_stem(upload.name)}{suffix}"
            path.parent.mkdir()
            path.write_bytes(upload.content)
            paths.append(path)
        yield paths


def keep_uploads(checked: list[tuple[Upload, str]], folder: Path) -> list[dict[str, Any]]:
    """Checked uploads kept under `folder` by their content hash (as an answer's evidence)."""
    with staged(checked) as paths:
        return keep_files(paths, folder)


class AnswerWaiting(DutyflowError):
    """An answer already waits for the office's decision: one per round, as a draft's."""

    exit_code = 2


def answer(scope: Scope, case_id: str, *, measures: str, completed: bool | None,
           uploads: list[Upload]) -> Reply | None:
    """The organization's answer (整改情况反馈), recorded as `dutyflow reply` records one, its
    files kept under their content hash, once per round (again only after the office returned
    it); None for a case outside the scope."""
    with session_scope() as session:
        if case_in_scope(session=session, case_id=case_id, codes=scope.codes) is None:
            return None
    # the check and the reply in one transaction
    with staged(check_uploads(uploads)) as paths, session_scope() as session:
        case = case_in_scope(session=session, case_id=case_id, codes=scope.codes)
        if case is None:
            return None
        if case.replied_on is not None:
            raise AnswerWaiting(refusals.DRAFT_SUBMITTED)
        # the office's day on both sides: after 16:00 UTC the machine's date is yesterday
        return record_reply_in(
            session, case_id=case_id, received=today(), files=paths, measures=measures,
            completed=completed, source="portal", actor=scope.account.name, today=today())


@dataclass(frozen=True)
class AnswerDue:
    case: Case
    status: str  # awaiting_reply, overdue (case_status)
    org_name: str
    returned: str | None = None  # the office's reason, when it returned the last answer


def answers(scope: Scope) -> list[AnswerDue]:
    on = today()
    with session_scope() as session:
        cases = answers_due(session=session, codes=scope.codes)
        names = {o.org_code: o.org_name
                 for o in organization_rows(session=session, codes=scope.codes)}
        reasons = return_reasons(session=session, case_ids=[c.id for c in cases])
        return [AnswerDue(c, case_status(c, on), names.get(c.org_code, c.org_code),
                          reasons.get(c.id)) for c in cases]


def return_reason(scope: Scope, case_id: str) -> str | None:
    with session_scope() as session:
        return return_reasons(session=session, case_ids=[case_id]).get(case_id)


def organizations(scope: Scope) -> list[tuple[str, str]]:
    """The organizations the account sees: (code, name), its own first."""
    with session_scope() as session:
        rows = [(o.org_code, o.org_name)
                for o in organization_rows(session=session, codes=scope.codes)]
    return sorted(rows, key=lambda row: (row[0] != scope.own, row[0]))


@dataclass(frozen=True)
class AnswerStep:
    at: datetime
    what: str  # 收到整改反馈, 反馈退回, 反馈通过，销号
    who: str
    note: str


def answer_steps(scope: Scope, case_id: str) -> list[AnswerStep]:
    """The case's answers and the office's decisions on them, for its organization to read
    (nothing of a case outside the scope)."""
    with session_scope() as session:
        if case_in_scope(session=session, case_id=case_id, codes=scope.codes) is None:
            return []
        return [AnswerStep(e.at, EVENT_WORDS.get(e.event, e.event), e.actor, e.note)
                for e in answer_record(session=session, case_id=case_id)]


def follow_status(case: Case | None) -> str | None:
    """Where an issued case's answer stands today (awaiting_reply, overdue, closed)."""
    return None if case is None or not case.follow_up else case_status(case, today())


def case_of(scope: Scope, case_id: str) -> Case | None:
    with session_scope() as session:
        return case_in_scope(session=session, case_id=case_id, codes=scope.codes)


# ------------------------------------------------------------------------------ what is due


@dataclass(frozen=True)
class Duty:
    org_code: str
    org_name: str
    duty: str  # the meeting's name (主题党日)
    span: str  # the duty's own period (2026-10, 2026-Q4)
    required: int
    held: int

    @property
    def met(self) -> bool:
        return self.held >= self.required


def duties(scope: Scope, period: str, *, policy: Policy | None = None) -> list[Duty]:
    """The meeting duties due for the period, each with what has been held so far: the
    mid-month warning's comparison (`services.warning`), for met and unmet duties alike, read
    from what is stored."""
    p = Period.parse(period)
    policy = policy or read_policy(None)
    with session_scope() as session:  # the account's organizations only, never the province's
        frames = read_meeting_frames(session=session, period=p, codes=scope.codes,
                                     meetings_since=meetings_since(policy, p))
    orgs = frames["organizations"]
    if orgs.empty:
        return []
    facts = meeting_facts(policy, PeriodData(period=p, organizations=orgs,
                                             meetings=frames["meetings"],
                                             rectifications=pd.DataFrame(),
                                             assessments=pd.DataFrame(),
                                             history=pd.DataFrame(columns=HISTORY_COLUMNS)))
    if facts.empty:
        return []
    names = dict(zip(orgs["org_code"], orgs["org_name"], strict=True))
    kinds = meeting_type_names(policy.all_meeting_types)
    by_id = {d.id: d for d in policy.meetings.duties}
    found = []
    for fact in facts.to_dict("records"):
        held, required = _held_and_required(fact, by_id)
        found.append(Duty(fact["org_code"], names.get(fact["org_code"], fact["org_code"]),
                          _name(fact.get("meeting_name"))
                          or kinds.get(fact["meeting_type"], ""),
                          str(fact["span"]), required, held))
    return sorted(found, key=lambda d: (d.org_code, d.span, d.duty))


def _name(value: object) -> str:
    return value if isinstance(value, str) else ""  # a missing cell is NaN in the records


# ------------------------------------------------------------------------------ the home page


@dataclass(frozen=True)
class Standing:
    """A place in the last ranking communiqué the office issued (never a draft's)."""

    quarter: str  # 2026年第三季度
    group: str  # 直属党组织 / 基层党支部
    rank: int
    of: int  # how many its group ranked
    score: str
    listing: str  # 红榜 / 黄榜 / 黑榜 / 整改到位，撤榜, or ""
    document_number: str


@dataclass(frozen=True)
class Side:
    """One organization of a unit's subtree, as the unit's home page sets them side by side."""

    org_code: str
    org_name: str
    duties_met: int
    duties: int
    answers_due: int
    unsigned: int
    score: str | None  # the latest month's, None when it was not scored

    @property
    def all_met(self) -> bool:
        return self.duties_met == self.duties


@dataclass(frozen=True)
class Home:
    period: str
    duties: list[Duty]
    answers: list[AnswerDue]
    unsigned: list[InboxRow]
    score: Explained | None  # the own organization's latest month, line by line
    standing: Standing | None
    sides: list[Side]  # a unit account: each organization under it; a branch: none


def latest_scores(scope: Scope, *, policy: Policy) -> MonthScores | None:
    """The scope's scores of the last month the rules judged (None before any was)."""
    with session_scope() as session:
        month = latest_judged_month(session=session)
    return None if month is None else month_scores(period=month, policy=policy,
                                                   codes=scope.codes)


def standing(scope: Scope) -> Standing | None:
    with session_scope() as session:
        found = latest_published_places(session=session, codes=[scope.own])
    if found is None or scope.own not in found[1]:
        return None
    quarter, places = found
    entry, size = places[scope.own]
    return Standing(Period.parse(quarter).label, RANKING_GROUPS.get(entry.group, entry.group),
                    entry.rank, size, score_text(entry.score),
                    Listing(entry.listing).words if entry.listing else "",
                    entry.document_number)




def home(scope: Scope, *, policy: Policy | None = None) -> Home:
    """What the organization's home page shows: this month's duties and which are met, the
    answers due, the documents not yet signed for, the latest month's score with its lines,
    its place in the last issued ranking, and for a unit its organizations side by side."""
    policy = policy or current_policy()
    period = today().strftime("%Y-%m")
    due = duties(scope, period, policy=policy)
    waiting = answers(scope)
    unsigned = [d for d in documents(scope) if d.signed_for_at is None]
    month = latest_scores(scope, policy=policy)
    sides = []
    if scope.account.kind == UNIT:
        for code, name in organizations(scope):
            if code == scope.own:
                continue
            mine = [d for d in due if d.org_code == code]
            score = month.scores.get(code) if month else None
            sides.append(Side(code, name, sum(d.met for d in mine), len(mine),
                              sum(a.case.org_code == code for a in waiting),
                              sum(d.org_code == code for d in unsigned),
                              score_text(score.score) if score else None))
    return Home(period, due, waiting, unsigned,
                explained(month, scope.own) if month else None, standing(scope), sides)
