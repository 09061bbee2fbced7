"""Data access for the e-ledger (三会一课台账): meetings recorded as they happen."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS
from dutyflow.models.db import read_columns
from dutyflow.models.documents import log_event
from dutyflow.models.tables import IngestBatch, LedgerFile, LedgerMeeting, Meeting

if TYPE_CHECKING:
    import pandas as pd


def add_meeting(*, session: Session, meeting: LedgerMeeting) -> LedgerMeeting:
    session.add(meeting)
    session.flush()
    log_event(session=session, subject=f"ledger-{meeting.id}",
              period=meeting.held_on.strftime("%Y-%m"), event="ledger_recorded",
              actor=meeting.recorded_by,
              note=f"{meeting.org_code} {meeting.held_on} {'、'.join(meeting.meeting_types)}")
    return meeting


def meetings_between(*, session: Session, codes: Collection[str], first: date,
                     last: date) -> list[LedgerMeeting]:
    return list(session.execute(select(LedgerMeeting).where(
        LedgerMeeting.org_code.in_(list(codes)),  # type: ignore[attr-defined]
        LedgerMeeting.held_on >= first, LedgerMeeting.held_on <= last)
        .order_by(LedgerMeeting.held_on, LedgerMeeting.id)).scalars())


def _covered(session: Session, codes: Collection[str]) -> dict[str, list[tuple[date, date]]]:
    """Per organization, the periods a loaded meetings workbook has its rows for (the stored
    rows are the current load's: a corrected file replaces them)."""
    spans: dict[str, list[tuple[date, date]]] = {}
    for org_code, period in session.execute(select(Meeting.org_code, Meeting.period).where(
            Meeting.org_code.in_(list(codes))).distinct()):  # type: ignore[attr-defined]
        p = Period.parse(period)
        spans.setdefault(org_code, []).append((p.first_day, p.last_day))
    return spans


def ledger_rows(*, session: Session, first: date, last: date,
                codes: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The ledger's meetings held between the two days that count: one row per type (as a
    workbook row naming several types is cleaned), leaving out an organization's entries in
    a period a meetings workbook has its rows for (that workbook is the source there).
    `codes`: these organizations' only (default: all)."""
    query = select(LedgerMeeting).where(
        LedgerMeeting.held_on >= first, LedgerMeeting.held_on <= last)
    if codes is not None:
        query = query.where(LedgerMeeting.org_code.in_(list(codes)))  # type: ignore[attr-defined]
    entries = list(session.execute(
        query.order_by(LedgerMeeting.held_on, LedgerMeeting.id)).scalars())
    if not entries:
        return []
    covered = _covered(session, {m.org_code for m in entries})
    return [{"org_code": m.org_code, "meeting_type": kind, "held_on": m.held_on,
             "attendees": m.attendees, "for_year": None}
            for m in entries
            if not any(a <= m.held_on <= b for a, b in covered.get(m.org_code, ()))
            for kind in m.meeting_types]


def meetings_of_record(*, session: Session, first: date, last: date,
                       codes: Collection[str] | None = None) -> pd.DataFrame:
    """The meetings held between the two days the cycle judges: the loaded workbooks' rows,
    and the ledger's for each organization and period no meetings workbook has rows for.
    Every reader that judges meetings (the cycle, simulate, the warning, the portal's duties)
    reads them here, so they agree. `codes`: these organizations' only (the portal reads an
    account's own, not a province's)."""
    import pandas as pd  # here, not at the top: the read-only commands never need it

    columns = list(MEETINGS.stored_columns)
    query = select(*(getattr(Meeting, c) for c in columns)).where(
        Meeting.held_on >= first, Meeting.held_on <= last)  # type: ignore[operator]
    if codes is not None:
        query = query.where(Meeting.org_code.in_(list(codes)))  # type: ignore[attr-defined]
    values = read_columns(session, query)
    workbook = (pd.DataFrame(dict(zip(columns, values, strict=True)), columns=columns)
                if values and values[0] else pd.DataFrame([], columns=columns))
    ledger = ledger_rows(session=session, first=first, last=last, codes=codes)
    if not ledger:
        return workbook
    extra = pd.DataFrame(ledger, columns=columns)
    return extra if workbook.empty else pd.concat([workbook, extra], ignore_index=True)


def ledger_reported(*, session: Session, first: date, last: date) -> bool:
    """Whether any organization recorded a meeting in the ledger between the two days."""
    return session.execute(select(LedgerMeeting.id).where(
        LedgerMeeting.held_on >= first, LedgerMeeting.held_on <= last)
        .limit(1)).first() is not None


def period_reported(*, session: Session, period: Period) -> bool:
    """Whether anything was reported for the period: a workbook loaded for it or a meeting
    recorded in the ledger in it."""
    loaded = select(IngestBatch.id).where(IngestBatch.period == str(period),
                                          IngestBatch.current).limit(1)
    return session.execute(loaded).first() is not None or ledger_reported(
        session=session, first=period.first_day, last=period.last_day)


# ------------------------------------------------------------------------------ files


def meeting_in_scope(*, session: Session, meeting_id: int,
                     codes: Collection[str]) -> LedgerMeeting | None:
    """The meeting when it is one of these organizations' (else None: it does not exist)."""
    meeting = session.get(LedgerMeeting, meeting_id)
    return meeting if meeting is not None and meeting.org_code in codes else None


def add_files(*, session: Session, meeting: LedgerMeeting, kind: str, kept: list[dict[str, Any]],
              actor: str) -> list[LedgerFile]:
    """Keep the files with the meeting (one already kept with it is not added again), audited."""
    known = set(session.execute(select(LedgerFile.sha256).where(
        LedgerFile.meeting_id == meeting.id)).scalars())
    added = []
    for item in kept:
        if item["sha256"] in known:
            continue
        known.add(item["sha256"])
        added.append(LedgerFile(meeting_id=meeting.id or 0, kind=kind, name=item["name"][:200],
                                sha256=item["sha256"], path=item["path"][:500], added_by=actor))
    session.add_all(added)
    session.flush()
    log_event(session=session, subject=f"ledger-{meeting.id}",
              period=meeting.held_on.strftime("%Y-%m"), event="ledger_files_added", actor=actor,
              note="、".join(f.name for f in added) or "文件已在台账中，未重复保存")
    return added


def files_of(*, session: Session, meeting_ids: Collection[int]) -> dict[int, list[LedgerFile]]:
    found: dict[int, list[LedgerFile]] = {}
    for f in session.execute(select(LedgerFile).where(
            LedgerFile.meeting_id.in_(list(meeting_ids)))  # type: ignore[attr-defined]
            .order_by(LedgerFile.id)).scalars():
        found.setdefault(f.meeting_id, []).append(f)
    return found


def file_in_scope(*, session: Session, meeting_id: int, sha256: str,
                  codes: Collection[str]) -> LedgerFile | None:
    if meeting_in_scope(session=session, meeting_id=meeting_id, codes=codes) is None:
        return None
    return session.execute(select(LedgerFile).where(
        LedgerFile.meeting_id == meeting_id, LedgerFile.sha256 == sha256)).scalars().first()
