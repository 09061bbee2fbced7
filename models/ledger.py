"""Data access for the e-ledger (三会一课台账): meetings recorded as they happen."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.models.documents import log_event
from dutyflow.models.tables import LedgerMeeting


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
