"""Data access for the e-ledger (三会一课台账): meetings recorded as they happen."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import MEETINGS
from dutyflow.models.db import read_columns
from dutyflow.models.documents import log_event
from dutyflow.models.tables import IngestBatch, LedgerMeeting, Meeting


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


def ledger_rows(*, session: Session, first: date, last: date) -> list[dict[str, Any]]:
    """The ledger's meetings held between the two days that count: one row per type (as a
    workbook row naming several types is cleaned), leaving out an organization's entries in
    a period a meetings workbook has its rows for (that workbook is the source there)."""
    entries = list(session.execute(select(LedgerMeeting).where(
        LedgerMeeting.held_on >= first, LedgerMeeting.held_on <= last)
        .order_by(LedgerMeeting.held_on, LedgerMeeting.id)).scalars())
    if not entries:
        return []
    covered = _covered(session, {m.org_code for m in entries})
    return [{"org_code": m.org_code, "meeting_type": kind, "held_on": m.held_on,
             "attendees": m.attendees, "for_year": None}
            for m in entries
            if not any(a <= m.held_on <= b for a, b in covered.get(m.org_code, ()))
            for kind in m.meeting_types]


def meetings_of_record(*, session: Session, first: date, last: date) -> pd.DataFrame:
    """The meetings held between the two days the cycle judges: the loaded workbooks' rows,
    and the ledger's for each organization and period no meetings workbook has rows for.
    Every reader that judges meetings (the cycle, simulate, the warning, the portal's duties)
    reads them here, so they agree."""
    columns = list(MEETINGS.stored_columns)
    values = read_columns(session, select(*(getattr(Meeting, c) for c in columns)).where(
        Meeting.held_on >= first, Meeting.held_on <= last))  # type: ignore[operator]
    workbook = (pd.DataFrame(dict(zip(columns, values, strict=True)), columns=columns)
                if values and values[0] else pd.DataFrame([], columns=columns))
    ledger = ledger_rows(session=session, first=first, last=last)
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
