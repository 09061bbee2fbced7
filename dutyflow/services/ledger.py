"""The e-ledger kept as things happen: an organization records a meeting in the portal or
through the API (三会一课台账), checked as a workbook's row is (types as the meetings table
accepts them, a real date not in the future, counts within the organization's members) and
refused in Chinese naming the field; and keeps its rectification items (整改台账): adds one,
brings its status, completion date and evidence up to date, each checked by the ingest's own
rules for a rectifications row. The cycle judges both beside the workbooks' rows (one source
per organization and period: models.ledger.meetings_of_record, rectifications_of_record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core import refusals
from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS, RECTIFICATIONS, Kind
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    ITEM_STATUS_NAMES,
    LEDGER_FILE_KINDS,
    meeting_type_choices,
    meeting_type_names,
)
from dutyflow.models.db import session_scope
from dutyflow.models.ledger import (
    add_files,
    add_meeting,
    add_rectification,
    file_in_scope,
    files_of,
    item_id_taken,
    meeting_in_scope,
    meetings_between,
    rectification_in_scope,
    rectifications_of,
    update_rectification,
    workbook_rectifications,
)
from dutyflow.models.tables import LedgerMeeting, LedgerRectification, Organization, utcnow
from dutyflow.reports.normalise import Bad, parse_cell, rectification_problems
from dutyflow.reports.text import vocabulary_key
from dutyflow.rules.policy import Policy
from dutyflow.services.evaluate import read_policy
from dutyflow.services.portal import (
    Scope,
    Upload,
    UploadRefused,
    check_uploads,
    keep_uploads,
    today,
)

# the fields' names as a secretary reads them: the meetings table's headers where it has them
FIELDS = {"org_code": MEETINGS.column("org_code").chinese[0],
          "meeting_types": MEETINGS.column("meeting_type").chinese[0],
          "held_on": MEETINGS.column("held_on").chinese[0],
          "attendees": MEETINGS.column("attendees").chinese[0],
          "full_members_present": "到会正式党员数", "topic": "会议主题"}
TOPIC_LIMIT = 500


class LedgerRefused(DutyflowError):
    """A bad entry: which field, and why (in Chinese)."""

    exit_code = 2

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class OutsideScope(DutyflowError):
    """An organization the account does not see: answered as if it did not exist."""


def _refuse(name: str, template: str, **values: Any) -> LedgerRefused:
    return LedgerRefused(name, template.format(field=FIELDS[name], **values))


def _types(raw: Any, policy: Policy) -> list[str]:
    if raw is None or raw == [] or raw == "":
        raise _refuse("meeting_types", refusals.LEDGER_NEEDED)
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise _refuse("meeting_types", refusals.LEDGER_NOT_A_LIST)
    choices = {vocabulary_key(s): k for s, k in
               meeting_type_choices(policy.all_meeting_types).items()}
    keys = []
    for text in raw:
        key = choices.get(vocabulary_key(text))
        if key is None:
            names = "、".join(meeting_type_names(policy.all_meeting_types).values())
            raise _refuse("meeting_types", refusals.LEDGER_TYPE, value=text[:40], choices=names)
        if key not in keys:
            keys.append(key)
    return keys


def _date(raw: Any) -> date:
    if raw is None or raw == "":
        raise _refuse("held_on", refusals.LEDGER_NEEDED)
    try:
        held = date.fromisoformat(str(raw).strip())
    except ValueError:
        raise _refuse("held_on", refusals.LEDGER_DATE, value=str(raw)[:40]) from None
    if held > today():
        raise _refuse("held_on", refusals.LEDGER_FUTURE, value=held, today=today())
    return held


def _count(name: str, raw: Any, *, required: bool) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise _refuse(name, refusals.LEDGER_NEEDED)
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise _refuse(name, refusals.LEDGER_COUNT)
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise _refuse(name, refusals.LEDGER_COUNT) from None
    if value < 0:
        raise _refuse(name, refusals.LEDGER_COUNT)
    return value


def record_meeting(scope: Scope, entry: dict[str, Any], *,
                   policy: Policy | None = None) -> LedgerMeeting:
    """Check the entry and record it (audited with the account), or refuse it naming the
    field; OutsideScope for an organization the account does not see."""
    org_code = str(entry.get("org_code") or "").strip()
    if not org_code:
        if len(scope.codes) != 1:
            raise _refuse("org_code", refusals.LEDGER_NEEDED)
        org_code = scope.own  # a branch's own entry needs no code
    if org_code not in scope.codes:
        raise OutsideScope(org_code)
    policy = policy or read_policy(None)
    types = _types(entry.get("meeting_types"), policy)
    held = _date(entry.get("held_on"))
    attendees = _count("attendees", entry.get("attendees"), required=True)
    present = _count("full_members_present", entry.get("full_members_present"), required=False)
    topic = entry.get("topic") or ""
    if not isinstance(topic, str) or len(topic) > TOPIC_LIMIT:
        raise _refuse("topic", refusals.LEDGER_TOO_LONG, limit=TOPIC_LIMIT)
    with session_scope() as session:
        org = session.get(Organization, org_code)
        if org is None:
            raise OutsideScope(org_code)
        if attendees is not None and attendees > org.members:
            raise _refuse("attendees", refusals.LEDGER_TOO_MANY, value=attendees,
                          what="党员人数", limit=org.members)
        voting = org.full_members if org.full_members is not None else org.members
        if present is not None and present > min(voting, attendees or 0):
            what, limit = (("正式党员数", voting) if present > voting
                           else ("本次实到人数", attendees or 0))
            raise _refuse("full_members_present", refusals.LEDGER_TOO_MANY, value=present,
                          what=what, limit=limit)
        return add_meeting(session=session, meeting=LedgerMeeting(
            org_code=org_code, meeting_types=types, held_on=held, attendees=attendees or 0,
            full_members_present=present, topic=topic.strip(),
            recorded_by=scope.account.name))


def meeting_types(policy: Policy | None = None) -> list[tuple[str, str]]:
    """The meeting types a ledger entry may name: (key, Chinese name), the policy's too."""
    policy = policy or read_policy(None)
    return list(meeting_type_names(policy.all_meeting_types).items())


