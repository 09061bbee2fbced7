"""The period's 通报批评: one 文件 to all units naming every organization whose criticism the
committee decided. It is a reviewed document like any other: drafted (again) whenever a
criticism is decided, issued only once approved, and the letter each criticised organization
receives cites its number, so the letters go out with it or after it."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import CRITICISM_CIRCULAR, DocumentStatus, circular_subject
from dutyflow.documents.files import drafts_folder, safe_name, write_notice
from dutyflow.documents.notice import build_circular
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import (
    back_to_draft,
    link_cases,
    open_document,
    period_documents,
    set_drafts,
    withdraw,
)
from dutyflow.models.tables import Case, Document, DocumentCase
from dutyflow.services.circulars import criticism_context
from dutyflow.services.drafting import histories, organizations

log = logging.getLogger(__name__)
CRITICISM = "circulated_criticism"


def decided_criticisms(*, session: Session, period: str) -> list[Case]:
    """The period's criticisms the committee approved that no issued 通报 has named yet."""
    circulated = select(DocumentCase.case_id).join(  # type: ignore[call-overload]
        Document, Document.id == DocumentCase.document_id).where(
        Document.kind == CRITICISM_CIRCULAR, Document.status == DocumentStatus.ISSUED)
    return list(session.execute(select(Case).where(
        Case.period == period, Case.measure == CRITICISM,  # type: ignore[arg-type]
        Case.status == DocumentStatus.APPROVED,
        Case.id.not_in(circulated)).order_by(Case.org_code)).scalars().unique())  # type: ignore[attr-defined]


def content_hash(cases: list[Case]) -> str:
    return hashlib.sha256(json.dumps(
        [[c.id, c.evidence_hash, c.decision_ref or ""] for c in cases],
        ensure_ascii=False).encode()).hexdigest()


def open_circular(*, session: Session, period: str) -> Document | None:
    """The period's 通报 not yet issued, if any."""
    live = [d for d in period_documents(session=session, period=period,
                                        kinds=(CRITICISM_CIRCULAR,))
            if d.status != DocumentStatus.ISSUED and d.status != DocumentStatus.WITHDRAWN]
    return live[-1] if live else None


def draft_criticism_circular(*, period: str, on: date | None = None) -> Path | None:
    """Draft (or draft again) the period's 通报 from the criticisms decided and not yet
    circulated; withdraw a draft nothing is left to circulate. Its path, or None."""
    on = on or date.today()
    with session_scope() as session:
        lock_period(session, f"criticism-{period}")
        cases = decided_criticisms(session=session, period=period)
        current = open_circular(session=session, period=period)
        if not cases:
            if current is not None:
                withdraw(session=session, document=current, note="已无待通报的批评决定")
            return None
        digest = content_hash(cases)
        if current is None:
            issued = [d for d in period_documents(session=session, period=period,
                                                  kinds=(CRITICISM_CIRCULAR,))]
            subject = circular_subject(period, CRITICISM_CIRCULAR) + (
                f"-{len(issued) + 1}" if issued else "")
            current = open_document(session=session, document_id=subject,
                                    kind=CRITICISM_CIRCULAR, period=period,
                                    case_ids=[c.id for c in cases], content_hash=digest)
        elif current.content_hash != digest:
            back_to_draft(session=session, document=current, content_hash=digest,
                          note="工委会议的决定有变化，通报重新起草，须再次审核")
        link_cases(session=session, document_id=current.id, case_ids=[c.id for c in cases],
                   exactly=True)
        orgs = organizations(session)
        context = criticism_context(actions=cases, orgs=orgs, period=Period.parse(period),
                                    histories=histories(session, cases, orgs, on=on,
                                                        named=True))
        notice = build_circular(kind=CRITICISM_CIRCULAR, subject=current.id, context=context,
                                on=on)
        written = write_notice(notice, drafts_folder(period), safe_name(current.id), view=False)
        set_drafts(session=session, drafts={current.id: (str(written.docx), str(written.html))})
    return written.docx
