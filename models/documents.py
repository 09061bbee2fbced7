"""Data access for the one lifecycle every reviewed document follows: drafted, decided,
numbered and issued, or withdrawn; and for the audit log, where every step is appended.

A case's notice, a 催办, the period's 通报批评 and the quarter's circulars are all rows of
`document`; what differs between kinds is data in the vocabulary (format and series, who may
decide), never a copy of this code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session

from dutyflow.core import refusals
from dutyflow.core.errors import DutyflowError
from dutyflow.core.vocabulary import DECISIONS, REVIEWABLE, DocumentStatus
from dutyflow.models.db import bulk_insert
from dutyflow.models.tables import Document, DocumentCase, Event, as_utc, utcnow

ROBOT = "dutyflow"  # the actor of what the system does by itself
SYSTEM_WORDS = "系统（自动）"  # how a person reads that actor


def actor_words(actor: str) -> str:
    """Who acted, as the audit trail shows it: a person's name, or the system."""
    return SYSTEM_WORDS if actor == ROBOT else actor


class ReviewError(DutyflowError):
    exit_code = 2


# ------------------------------------------------------------------------------ the audit log


def log_event(*, session: Session, subject: str, period: str, event: str,
              actor: str = ROBOT, note: str = "") -> None:
    session.add(Event(subject=subject, period=period, event=event, actor=actor[:100],
                      note=note))


def log_events(*, session: Session, events: list[dict[str, Any]]) -> None:
    """Many events at once (a cycle opens thousands of cases)."""
    if events:
        bulk_insert(session, Event, [{"actor": ROBOT, "note": "", "at": utcnow(), **e}
                                     for e in events])


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    event: str
    actor: str
    subject: str  # a case id or a document id
    note: str


def audit_log(*, session: Session, period: str) -> list[AuditEntry]:
    """Everything recorded about the period's cases and documents, in order."""
    rows = session.execute(select(Event).where(Event.period == period)
                           .order_by(Event.at, Event.id)).scalars()
    return [AuditEntry(as_utc(e.at), e.event, e.actor, e.subject, e.note) for e in rows]


def events_about(*, session: Session, case_id: str) -> list[Event]:
    """A case's history: its own events and those of every document that concerns it."""
    documents = select(DocumentCase.document_id).where(DocumentCase.case_id == case_id)
    return list(session.execute(select(Event).where(or_(
        Event.subject == case_id, Event.subject.in_(documents)))  # type: ignore[attr-defined]
        .order_by(Event.at, Event.id)).scalars())


def events_of(*, session: Session, subject: str) -> list[Event]:
    return list(session.execute(select(Event).where(Event.subject == subject)
                                .order_by(Event.at, Event.id)).scalars())


# -------------------------------------------------------------------------------- documents


def get_document(*, session: Session, document_id: str) -> Document | None:
    return session.get(Document, document_id)


def case_ids_of(*, session: Session, document_id: str) -> list[str]:
    return list(session.execute(select(DocumentCase.case_id).where(
        DocumentCase.document_id == document_id).order_by(DocumentCase.case_id)).scalars())


def cases_by_document(*, session: Session, document_ids: Iterable[str]) -> dict[str, list[str]]:
    ids = list(document_ids)
    found: dict[str, list[str]] = {i: [] for i in ids}
    for document_id, case_id in session.execute(select(
            DocumentCase.document_id, DocumentCase.case_id).where(
            DocumentCase.document_id.in_(ids)).order_by(DocumentCase.case_id)):  # type: ignore[attr-defined]
        found[document_id].append(case_id)
    return found


def documents_of_case(*, session: Session, case_id: str) -> list[Document]:
    """Every document that concerns a case: its notice, its 催办, the 通报 that named it."""
    return list(session.execute(select(Document).join(
        DocumentCase, DocumentCase.document_id == Document.id).where(
        DocumentCase.case_id == case_id).order_by(Document.created_at, Document.id)).scalars())


def period_documents(*, session: Session, period: str | None = None,
                     kinds: Iterable[str] | None = None,
                     statuses: Iterable[str] | None = None) -> list[Document]:
    statement = select(Document)
    if period:
        statement = statement.where(Document.period == period)
    if kinds is not None:
        statement = statement.where(Document.kind.in_(list(kinds)))  # type: ignore[attr-defined]
    if statuses is not None:
        statement = statement.where(Document.status.in_(list(statuses)))  # type: ignore[attr-defined]
    return list(session.execute(statement.order_by(Document.period, Document.id)).scalars())