@dataclass(frozen=True)
class LedgerFileRow:
    kind: str
    name: str
    sha256: str


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    org_code: str
    meeting_types: list[str]
    held_on: date
    attendees: int
    full_members_present: int | None
    topic: str
    recorded_by: str
    files: list[LedgerFileRow] = field(default_factory=list)


def period_meetings(scope: Scope, period: str) -> list[LedgerEntry]:
    p = Period.parse(period)
    with session_scope() as session:
        rows = meetings_between(session=session, codes=scope.codes, first=p.first_day,
                                last=p.last_day)
        kept = files_of(session=session, meeting_ids=[m.id or 0 for m in rows])
        return [LedgerEntry(m.id or 0, m.org_code, list(m.meeting_types), m.held_on,
                            m.attendees, m.full_members_present, m.topic, m.recorded_by,
                            [LedgerFileRow(f.kind, f.name, f.sha256)
                             for f in kept.get(m.id or 0, [])])
                for m in rows]


# ------------------------------------------------------------------------------ files

FILE_KINDS = LEDGER_FILE_KINDS


def attach_files(scope: Scope, meeting_id: int, uploads: list[Upload],
                 kind: str = "minutes") -> list[LedgerFileRow]:
    """Keep the minutes or sign-in sheet with a meeting, checked by content and stored under
    the content hash as an answer's evidence is (names never used as paths); OutsideScope
    for a meeting the account does not see. Audited."""
    with session_scope() as session:
        if meeting_in_scope(session=session, meeting_id=meeting_id, codes=scope.codes) is None:
            raise OutsideScope(str(meeting_id))
    if kind not in FILE_KINDS:
        raise UploadRefused(refusals.LEDGER_FILE_KIND.format(
            value=kind[:40], choices="、".join(FILE_KINDS.values())))
    if not uploads:
        raise UploadRefused(refusals.LEDGER_NO_FILES)
    checked = check_uploads(uploads)
    with session_scope() as session:
        meeting = meeting_in_scope(session=session, meeting_id=meeting_id, codes=scope.codes)
        if meeting is None:
            raise OutsideScope(str(meeting_id))
        kept = keep_uploads(checked, Path(settings.output_dir) / "ledger" / str(meeting_id))
        added = add_files(session=session, meeting=meeting, kind=kind, kept=kept,
                          actor=scope.account.name)
        return [LedgerFileRow(f.kind, f.name, f.sha256) for f in added]


