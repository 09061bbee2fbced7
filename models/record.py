"""The record a document may cite about an organization's past: what the office actually
issued to it (by number and date), what each issued document asked, and what was recorded
since (answers received, 销号, 退回, 催办, the 通报 that named it).

Nothing here is inferred from a ladder or a finding: a measure that was drafted, approved or
proposed but never issued is not in the record, so no document can mention it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.calendar import local_time
from dutyflow.core.vocabulary import CHASE, CRITICISM_CIRCULAR, MEASURE_KINDS, DocumentStatus
from dutyflow.models.tables import Case, Document, DocumentCase, Event, Reply

# events of a case's follow-up that a later document may cite
_SETTLED = ("accepted", "returned")


@dataclass(frozen=True)
class Cited:
    """An issued document, as a later one cites it: its number and the date it carries."""

    number: str
    issued_on: date


@dataclass
class PastMeasure:
    """One measure issued to an organization, and what followed it, as of a date."""

    case_id: str
    period: str  # the period whose failures the measure answered
    measure: str  # a MeasureKind key
    notice: Cited
    answer_due: date | None  # the date the notice asked its answer by
    meeting_on: date | None = None  # a talk: the day it was booked for
    meeting_time: str = ""
    replies: list[date] = field(default_factory=list)  # answers received, in order
    accepted_on: date | None = None  # 销号
    returned: list[date] = field(default_factory=list)  # 退回 (the answer came back)
    due_again: date | None = None  # after a return: the new date
    chases: list[Cited] = field(default_factory=list)  # 催办 that named this case
    circular: Cited | None = None  # the 通报 that named the organization for this case


def past_measures(*, session: Session, org_codes: Iterable[str], before: date
                  ) -> dict[str, list[PastMeasure]]:
    """Every measure issued to these organizations before `before` (a document's date), and
    what was recorded about each up to that date; by organization, oldest first. A return
    for correction is not a measure (it asks for a corrected report) and is left out."""
    codes = sorted(set(org_codes))
    if not codes:
        return {}
    measures = [k for k in MEASURE_KINDS if k != "return_for_correction"]
    rows = session.execute(select(  # type: ignore[misc]  # (ten columns: too many unions)
        Case.id, Case.org_code, Case.period, Case.measure, Case.reply_due,
        Document.document_number, Document.issued_on, Document.reply_due,
        Document.meeting_on, Document.meeting_time)
        .join(Document, Document.id == Case.id).where(
        Case.org_code.in_(codes), Case.measure.in_(measures),  # type: ignore[attr-defined]
        Document.status == DocumentStatus.ISSUED,
        Document.issued_on < before)  # type: ignore[operator]
        .order_by(Document.issued_on, Document.number)).all()
    if not rows:
        return {}
    found: dict[str, PastMeasure] = {}
    by_org: dict[str, list[PastMeasure]] = {}
    for (case_id, org, period, measure, _due, number, issued_on, asked, meeting_on,
         meeting_time) in rows:
        past = PastMeasure(case_id, period, measure, Cited(number or "", issued_on),
                           asked, meeting_on, meeting_time or "")
        found[case_id] = past
        by_org.setdefault(org, []).append(past)
    _add_replies(session, found, before)
    _add_settlements(session, found, before, {r[0]: r[4] for r in rows})
    _add_citations(session, found, before)
    return by_org


def _chunks(ids: list[str], size: int = 900) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _add_replies(session: Session, found: dict[str, PastMeasure], before: date) -> None:
    for ids in _chunks(list(found)):
        for case_id, received in session.execute(select(Reply.case_id, Reply.received_on).where(
                Reply.case_id.in_(ids), Reply.received_on <= before)  # type: ignore[attr-defined]
                .order_by(Reply.received_on, Reply.id)).all():
            found[case_id].replies.append(received)


def _add_settlements(session: Session, found: dict[str, PastMeasure], before: date,
                     case_due: dict[str, date | None]) -> None:
    """销号 and 退回 recorded up to `before`; after a return, the case's new date."""
    returned: set[str] = set()
    for ids in _chunks(list(found)):
        for case_id, name, at in session.execute(select(Event.subject, Event.event, Event.at).where(
                Event.subject.in_(ids), Event.event.in_(_SETTLED))  # type: ignore[attr-defined]
                .order_by(Event.at, Event.id)).all():
            day = local_time(at).date()
            if day > before:
                continue
            past = found[case_id]
            if name == "accepted":
                past.accepted_on = day
            else:
                past.returned.append(day)
                returned.add(case_id)
    for case_id, past in found.items():
        if case_id in returned:
            past.due_again = case_due[case_id]
        elif past.answer_due is None:
            # issued before notices kept their date: never returned, the case's is the first
            past.answer_due = case_due[case_id]


def _add_citations(session: Session, found: dict[str, PastMeasure], before: date) -> None:
    for ids in _chunks(list(found)):
        for case_id, kind, number, issued_on in session.execute(select(
                DocumentCase.case_id, Document.kind, Document.document_number,
                Document.issued_on).join(Document, Document.id == DocumentCase.document_id)
                .where(DocumentCase.case_id.in_(ids),  # type: ignore[attr-defined]
                       Document.kind.in_((CHASE, CRITICISM_CIRCULAR)),  # type: ignore[attr-defined]
                       Document.status == DocumentStatus.ISSUED,
                       Document.issued_on < before)  # type: ignore[operator]
                .order_by(Document.issued_on, Document.number)).all():
            cited = Cited(number or "", issued_on)
            if kind == CHASE:
                found[case_id].chases.append(cited)
            else:
                found[case_id].circular = cited
