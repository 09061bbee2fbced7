"""签收 as the office sees it: per issued document and addressee, delivered (已送达), signed
for (已签收, by whom and when) or not signed for within the policy's working days (逾期未签收)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from dutyflow.core.calendar import add_working_days, local_time
from dutyflow.core.vocabulary import DOCUMENT_KINDS
from dutyflow.models.db import session_scope
from dutyflow.models.receipts import (
    issued_documents,
    organization_names,
    organizations_with_accounts,
    receipts_of,
)
from dutyflow.models.tables import Document, as_utc
from dutyflow.rules.policy import Policy
from dutyflow.services.evaluate import current_policy
from dutyflow.services.reviewers import ORGANIZATION_KINDS

DELIVERED, SIGNED, OVERDUE = "delivered", "signed", "overdue"
STATE_WORDS = {DELIVERED: "已送达", SIGNED: "已签收", OVERDUE: "逾期未签收"}


@dataclass(frozen=True)
class ReceiptRow:
    document_id: str
    kind_name: str  # 提醒函, 通报, ...
    document_number: str | None
    issued_on: date
    org_code: str
    org_name: str
    sign_by: date  # the last working day to sign for it
    state: str  # DELIVERED, SIGNED, OVERDUE
    signed_by: str | None = None
    signed_at: datetime | None = None

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]


def sign_by(issued_on: date, policy: Policy) -> date:
    """The last day an addressee may sign for a document issued on `issued_on`."""
    return add_working_days(issued_on, policy.portal.sign_for_working_days)


def _rows(documents: Iterable[Document], *, on: date, policy: Policy) -> list[ReceiptRow]:
    documents = list(documents)
    with session_scope() as session:
        accounts = organizations_with_accounts(session=session, kinds=ORGANIZATION_KINDS) \
            if any(d.org_code is None for d in documents) else {}
        receipts = receipts_of(session=session, document_ids=[d.id for d in documents])
        # a circular reached the organizations that had an account the day it was issued
        # (or that signed for it): one given an account later owes no 签收 for it
        since = {code: local_time(at).date() for code, at in accounts.items()}  # once, not per
        addressed = {d.id: [d.org_code] if d.org_code else [  # circular and organization
            code for code, day in since.items()
            if day <= (d.issued_on or on) or (d.id, code) in receipts]
            for d in documents}
        names = organization_names(session=session,
                                   codes={c for codes in addressed.values() for c in codes})
    rows = []
    for document in documents:
        issued_on = document.issued_on or on
        last = sign_by(issued_on, policy)
        for code in addressed[document.id]:
            receipt = receipts.get((document.id, code))
            state = SIGNED if receipt else (OVERDUE if on > last else DELIVERED)
            rows.append(ReceiptRow(document.id, DOCUMENT_KINDS[document.kind].name,
                                   document.document_number, issued_on, code,
                                   names.get(code, code), last, state,
                                   receipt.signed_by if receipt else None,
                                   as_utc(receipt.signed_at) if receipt else None))
    return rows


def document_receipts(document_id: str, *, on: date,
                      policy: Policy | None = None) -> list[ReceiptRow]:
    """Each addressee of an issued document and its 签收; empty while it is not issued. A
    circular to all units goes to every organization with a portal account."""
    with session_scope() as session:
        documents = issued_documents(session=session, document_ids=[document_id])
    if not documents:  # a draft's page reads no policy
        return []
    return _rows(documents, on=on, policy=policy or current_policy())


def overdue_receipts(*, on: date, policy: Policy | None = None) -> list[ReceiptRow]:
    """Every addressee that has not signed for a document within the policy's working days,
    longest overdue first."""
    policy = policy or current_policy()
    with session_scope() as session:
        documents = issued_documents(session=session, issued_by=on)
    return [r for r in _rows(documents, on=on, policy=policy) if r.state == OVERDUE]
