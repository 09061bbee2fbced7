"""The issue's "done when", as a new branch secretary lives it on a phone (390 px, real
headless Chromium; and at an office PC's 1280) while the office works at its desk: log in and
see what is due, record a 主题党日 with its minutes, sign for the 提醒函, answer it with
evidence, read the office's return and the new due date, answer again, see the case closed;
then November's cycle, run with no spreadsheet at all, judges the branch from its ledger."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Finding, LedgerFile, LedgerMeeting, Reply
from tests.desk.test_desk_browser import log_in
from tests.portal.conftest import PASSWORD, SCREENSHOTS
from tests.portal.test_portal_browser import PDF, PNG, fits

NOVEMBER = "2026-11"
MONTHLY = {"committee_meeting", "theme_day"}  # the monthly duties the secretary records


def secretary_logs_in(page, portal_url: str) -> None:
    page.goto(f"{portal_url}/portal")
    page.fill("input[name=name]", "一支部书记")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal$"))


def record(page, *, types: list[str], held_on: str, attendees: str, topic: str) -> None:
    page.click("header nav >> text=台账")
    for kind in types:
        page.check(f"#type-{kind}")
    page.fill("#held_on", held_on)
    page.fill("#attendees", attendees)
    page.fill("#topic", topic)
    page.click("#record-meeting")
    assert "已登记" in page.get_by_role("status").first.inner_text()


def answer(page, *, measures: str, files: list[Path]) -> None:
    page.fill("#measures", measures)
    for item in range(1, page.locator("fieldset.item").count() + 1):
        page.check(f"#item-{item}-yes")
        page.fill(f"#item-{item}-on", "2026-11-20")
    if files:
        page.set_input_files("#files", [str(f) for f in files])
    fits(page)
    page.click("#submit-reply")
    page.wait_for_url(re.compile(r".*/portal$"))
    assert "整改情况反馈已提交" in page.get_by_role("status").first.inner_text()


def judged_meetings(org_code: str) -> set[str]:
    """The monthly meeting duties November's findings say the organization failed."""
    with session_scope() as session:
        return set(session.execute(select(Finding.subject).where(
            Finding.period == NOVEMBER, Finding.org_code == org_code, Finding.current,
            Finding.family == "meeting")).scalars()) & MONTHLY


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_a_new_secretary_s_month_on_a_phone_while_the_office_reviews_at_the_desk(
        browser, portal_url, portal_db, tmp_path: Path, width: int):
    SCREENSHOTS.mkdir(exist_ok=True)
    mine, case = portal_db.mine, portal_db.my_case
    mobile = width < 800
    phone = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN",
                                is_mobile=mobile, has_touch=mobile,
                                device_scale_factor=2 if mobile else 1)
    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    for context in (phone, office):
        context.set_default_timeout(15000)
    page, desk = phone.new_page(), office.new_page()
    try:
        # log in; what is due: the month's duties, the answer, the notice not signed for
        secretary_logs_in(page, portal_url)
        assert page.locator("#duties li").count() >= 1
        assert "提醒函" in page.locator("#unsigned").inner_text()
        assert page.locator("#answers li").count() == 1
        fits(page)

        # November's 主题党日 and 支委会 go into the ledger; the day's minutes beside the first
        record(page, types=["theme_day"], held_on="2026-11-12", attendees="9",
               topic="学习党章，重温入党誓词")
        minutes = tmp_path / "主题党日会议记录.pdf"
        minutes.write_bytes(PDF)
        day = page.locator("#meetings li", has_text="学习党章")
        day.locator("select").select_option(label="会议记录")
        day.locator("input[type=file]").set_input_files(str(minutes))
        day.locator("button[type=submit]").click()
        assert "主题党日会议记录.pdf" in page.locator("#meetings").inner_text()
        record(page, types=["committee_meeting"], held_on="2026-11-05", attendees="5",
               topic="研究部署整改工作")
        fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"walkthrough-ledger-{width}.png"), full_page=True)

        # the 提醒函: opened, signed for, answered with two files
        page.click("header nav >> text=收文")
        page.click(f"#inbox a[href$='{case}']")
        frame = page.locator("#notice").bounding_box()  # the A4 page scaled to the phone
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width, frame
        page.click("#sign-for")
        assert "已签收" in page.locator("#signed").inner_text()
        page.click("#answer")
        photo = tmp_path / "现场照片.png"
        photo.write_bytes(PNG)
        answer(page, measures="召开支委会专题研究，补开主题党日", files=[minutes, photo])
        assert "已反馈，等待审核" in page.locator("#answers").inner_text()

        # the office returns it at the desk
        log_in(desk, portal_url)
        desk.goto(f"{portal_url}/documents/{case}")
        assert "补开主题党日" in desk.locator("#follow-up").inner_text()
        desk.fill("#return-note", "缺少会议签到表")
        desk.click("#return")
        assert "须于" in desk.locator(".flash.ok").inner_text()
        with session_scope() as session:
            new_due = session.get(Case, case).reply_due
        assert new_due is not None and new_due > date(2026, 9, 30)

        # the branch reads why and by when, and answers again
        page.goto(f"{portal_url}/portal")
        returned = page.locator("#answers").inner_text()
        assert "已退回" in returned and "缺少会议签到表" in returned and str(new_due) in returned
        page.goto(f"{portal_url}/portal/documents/{case}")
        assert str(new_due) in page.locator("#follow-status").inner_text()
        assert f"反馈期限 {new_due}" in page.locator("main p.muted").first.inner_text()
        assert "反馈退回" in page.locator("#answer-steps").inner_text()
        page.click("#answer")
        assert "缺少会议签到表" in page.locator("#returned").inner_text()
        sheet = tmp_path / "签到表.png"
        sheet.write_bytes(PNG + b"sign-in")
        answer(page, measures="补报主题党日签到表", files=[sheet])

        # the office closes it (销号)
        desk.reload()
        desk.fill("#accept-note", "材料齐全")
        desk.click("#accept")
        assert "已销号" in desk.locator(".flash.ok").inner_text()

        # the branch sees it closed, its record in order, nothing left to answer
        page.goto(f"{portal_url}/portal/documents/{case}")
        assert "已销号" in page.locator("#follow-status").inner_text()
        steps = page.locator("#answer-steps li").all_inner_texts()
        said = ["收到整改反馈（一支部书记）", "反馈退回（李审核）", "收到整改反馈（一支部书记）",
                "反馈通过，销号（李审核）"]
        assert [next(w for w in said if w in s) for s in steps] == said, steps
        assert f"缺少会议签到表（重新反馈期限 {new_due}）" in steps[1]
        assert "#answer" not in page.content() and page.locator("#answer").count() == 0
        fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"walkthrough-closed-{width}.png"), full_page=True)
        page.goto(f"{portal_url}/portal")
        assert page.locator("#answers li").count() == 0
    finally:
        phone.close()
        office.close()

    with session_scope() as session:
        replies = session.execute(select(Reply).where(Reply.case_id == case)).scalars().all()
        assert len(replies) == 2 and session.get(Case, case).follow_up == "closed"
        kept = session.execute(select(LedgerFile.name).join(
            LedgerMeeting, LedgerFile.meeting_id == LedgerMeeting.id).where(
            LedgerMeeting.org_code == mine)).scalars().all()
        assert kept == ["主题党日会议记录.pdf"]

    # November's cycle, with no workbook: the branch is judged on its ledger, another branch
    # that recorded nothing fails its 主题党日 (a flow run in a thread of its own: the
    # browser's event loop held this one)
    from dutyflow.flows.cycle import run_cycle

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run_cycle, period=NOVEMBER, input_path=None,
                    on=date(2026, 12, 2)).result()
    assert judged_meetings(mine) == set()
    assert "theme_day" in judged_meetings(portal_db.theirs)
