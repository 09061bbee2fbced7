"""Data access for the e-ledger: meetings recorded as they happen (三会一课台账), and
rectification items kept up to date (整改台账)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS, RECTIFICATIONS
from dutyflow.core.vocabulary import DONE_ITEM_STATUSES
from dutyflow.models.db import read_columns
from dutyflow.models.documents import log_event
from dutyflow.models.tables import (
    IngestBatch,
    LedgerFile,
    LedgerMeeting,
    LedgerRectification,
    Meeting,
    Rectification,
)

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


# ------------------------------------------------------------------------------ rectifications


def add_rectification(*, session: Session, item: LedgerRectification) -> LedgerRectification:
    session.add(item)
    session.flush()
    log_event(session=session, subject=f"ledger-rectification-{item.id}",
              period=item.recorded_at.strftime("%Y-%m"), event="ledger_rectification_recorded",
              actor=item.recorded_by,
              note=f"{item.org_code} {item.item_id} {item.status} {item.deadline}")
    return item


def update_rectification(*, session: Session, item: LedgerRectification, actor: str,
                         note: str) -> LedgerRectification:
    session.add(item)
    session.flush()
    log_event(session=session, subject=f"ledger-rectification-{item.id}",
              period=item.updated_at.strftime("%Y-%m"), event="ledger_rectification_updated",
              actor=actor, note=f"{item.org_code} {item.item_id} {note}")
    return item


def item_id_taken(*, session: Session, item_id: str) -> bool:
    return session.execute(select(LedgerRectification.id).where(
        LedgerRectification.item_id == item_id).limit(1)).first() is not None


def rectification_in_scope(*, session: Session, rectification_id: int,
                           codes: Collection[str]) -> LedgerRectification | None:
    """The item when it is one of these organizations' (else None: it does not exist)."""
    item = session.get(LedgerRectification, rectification_id)
    return item if item is not None and item.org_code in codes else None


def rectifications_of(*, session: Session, codes: Collection[str] | None
                      ) -> list[LedgerRectification]:
    """The ledger's items of these organizations (all when None), by deadline."""
    statement = select(LedgerRectification)
    if codes is not None:
        statement = statement.where(
            LedgerRectification.org_code.in_(list(codes)))  # type: ignore[attr-defined]
    return list(session.execute(statement.order_by(
        LedgerRectification.deadline, LedgerRectification.id)).scalars())


def workbook_rectifications(*, session: Session, codes: Collection[str], period: str
                            ) -> list[Rectification]:
    """The rows a loaded rectifications workbook has for these organizations in the period."""
    return list(session.execute(select(Rectification).where(
        Rectification.period == period,
        Rectification.org_code.in_(list(codes)))  # type: ignore[attr-defined]
        .order_by(Rectification.deadline, Rectification.id)).scalars())


def as_of(item: LedgerRectification, period: Period) -> dict[str, Any] | None:
    """The item as a rectifications row at the period's end (stored columns), or None when it
    was found after it. Completed after the period's end, it was still in progress then (a
    workbook for that period could not date it later either)."""
    if item.found_on is not None and item.found_on > period.last_day:
        return None
    row = {c: getattr(item, c) for c in RECTIFICATIONS.stored_columns}
    if item.completed_on is not None and item.completed_on > period.last_day:
        row["completed_on"] = None
        if item.status in DONE_ITEM_STATUSES:
            row["status"] = "in_progress"
    return row


def ledger_rectification_rows(*, session: Session, period: Period) -> list[dict[str, Any]]:
    """The ledger's items as the period's rectifications rows, leaving out an organization's
    items in a period a rectifications workbook has its rows for (that workbook is the source
    there), and an item whose number such a workbook already gives."""
    items = rectifications_of(session=session, codes=None)
    if not items:
        return []
    covered = set(session.execute(select(Rectification.org_code).where(
        Rectification.period == str(period)).distinct()).scalars())
    numbers = set(session.execute(select(Rectification.item_id).where(
        Rectification.period == str(period))).scalars())
    rows = []
    for item in items:
        if item.org_code in covered or item.item_id in numbers:
            continue
        row = as_of(item, period)
        if row is not None:
            rows.append(row)
    return rows


def rectifications_of_record(*, session: Session, period: Period) -> pd.DataFrame:
    """The rectification items the cycle judges for the period: the loaded workbooks' rows,
    and the ledger's for each organization no rectifications workbook has rows for in the
    period. Every reader that judges rectifications reads them here."""
    import pandas as pd  # here, not at the top: the read-only commands never need it

    columns = list(RECTIFICATIONS.stored_columns)
    values = read_columns(session, select(*(getattr(Rectification, c) for c in columns)).where(
        Rectification.period == str(period)))
    workbook = (pd.DataFrame(dict(zip(columns, values, strict=True)), columns=columns)
                if values and values[0] else pd.DataFrame([], columns=columns))
    ledger = ledger_rectification_rows(session=session, period=period)
    if not ledger:
        return workbook
    extra = pd.DataFrame(ledger, columns=columns)
    return extra if workbook.empty else pd.concat([workbook, extra], ignore_index=True)
