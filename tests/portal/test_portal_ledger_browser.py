"""A secretary keeps the minutes and the sign-in sheet with a meeting in the ledger, on a phone
(390 px) and at an office PC (1280 px), in real headless Chromium: the files are listed with
links that give them back, and no page scrolls sideways."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import LedgerFile
from tests.portal.conftest import PASSWORD, SCREENSHOTS
from tests.portal.test_portal_browser import PDF, PNG, fits


def test_a_secretary_keeps_minutes_and_a_sign_in_sheet_with_a_meeting(phone, portal_url,
                                                                     portal_db, tmp_path: Path):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = phone
    size = page.viewport_size["width"]
    page.goto(f"{portal_url}/portal/ledger")
    page.fill("input[name=name]", "一支部书记")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal.*"))
    page.goto(f"{portal_url}/portal/ledger")
    page.check("#type-theme_day")
    page.fill("#held_on", "2026-11-12")
    page.fill("#attendees", "3")
    page.click("#record-meeting")
    assert "已登记" in page.get_by_role("status").first.inner_text()

    minutes, sheet = tmp_path / "会议记录.pdf", tmp_path / "签到表.png"
    minutes.write_bytes(PDF)
    sheet.write_bytes(PNG)
    form = page.locator("form.meeting-files").first
    form.locator("input[type=file]").set_input_files([str(minutes)])
    form.locator("button").click()
    assert "已保存会议记录 1 个文件" in page.get_by_role("status").first.inner_text()
    form = page.locator("form.meeting-files").first
    form.locator("select").select_option("sign_in")
    form.locator("input[type=file]").set_input_files([str(sheet)])
    form.locator("button").click()
    assert "已保存签到表 1 个文件" in page.get_by_role("status").first.inner_text()
    listed = page.locator("#meetings .files").inner_text()
    assert "会议记录：会议记录.pdf" in listed and "签到表：签到表.png" in listed
    fits(page)
    page.screenshot(path=str(SCREENSHOTS / f"portal-ledger-files-{size}.png"), full_page=True)

    link = page.locator("#meetings .files a", has_text="签到表.png").get_attribute("href")
    assert link is not None
    got = page.request.get(f"{portal_url}{link}")
    assert got.status == 200 and got.body() == PNG
    with session_scope() as session:
        kept = list(session.execute(select(LedgerFile).order_by(LedgerFile.id)).scalars())
    assert [(f.kind, Path(f.path).read_bytes()) for f in kept] == [("minutes", PDF),
                                                                  ("sign_in", PNG)]
