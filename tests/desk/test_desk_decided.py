"""Decided looks decided; a single key never approves alone; a secretary sees no forms on
their own branch; a decision interrupted by an expired login keeps what was typed."""

from __future__ import annotations

import re

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Document, Organization
from dutyflow.services.review import decide
from dutyflow.services.reviewers import add_reviewer
from tests.desk.conftest import PASSWORD
from tests.desk.test_desk_browser import log_in as log_in_browser
from tests.desk.test_desk_security import log_in

CASE = "2026-08-DW0002-ZB03"


def status_of(document_id: str) -> str:
    with session_scope() as session:
        return session.get(Document, document_id).status


def test_a_decided_document_shows_who_decided_and_no_buttons_or_key_hints(client):
    decide(document_id=CASE, decision="approve", reviewer="刘审核")
    log_in(client)
    page = client.get(f"/documents/{CASE}").text
    assert re.search(r'id="decided">已批准，待印发：刘审核于[\d-]+ [\d:]+决定', page)
    assert 'id="keys"' not in page and "<kbd>a</kbd>" not in page
    # changing one's mind stays possible, folded away behind a deliberate click
    folded = re.search(r'<details id="change-decision">(.*?)</details>', page, re.S).group(1)
    assert 'id="approve"' in folded and 'id="reject"' in folded
    assert page.count('id="approve"') == 1
    draft = client.get("/documents/2026-08-DW0002-ZB08").text
    assert 'id="keys"' in draft and 'id="change-decision"' not in draft


def test_a_secretary_without_a_branch_on_the_account_sees_no_forms_on_their_own(client):
    with session_scope() as session:
        org_code = session.get(Case, CASE).org_code
        secretary = session.get(Organization, org_code).secretary.strip()
    add_reviewer(name=secretary, role="支部书记", password=PASSWORD)  # no branch given
    log_in(client, secretary)
    page = client.get(f"/documents/{CASE}").text
    assert 'id="own-branch"' in page and 'id="approve"' not in page and 'id="keys"' not in page
    assert 'id="approve"' in client.get("/documents/2026-08-DW0002-ZB08").text  # another's


def test_the_a_key_asks_before_it_approves(page, desk_url):
    log_in_browser(page, desk_url)
    page.goto(f"{desk_url}/documents/{CASE}")
    page.keyboard.press("a")
    assert page.locator("#confirm-approve").is_visible() and status_of(CASE) == "draft"
    page.keyboard.press("Escape")
    assert not page.locator("#confirm-approve").is_visible()
    page.keyboard.press("a")
    page.keyboard.press("a")
    page.wait_for_url(re.compile(r".*/documents/(?!2026-08-DW0002-ZB03).*"))
    assert status_of(CASE) == "approved"


def test_a_rejection_interrupted_by_an_expired_login_keeps_its_note(page, desk_url):
    log_in_browser(page, desk_url)
    page.goto(f"{desk_url}/documents/{CASE}?measure=reminder")
    note = "材料不全，请补充会议记录"
    page.fill("#reject-note", note)
    page.context.clear_cookies()  # the login expires while the reviewer writes
    page.click("#reject")
    assert "登录已过期或尚未登录" in page.get_by_role("alert").inner_text()
    assert note in page.locator("#pending-note").inner_text()
    assert status_of(CASE) == "draft"  # nothing recorded from a form without a session
    page.fill("input[name=name]", "李审核")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf".*/documents/{CASE}\?measure=reminder$"))
    assert "填写的内容已保留" in page.get_by_role("alert").inner_text()
    assert page.locator("#reject-note").input_value() == note
    page.click("#reject")
    with session_scope() as session:
        document = session.execute(select(Document).where(Document.id == CASE)).scalar_one()
        assert (document.status, document.note, document.reviewer) == ("rejected", note, "李审核")