def meeting_file(scope: Scope, meeting_id: int, sha256: str) -> tuple[Path, str] | None:
    """A kept file's path and name, or None outside the scope (as if it did not exist)."""
    with session_scope() as session:
        found = file_in_scope(session=session, meeting_id=meeting_id, sha256=sha256,
                              codes=scope.codes)
        if found is None or not Path(found.path).is_file():
            return None
        return Path(found.path), found.name


def meeting_period(scope: Scope, meeting_id: int) -> str:
    """The month a meeting of the account's organizations was held in (this month if none)."""
    with session_scope() as session:
        meeting = meeting_in_scope(session=session, meeting_id=meeting_id, codes=scope.codes)
        return (meeting.held_on if meeting else today()).strftime("%Y-%m")


# ------------------------------------------------------------------------------ rectifications

# the fields' names as a secretary reads them: the rectifications table's headers
RECTIFICATION_FIELDS = {c.name: c.chinese[0] for c in RECTIFICATIONS.columns} | {
    "evidence": "佐证材料"}
STATUS_NAMES = ITEM_STATUS_NAMES
# what an entry gives: every column of the rectifications table (org_code as for meetings)
_ITEM_COLUMNS = tuple(c for c in RECTIFICATIONS.columns if c.name != "org_code")


def _cell(name: str, raw: Any) -> Any:
    """A field's typed value, parsed and checked as the ingest checks a rectifications cell,
    or LedgerRefused naming the field in the ingest's words."""
    column = RECTIFICATIONS.column(name)
    value = parse_cell(raw.strip() if isinstance(raw, str) else raw, column)
    field_name = RECTIFICATION_FIELDS[name]
    if isinstance(value, Bad):
        reason = value.reason
        if column.kind is Kind.CHOICE:
            reason += refusals.LEDGER_CHOICES.format(choices="、".join(STATUS_NAMES.values()))
        raise LedgerRefused(name, refusals.LEDGER_BAD_CELL.format(field=field_name,
                                                                   reason=reason))
    if value is None and not column.may_be_empty:
        raise LedgerRefused(name, refusals.LEDGER_NEEDED.format(field=field_name))
    return value


def _check_item(row: dict[str, Any]) -> None:
    """The ingest's rules across a rectifications row's cells, dated as of today."""
    now = today()
    for column, _value, reason in rectification_problems(
            row, latest=now, latest_words=f"今天（{now.isoformat()}）"):
        raise LedgerRefused(column, reason)


def _scoped_code(scope: Scope, raw: Any) -> str:
    org_code = str(raw or "").strip()
    if not org_code:
        if len(scope.codes) != 1:
            raise LedgerRefused("org_code", refusals.LEDGER_NEEDED.format(
                field=RECTIFICATION_FIELDS["org_code"]))
        org_code = scope.own
    if org_code not in scope.codes:
        raise OutsideScope(org_code)
    return org_code


def record_rectification(scope: Scope, entry: dict[str, Any]) -> LedgerRectification:
    """Check a new item as a workbook's rectifications row is checked and keep it (audited
    with the account), or refuse it naming the field; OutsideScope for an organization the
    account does not see."""
    org_code = _scoped_code(scope, entry.get("org_code"))
    row = {c.name: _cell(c.name, entry.get(c.name)) for c in _ITEM_COLUMNS}
    _check_item(row)
    with session_scope() as session:
        if session.get(Organization, org_code) is None:
            raise OutsideScope(org_code)
        if item_id_taken(session=session, item_id=row["item_id"]):
            raise LedgerRefused("item_id", refusals.LEDGER_ITEM_TAKEN.format(
                field=RECTIFICATION_FIELDS["item_id"], value=row["item_id"]))
        name = scope.account.name
        item = add_rectification(session=session, item=LedgerRectification(
            org_code=org_code, recorded_by=name, updated_by=name, **row))
        return item


