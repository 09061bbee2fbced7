"""A 通报 to all units reaches every organization's inbox once, and each organization signs for
it on its own: one receipt per organization, in its own name."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import DocumentReceipt
from dutyflow.services.reviewers import add_reviewer
from tests.desk.conftest import PASSWORD
from tests.factories import approve_criticism_circular
from tests.flows.test_review_issue import cycle_with_a_proposal
from tests.portal.conftest import token_for
from tests.portal.test_portal_api import api_client

CIRCULAR = "criticism-2026-08"


def test_a_circular_to_all_units_is_in_every_inbox_and_signed_for_by_each(sqlite_url, tmp_path):
    from dutyflow.models.documents import record_decision
    from dutyflow.services.issuing import issue_approved

    cases = cycle_with_a_proposal(tmp_path)
    criticised = next(c for c in cases if c.measure == "circulated_criticism")
    with session_scope() as session:
        record_decision(session=session, document_id=criticised.id, decision="approve",
                        reviewer="张主任", note="", decision_ref="工委会议纪要〔2026〕9号")
    approve_criticism_circular("2026-08")
    issue_approved(period="2026-08", on=date(2026, 11, 23), issued_by="张主任")
    others = sorted({c.org_code for c in cases} - {criticised.org_code})[:2]
    for name, org in zip(("甲支部", "乙支部"), others, strict=True):
        add_reviewer(name=name, role="", password=PASSWORD, org_code=org, kind="branch")
    first, second = token_for("甲支部"), token_for("乙支部")
    with api_client() as client:
        for headers in (first, second):
            listed = [d for d in client.get("/api/documents", headers=headers).json()
                      if d["id"] == CIRCULAR]
            assert len(listed) == 1 and listed[0]["org_code"] is None
            assert listed[0]["signed_for_at"] is None
        assert client.post(f"/api/documents/{CIRCULAR}/receipt", headers=first).status_code == 200
        # the other organization has not signed for it yet
        theirs = client.get("/api/documents", headers=second).json()
        assert next(d for d in theirs if d["id"] == CIRCULAR)["signed_for_at"] is None
        assert client.post(f"/api/documents/{CIRCULAR}/receipt", headers=second).status_code == 200
    with session_scope() as session:
        receipts = session.execute(select(DocumentReceipt.org_code, DocumentReceipt.signed_by)
                                   .where(DocumentReceipt.document_id == CIRCULAR)).all()
    assert sorted(receipts) == sorted(zip(others, ("甲支部", "乙支部"), strict=True))


def test_an_organization_given_an_account_after_a_circular_owes_no_receipt_for_it(sqlite_url,
                                                                                   tmp_path):
    """The desk's 签收 list names the organizations a circular reached: those with an account
    the day it was issued (or that signed for it since), not everyone with one today."""
    from dutyflow.models.documents import record_decision
    from dutyflow.services.issuing import issue_approved
    from dutyflow.services.receipts import document_receipts

    cases = cycle_with_a_proposal(tmp_path)
    criticised = next(c for c in cases if c.measure == "circulated_criticism")
    with session_scope() as session:
        record_decision(session=session, document_id=criticised.id, decision="approve",
                        reviewer="张主任", note="", decision_ref="工委会议纪要〔2026〕9号")
    approve_criticism_circular("2026-08")
    issue_approved(period="2026-08", on=date(2026, 11, 23), issued_by="张主任")
    late, signer = sorted({c.org_code for c in cases} - {criticised.org_code})[:2]
    add_reviewer(name="新支部", role="", password=PASSWORD, org_code=late, kind="branch")
    add_reviewer(name="签收支部", role="", password=PASSWORD, org_code=signer, kind="branch")
    with api_client() as client:
        assert client.post(f"/api/documents/{CIRCULAR}/receipt",
                           headers=token_for("签收支部")).status_code == 200
    rows = document_receipts(CIRCULAR, on=date(2026, 12, 31))
    assert [(r.org_code, r.state) for r in rows] == [(signer, "signed")]