def open_document(*, session: Session, document_id: str, kind: str, period: str,
                  case_ids: Iterable[str] = (), org_code: str | None = None,
                  content_hash: str = "", event: str = "drafted", note: str = "",
                  **values: Any) -> Document:
    """A new draft, linked to the cases it concerns, its opening logged."""
    document = Document(id=document_id, kind=kind, period=period, org_code=org_code,
                        content_hash=content_hash, **values)
    session.add(document)
    session.flush()
    link_cases(session=session, document_id=document_id, case_ids=case_ids)
    log_event(session=session, subject=document_id, period=period, event=event, note=note)
    return document


def link_cases(*, session: Session, document_id: str, case_ids: Iterable[str],
               exactly: bool = False) -> None:
    """Link the document to these cases (`exactly`: and to no other, for a draft whose
    content is being rewritten)."""
    wanted = list(dict.fromkeys(case_ids))
    have = set(case_ids_of(session=session, document_id=document_id))
    for case_id in wanted:
        if case_id not in have:
            session.add(DocumentCase(document_id=document_id, case_id=case_id))
    if exactly and have - set(wanted):
        session.execute(delete(DocumentCase).where(
            DocumentCase.document_id == document_id,
            DocumentCase.case_id.in_(have - set(wanted))))  # type: ignore[attr-defined]
    session.flush()


def back_to_draft(*, session: Session, document: Document, content_hash: str,
                  note: str) -> bool:
    """What the document says changed: an earlier decision was about something else, so it
    goes back to draft (the decision stays in the log). False if nothing changed or it was
    issued (what was issued never changes)."""
    if document.status == DocumentStatus.ISSUED or document.content_hash == content_hash:
        return False
    reopened = document.status == DocumentStatus.WITHDRAWN
    session.execute(update(Document).where(Document.id == document.id).values(
        status=DocumentStatus.DRAFT, content_hash=content_hash, reviewer=None, decided_at=None,
        note=None, decision_ref=None, path=None, html_path=None,
        version=Document.version + 1, updated_at=utcnow()))
    log_event(session=session, subject=document.id, period=document.period,
              event="reopened" if reopened else "evidence_changed", note=note)
    session.refresh(document)
    return True


def withdraw(*, session: Session, document: Document, note: str) -> None:
    """Not sent after all (its grounds are gone, or the answer it chases came); kept."""
    session.execute(update(Document).where(
        Document.id == document.id, Document.status != DocumentStatus.ISSUED).values(
        status=DocumentStatus.WITHDRAWN, version=Document.version + 1, updated_at=utcnow()))
    log_event(session=session, subject=document.id, period=document.period,
              event=DocumentStatus.WITHDRAWN, note=note)
    session.refresh(document)


def set_drafts(*, session: Session, drafts: dict[str, tuple[str, str]]) -> None:
    """Record each document's draft .docx and .html paths."""
    if drafts:
        session.execute(update(Document), [
            {"id": document_id, "path": docx, "html_path": html}
            for document_id, (docx, html) in drafts.items()])


def record_decision(*, session: Session, document_id: str, decision: str, reviewer: str,
                    note: str, decision_ref: str = "", committee: bool = False,
                    seen_version: int | None = None) -> Document:
    """Approve or reject a document; the decision is appended to the log, never edited.

    A document only the committee may decide needs the reference of its decision (e.g.
    工委会议纪要〔2026〕9号). With `seen_version`, a document that changed since the reviewer
    read it is refused, naming who decided what and when."""
    status = DECISIONS[decision]
    reviewer, note, decision_ref = reviewer.strip(), note.strip(), decision_ref.strip()
    if not reviewer:
        raise ReviewError(refusals.NEEDS_REVIEWER)
    if status == DocumentStatus.REJECTED and not note:
        raise ReviewError(refusals.REJECT_NEEDS_NOTE)
    document = session.get(Document, document_id)
    if document is None:
        raise ReviewError(refusals.NO_DOCUMENT.format(document_id=document_id))
    if status == DocumentStatus.APPROVED and committee and not decision_ref:
        raise ReviewError(refusals.NEEDS_COMMITTEE.format(document_id=document_id))
    # Claim the row with a conditional UPDATE: a concurrent decision, re-run or issue cannot
    # slip between. Changing one's mind (approved <-> rejected) is a new decision.
    now = utcnow()
    others = tuple(s for s in REVIEWABLE if s != status)
    claim = update(Document).where(Document.id == document_id,
                                   Document.status.in_(others))  # type: ignore[attr-defined]
    if seen_version is not None:
        claim = claim.where(Document.version == seen_version)
    claimed = session.execute(claim.values(
        status=status, updated_at=now, reviewer=reviewer, decided_at=now, note=note or None,
        decision_ref=decision_ref or None, version=Document.version + 1)).rowcount
    session.refresh(document)
    if not claimed:
        raise ReviewError(refusal_of_state(document, seen_version))
    recorded = f"{note}（{decision_ref}）" if decision_ref and note else (decision_ref or note)
    log_event(session=session, subject=document_id, period=document.period, event=status,
              actor=reviewer, note=recorded)
    session.flush()
    return document