def update_item(scope: Scope, rectification_id: int, *, status: Any, completed_on: Any,
                uploads: list[Upload] | None = None) -> LedgerRectification:
    """Bring an item's status, completion date and evidence up to date: checked as a
    rectifications row (the rest of the item as it is), the files as an answer's evidence
    (type by content, size, kept under the content hash, the same file once). Audited;
    OutsideScope for an item the account does not see."""
    with session_scope() as session:
        found = rectification_in_scope(session=session, rectification_id=rectification_id,
                                       codes=scope.codes)
        if found is None:
            raise OutsideScope(str(rectification_id))
        row = {c.name: getattr(found, c.stored) for c in _ITEM_COLUMNS}
    row["status"] = _cell("status", status)
    row["completed_on"] = _cell("completed_on", completed_on)
    _check_item(row)
    checked = check_uploads(uploads or [])
    with session_scope() as session:
        item = rectification_in_scope(session=session, rectification_id=rectification_id,
                                      codes=scope.codes)
        if item is None:
            raise OutsideScope(str(rectification_id))
        folder = Path(settings.output_dir) / "ledger" / "rectifications" / str(item.id)
        known = {f["sha256"] for f in item.evidence}
        added = []
        for kept in keep_uploads(checked, folder) if checked else []:
            if kept["sha256"] not in known:
                known.add(kept["sha256"])
                added.append({"name": kept["name"][:200], "sha256": kept["sha256"],
                              "path": kept["path"], "added_by": scope.account.name})
        item.status, item.completed_on = row["status"], row["completed_on"]
        item.evidence = [*item.evidence, *added]
        item.updated_by, item.updated_at = scope.account.name, utcnow()
        note = (f"{STATUS_NAMES[item.status]} {RECTIFICATION_FIELDS['completed_on']}"
                f"{item.completed_on or '未填'}"
                + (f" {RECTIFICATION_FIELDS['evidence']}" + "、".join(f["name"] for f in added)
                   if added else ""))
        update_rectification(session=session, item=item, actor=scope.account.name, note=note)
        return item


@dataclass(frozen=True)
class EvidenceRow:
    name: str
    sha256: str


@dataclass(frozen=True)
class RectificationRow:
    """An item as the ledger page shows it: the ledger's (`id`, may be brought up to date)
    or a loaded workbook's (`id` None: the workbook is its source)."""

    id: int | None
    org_code: str
    item_id: str
    description: str
    deadline: date
    extended_to: date | None
    status: str
    completed_on: date | None
    responsible: str | None
    evidence: list[EvidenceRow] = field(default_factory=list)
    by_workbook: bool = False  # a workbook covers the organization this period: it is judged


def period_rectifications(scope: Scope, period: str) -> list[RectificationRow]:
    """The account's organizations' items: the loaded workbook's rows for the period, then
    the ledger's (those of an organization the workbook covers marked so)."""
    with session_scope() as session:
        loaded = workbook_rectifications(session=session, codes=scope.codes, period=period)
        covered = {r.org_code for r in loaded}
        rows = [RectificationRow(None, r.org_code, r.item_id, r.description, r.deadline,
                                 r.extended_to, r.status, r.completed_on, r.responsible)
                for r in loaded]
        rows += [RectificationRow(r.id, r.org_code, r.item_id, r.description, r.deadline,
                                  r.extended_to, r.status, r.completed_on, r.responsible,
                                  [EvidenceRow(f["name"], f["sha256"]) for f in r.evidence],
                                  r.org_code in covered)
                 for r in rectifications_of(session=session, codes=scope.codes)]
        return rows


def evidence_file(scope: Scope, rectification_id: int, sha256: str) -> tuple[Path, str] | None:
    """A kept evidence file's path and name, or None outside the scope (as if it did not
    exist)."""
    with session_scope() as session:
        item = rectification_in_scope(session=session, rectification_id=rectification_id,
                                      codes=scope.codes)
        found = next((f for f in item.evidence if f["sha256"] == sha256), None) if item else None
        if found is None or not Path(found["path"]).is_file():
            return None
        return Path(found["path"]), found["name"]
