"""A branch secretary on a phone (390 px; and at an office PC, 1280 px; real headless
Chromium): log in, see what is due and the notice not yet signed for, open it, 签收, answer it
with two evidence files; the office then finds the answer where `dutyflow reply` puts one. No
page scrolls sideways. Then a 主题党日 goes into the ledger."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, DocumentReceipt, Reply
from tests.portal.conftest import PASSWORD, SCREENSHOTS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fits(page) -> None:
    """Nothing wider than the window: no sideways scrolling (read once a navigation a click
    started has loaded its page)."""
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def test_a_secretary_signs_for_a_notice_and_answers_it_on_a_phone(phone, portal_url, portal_db,
                                                                  tmp_path: Path):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = phone
    size = page.viewport_size["width"]
    page.goto(f"{portal_url}/portal")
    assert "/login" in page.url
    fits(page)
    page.fill("input[name=name]", "一支部书记")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal$"))

    # the home page: duties of the month, the answer due, the notice not yet signed for
    assert page.locator("#duties li").count() >= 1
    assert page.locator("#answers li").count() >= 1
    unsigned = page.locator("#unsigned li")
    assert unsigned.count() == 1 and "提醒函" in unsigned.inner_text()
    fits(page)
    page.screenshot(path=str(SCREENSHOTS / f"portal-home-{size}.png"), full_page=True)

    # the inbox, then the notice itself, then 签收
    page.click("header nav >> text=收文")
    assert "未签收" in page.locator("#inbox").inner_text()
    fits(page)
    page.click("#inbox a >> nth=0")
    assert portal_db.my_case in page.url
    notice = page.frame_locator("#notice").locator("body")
    assert "提醒" in notice.inner_text()
    fits(page)
    page.click("#sign-for")
    assert "已签收" in page.get_by_role("status").first.inner_text()
    assert "一支部书记" in page.locator("#signed").inner_text()
    with session_scope() as session:
        receipt = session.get(DocumentReceipt, (portal_db.my_case, portal_db.mine))
        assert receipt is not None and receipt.signed_by == "一支部书记"
    page.screenshot(path=str(SCREENSHOTS / f"portal-document-{size}.png"), full_page=True)

    # the answer: measures, done, two files
    page.click("#answer")
    fits(page)
    minutes, photo = tmp_path / "支委会会议记录.pdf", tmp_path / "现场照片.png"
    minutes.write_bytes(PDF)
    photo.write_bytes(PNG)
    page.fill("#measures", "召开支委会专题研究，已补开主题党日，并建立组织生活提醒制度")
    for item in range(1, page.locator("fieldset.item").count() + 1):  # each finding: done
        page.check(f"#item-{item}-yes")
        page.fill(f"#item-{item}-on", "2026-09-15")
    page.set_input_files("#files", [str(minutes), str(photo)])
    page.screenshot(path=str(SCREENSHOTS / f"portal-reply-{size}.png"), full_page=True)
    page.click("#submit-reply")
    page.wait_for_url(re.compile(r".*/portal$"))
    assert "整改情况反馈已提交" in page.get_by_role("status").first.inner_text()
    assert "已反馈，等待审核" in page.locator("#answers").inner_text()
    assert page.locator("#unsigned li").count() == 0

    # a 主题党日 that also counts as the 党课, recorded in the ledger as it happens
    page.click("header nav >> text=台账")
    fits(page)
    page.check("#type-theme_day")
    page.check("#type-party_lecture")
    page.fill("#held_on", "2026-11-12")
    page.fill("#attendees", "3")
    page.fill("#topic", "学习党章，重温入党誓词")
    page.screenshot(path=str(SCREENSHOTS / f"portal-ledger-{size}.png"), full_page=True)
    page.click("#record-meeting")
    assert "已登记" in page.get_by_role("status").first.inner_text()
    recorded = page.locator("#meetings").inner_text()
    assert "主题党日" in recorded and "党课" in recorded and "学习党章" in recorded

    with session_scope() as session:
        reply = session.execute(select(Reply).where(
            Reply.case_id == portal_db.my_case)).scalars().one()
        case = session.get(Case, portal_db.my_case)
        assert case.replied_on == reply.received_on and reply.completed is True
        assert "主题党日" in reply.measures
        assert [Path(f["path"]).read_bytes() for f in reply.files] == [PDF, PNG]