def refusal_of_state(document: Document, seen_version: int | None = None) -> str:
    """Why a decision on this document cannot be recorded now, with who did what and when."""
    who = ""
    if document.reviewer and document.decided_at:
        who = refusals.DECIDED_BY.format(reviewer=document.reviewer,
                                         at=_local(document.decided_at))
    words = {"document_id": document.id, "status": document.status_words, "who": who}
    if document.status == DocumentStatus.ISSUED:
        return refusals.ALREADY_ISSUED.format(
            document_id=document.id, issued_on=document.issued_on,
            number=document.document_number or "不编号文书")
    if seen_version is not None and document.version != seen_version:
        return refusals.CHANGED_SINCE_SEEN.format(**words)
    if document.status in (DocumentStatus.APPROVED, DocumentStatus.REJECTED):
        return refusals.ALREADY_DECIDED.format(**words)
    return refusals.ONLY_DRAFTS.format(**words)


def _local(moment: datetime) -> str:
    from dutyflow.core.calendar import local_time

    return local_time(moment).strftime("%Y-%m-%d %H:%M")


def claim_for_issue(*, session: Session, document_id: str) -> Document | None:
    """Take one approved document for issuing inside the caller's transaction, or None if
    another run took it (the row stays locked until the transaction ends)."""
    claimed = session.execute(update(Document).where(
        Document.id == document_id, Document.status == DocumentStatus.APPROVED)
        .values(version=Document.version + 1, updated_at=utcnow())).rowcount
    if not claimed:
        return None
    document = session.get(Document, document_id)
    if document is not None:
        session.refresh(document)
    return document


@dataclass(frozen=True)
class Numbered:
    """A number taken from a series: 市直工委函〔2026〕12号."""

    document_number: str
    prefix: str
    year: int
    number: int


def record_issue(*, session: Session, document: Document, on: date, issued_by: str,
                 path: str, html_path: str, sha256: str, numbered: Numbered | None,
                 reply_due: date | None = None, note: str = "") -> None:
    """The claimed document is issued: one UPDATE (after it, the row never changes)."""
    values: dict[str, Any] = dict(
        status=DocumentStatus.ISSUED, path=path, html_path=html_path, sha256=sha256,
        issued_by=issued_by[:100], issued_at=utcnow(), issued_on=on, updated_at=utcnow(),
        version=Document.version + 1)
    if numbered is not None:
        values.update(document_number=numbered.document_number,
                      number_prefix=numbered.prefix, number_year=numbered.year,
                      number=numbered.number)
    if reply_due is not None:
        values["reply_due"] = reply_due
    session.execute(update(Document).where(Document.id == document.id).values(**values))
    log_event(session=session, subject=document.id, period=document.period,
              event=DocumentStatus.ISSUED, actor=issued_by,
              note=note or (numbered.document_number if numbered else "不编号"))
    session.flush()
    session.refresh(document)


def record_meeting(*, session: Session, document_id: str, day: date, time: str) -> None:
    """The talk a notice being issued books (before the row is issued and frozen)."""
    session.execute(update(Document).where(Document.id == document_id, Document.status
                                           != DocumentStatus.ISSUED)
                    .values(meeting_on=day, meeting_time=time[:32]))


def issued_paths(*, session: Session, period: str) -> set[str]:
    rows = session.execute(select(Document.path, Document.html_path).where(
        Document.period == period, Document.status == DocumentStatus.ISSUED)).all()
    return {p for row in rows for p in row if p}


def issued_numbers(*, session: Session, kinds: Iterable[str]) -> list[tuple[str, str]]:
    """(number, case id) of every issued document of these kinds: a reply may quote a 催办."""
    return [(n, c) for n, c in session.execute(select(
        Document.document_number, DocumentCase.case_id).join(
        DocumentCase, DocumentCase.document_id == Document.id).where(
        Document.kind.in_(list(kinds)),  # type: ignore[attr-defined]
        Document.document_number.is_not(None))).all()]  # type: ignore[union-attr]


def events_by(*, session: Session, actor: str, since: datetime,
              events: Iterable[str]) -> list[Event]:
    """What one person did since a moment (these events only), newest first."""
    return list(session.execute(select(Event).where(
        Event.actor == actor, Event.at >= since,
        Event.event.in_(list(events))).order_by(  # type: ignore[attr-defined]
        Event.at.desc(), Event.id.desc())).scalars())  # type: ignore[union-attr]
