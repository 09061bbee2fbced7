"""Every document of a period as users list it: `dutyflow documents` and its JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dutyflow.core.errors import BadInputError
from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import DOCUMENT_KINDS, DocumentStatus, document_name, status_words
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.documents import cases_by_document, period_documents


@dataclass(frozen=True)
class Listed:
    id: str
    kind: str
    status: str
    case_ids: list[str]
    document_number: str | None
    issued_on: date | None
    path: str | None
    organization: str

    @property
    def kind_name(self) -> str:
        return document_name(self.kind)

    @property
    def status_words(self) -> str:
        return status_words(self.status)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status,
                "case_ids": self.case_ids, "document_number": self.document_number,
                "issued_on": self.issued_on.isoformat() if self.issued_on else None,
                "path": self.path, "organization": self.organization}


def list_documents(*, period: str, status: str | None = None,
                   kind: str | None = None) -> list[Listed]:
    """The period's documents (a month's notices, 催办 and 通报批评; a quarter's circulars)."""
    p = str(Period.parse(period))
    if status and status not in {s.value for s in DocumentStatus}:
        raise BadInputError(f"没有“{status}”这种状态；可选：" + "、".join(
            f"{s.value}（{s.words}）" for s in DocumentStatus))
    if kind and kind not in DOCUMENT_KINDS:
        raise BadInputError(f"没有“{kind}”这种文书；可选：" + "、".join(
            f"{k}（{v.name}）" for k, v in DOCUMENT_KINDS.items()))
    with session_scope() as session:
        documents = period_documents(session=session, period=p,
                                     kinds=(kind,) if kind else None,
                                     statuses=(status,) if status else None)
        cases = cases_by_document(session=session, document_ids=[d.id for d in documents])
        names = organization_names(session=session)
    return [Listed(d.id, d.kind, d.status, cases.get(d.id, []), d.document_number, d.issued_on,
                   d.path, names.get(d.org_code, d.org_code) if d.org_code else "各单位")
            for d in documents]
