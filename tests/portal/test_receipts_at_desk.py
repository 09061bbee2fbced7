"""签收 as the office sees it: each issued document's addressees at the desk (已送达, 已签收 by
whom and when, 逾期未签收 after the policy's working days), and the desk's list of those not
signed for, in a browser."""

from __future__ import annotations

from datetime import date

import pytest

from dutyflow.core.calendar import add_working_days
from dutyflow.rules.policy import load_policy
from dutyflow.services.portal import receive, scope_of
from dutyflow.services.receipts import (
    DELIVERED,
    OVERDUE,
    SIGNED,
    document_receipts,
    overdue_receipts,
)
from dutyflow.services.reviewers import Reviewer
from tests.desk.conftest import PASSWORD, SCREENSHOTS
from tests.desk.test_desk_security import log_in
from tests.portal.conftest import ISSUED_ON


@pytest.fixture
def desk_page(browser):
    """A reviewer's office PC (the desk's own browser page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def sign(seed) -> None:
    """一支部书记 signs for the letter to its branch, as the portal does."""
    receive(scope_of(Reviewer("一支部书记", "支部书记", seed.mine, "branch")), seed.my_case)


def test_a_document_is_delivered_then_overdue_after_the_policys_working_days(portal_db):
    policy = load_policy()
    assert policy.portal.sign_for_working_days == 3
    last = add_working_days(ISSUED_ON, 3)  # 9 September 2026, a Wednesday: the 14th
    assert last == date(2026, 9, 14)
    [row] = document_receipts(portal_db.my_case, on=last, policy=policy)
    assert (row.org_code, row.state, row.state_words) == (portal_db.mine, DELIVERED, "已送达")
    [row] = document_receipts(portal_db.my_case, on=date(2026, 9, 15), policy=policy)
    assert (row.state, row.state_words, row.sign_by) == (OVERDUE, "逾期未签收", last)
    late = overdue_receipts(on=date(2026, 9, 15), policy=policy)
    assert portal_db.my_case in {r.document_id for r in late}
    assert not overdue_receipts(on=last, policy=policy)


def test_signing_for_it_shows_who_and_when_and_takes_it_off_the_overdue_list(portal_db):
    sign(portal_db)
    [row] = document_receipts(portal_db.my_case, on=date(2026, 12, 1))
    assert (row.state, row.state_words, row.signed_by) == (SIGNED, "已签收", "一支部书记")
    assert row.signed_at is not None
    late = overdue_receipts(on=date(2026, 12, 1))
    assert portal_db.my_case not in {r.document_id for r in late}
    assert portal_db.their_case in {r.document_id for r in late}


def test_a_draft_has_no_receipts(portal_db):
    assert document_receipts("no-such-document", on=date(2026, 12, 1)) == []


def test_the_desk_lists_documents_not_signed_for_and_each_documents_receipts(client, portal_db):
    sign(portal_db)
    log_in(client, "李审核")
    listed = client.get("/receipts")
    assert listed.status_code == 200
    assert "逾期未签收" in listed.text and f"/documents/{portal_db.their_case}" in listed.text
    assert f"/documents/{portal_db.my_case}\"" not in listed.text
    mine = client.get(f"/documents/{portal_db.my_case}").text
    assert "签收情况" in mine and "已签收" in mine and "一支部书记" in mine
    theirs = client.get(f"/documents/{portal_db.their_case}").text
    assert "签收情况" in theirs and "逾期未签收" in theirs
    # an organization's account is no reviewer: the office's list is not its to see
    client.post("/logout")
    client.cookies.clear()
    log_in(client, "一支部书记")
    refused = client.get("/receipts")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_a_reviewer_follows_the_desk_link_to_what_is_not_signed_for(desk_page, portal_url,
                                                                   portal_db):
    page = desk_page
    sign(portal_db)
    page.goto(f"{portal_url}/login")
    page.fill("input[name=name]", "李审核")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("#nav-receipts")
    page.wait_for_selector("#overdue-receipts")
    rows = page.locator("#overdue-receipts tbody tr")
    assert rows.count() >= 1
    assert "逾期未签收" in page.locator("#overdue-receipts").inner_text()
    page.locator(f"#overdue-receipts a[href='/documents/{portal_db.their_case}']").first.click()
    page.wait_for_selector("#receipts")
    assert "逾期未签收" in page.locator("#receipts").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-receipts.png"), full_page=True)
    page.goto(f"{portal_url}/documents/{portal_db.my_case}")
    assert "已签收" in page.locator("#receipts").inner_text()
    assert "一支部书记" in page.locator("#receipts").inner_text()
