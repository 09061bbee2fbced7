"""The follow-up at the desk in real headless Chromium: the 反馈跟踪 view, a case opened from
it, its reply and evidence read, returned (refused without a reason, then with the new due
date), answered again and closed (销号); and the same pages at a phone's 390 px."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case
from dutyflow.services.followup import record_reply
from dutyflow.services.issuing import issue_approved
from dutyflow.services.review import decide
from tests.desk.conftest import SCREENSHOTS
from tests.desk.test_desk_browser import log_in

CASE = "2026-08-DW0002-ZB03"
OTHERS = ("2026-08-DW0002-ZB08", "2026-08-DW0004-ZB07")
PDF = b"%PDF-1.4 minutes"


def issue_and_reply(folder: Path) -> None:
    """August's three letters issued on 7 September (the service, not the Prefect flow: the
    browser's event loop is open in this thread); one answered with a file."""
    for case_id in (CASE, *OTHERS):
        decide(document_id=case_id, decision="approve", reviewer="张主任")
    issue_approved(period="2026-08", on=date(2026, 9, 7), issued_by="张主任")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "会议记录.pdf").write_bytes(PDF)
    record_reply(case_id=CASE, received=date(2026, 9, 15), files=[folder / "会议记录.pdf"],
                 measures="已补开支部委员会会议", completed=True)


def follow_up_of(case_id: str) -> tuple[str | None, date | None, date | None]:
    with session_scope() as session:
        found = session.get(Case, case_id)
        return found.follow_up, found.replied_on, found.reply_due


def test_a_reviewer_follows_a_month_up_to_the_closure_in_the_browser(browser, desk_url, tmp_path):
    issue_and_reply(tmp_path / "replies")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        log_in(page, desk_url)
        page.click("#nav-followup")
        page.wait_for_url(re.compile(r".*/followup.*"))
        assert page.locator("h1").inner_text() == "整改反馈跟踪 · 2026-08"
        assert page.locator("#followup tbody tr").count() == 3
        assert page.locator("#chart .unit-line").count() >= 1
        page.screenshot(path=str(SCREENSHOTS / "desk-followup.png"), full_page=True)

        # only the answers waiting for a decision, then the case
        page.click("#states a[data-state=answered]")
        assert page.locator("#followup tbody tr").count() == 1
        page.click(f"#followup a.case-link:text('{CASE}')")
        page.wait_for_url(re.compile(f".*/documents/{CASE}$"))
        assert "已补开支部委员会会议" in page.locator("#follow-up").inner_text()
        with page.expect_popup() as opened:
            page.click("#follow-up .evidence-files a")
        assert opened.value.url.endswith(f"/documents/{CASE}/replies/1/files/0")
        opened.value.close()

        # return without a reason: refused, in Chinese, nothing changed; then with one
        due_text = page.locator("#return-due").inner_text()
        page.click("#return")
        assert "退回须写明理由" in page.get_by_role("alert").first.inner_text()
        assert follow_up_of(CASE)[1] == date(2026, 9, 15)
        page.fill("#return-note", "缺少会议签到表")
        page.click("#return")
        new_due = follow_up_of(CASE)[2]
        assert f"须于 {new_due} 前重新反馈" in page.locator(".flash.ok").inner_text()
        assert str(new_due) in due_text  # the date the form announced is the one set
        assert page.locator("#follow-status").inner_text() == "已印发，待整改反馈"
        assert page.locator("#accept").count() == 0  # nothing to decide until it comes again

        # the branch answers again; the reviewer closes the case
        record_reply(case_id=CASE, received=date.today(), measures="补报签到表", completed=True)
        page.reload()
        page.fill("#accept-note", "材料齐全")
        page.click("#accept")
        assert "已销号" in page.locator(".flash.ok").inner_text()
        assert page.locator("#follow-status").inner_text() == "已销号"
        assert follow_up_of(CASE)[0] == "closed"
        audit = page.locator("#audit").inner_text()
        assert "反馈退回" in audit and "反馈通过，销号" in audit and "退回未记录" in audit

        page.click("#to-followup")
        row = page.locator(f"#followup tbody tr:has(a:text('{CASE}'))")
        assert row.get_attribute("data-state") == "closed"
        page.click("#nav-mine")
        decided = page.locator("#decided-list").inner_text()
        assert "反馈通过，销号" in decided and "反馈退回" in decided and CASE in decided
    finally:
        context.close()


def test_the_follow_up_pages_fit_a_phone_s_390_px(browser, desk_url, tmp_path):
    issue_and_reply(tmp_path / "replies")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        log_in(page, desk_url)
        for name, path in (("desk-followup-390", "/followup?period=2026-08"),
                           ("desk-reply-390", f"/documents/{CASE}"),
                           ("desk-mine-390", "/mine"),
                           ("desk-board-390", "/followup/board?period=2026-09")):
            page.goto(desk_url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            assert width <= 390, (path, width)
            # the header holds its links (none drawn under the page below it)
            header = page.locator("header.bar").bounding_box()
            mine = page.locator("#nav-mine").bounding_box()
            assert mine["y"] + mine["height"] <= header["y"] + header["height"], path
        page.goto(desk_url + "/followup?period=2026-08")
        assert page.locator("#chart .stackbar").first.is_visible()
        assert page.locator("#followup a.case-link").first.is_visible()
    finally:
        context.close()
