"""Data access for the office's view of 签收: which organizations an issued document went to,
and which of them signed for it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from dutyflow.core.vocabulary import DocumentStatus
from dutyflow.models.tables import Document, DocumentReceipt, Organization, ReviewerAccount


def issued_documents(*, session: Session, document_ids: Collection[str] | None = None,
                     issued_by: date | None = None) -> list[Document]:
    """Issued documents: these, or all issued on or before `issued_by`, oldest first."""
    statement = select(Document).where(Document.status == DocumentStatus.ISSUED)
    if document_ids is not None:
        statement = statement.where(Document.id.in_(list(document_ids)))  # type: ignore[attr-defined]
    if issued_by is not None:
        statement = statement.where(Document.issued_on <= issued_by)  # type: ignore[operator]
    return list(session.execute(statement.order_by(Document.issued_on, Document.id)).scalars())  # type: ignore[arg-type]


def organizations_with_accounts(*, session: Session, kinds: Collection[str]
                                ) -> dict[str, datetime]:
    """The organizations that have an active account of these kinds, each with when its
    first was made: a circular to all units reaches, and is signed for by, each organization
    that had an account when it was issued."""
    return dict(session.execute(select(ReviewerAccount.org_code,
                                       func.min(ReviewerAccount.created_at)).where(
        ReviewerAccount.active, ReviewerAccount.kind.in_(list(kinds)),  # type: ignore[attr-defined]
        ReviewerAccount.org_code.is_not(None))  # type: ignore[union-attr]
        .group_by(ReviewerAccount.org_code).order_by(ReviewerAccount.org_code)).tuples().all())


def receipts_of(*, session: Session, document_ids: Collection[str]
                ) -> dict[tuple[str, str], DocumentReceipt]:
    """Each (document, organization) receipt of these documents."""
    rows = session.execute(select(DocumentReceipt).where(
        DocumentReceipt.document_id.in_(list(document_ids)))).scalars()  # type: ignore[attr-defined]
    return {(r.document_id, r.org_code): r for r in rows}


def organization_names(*, session: Session, codes: Collection[str]) -> dict[str, str]:
    rows = session.execute(select(Organization.org_code, Organization.org_name).where(
        Organization.org_code.in_(list(codes)))).all()  # type: ignore[attr-defined]
    return {code: name for code, name in rows}
