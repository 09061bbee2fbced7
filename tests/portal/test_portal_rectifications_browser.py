"""A secretary keeps a rectification item in the ledger on a phone (390 px) and at an office
PC (1280 px), in real headless Chromium: adds it, is refused in Chinese naming the field when
the completion precedes the problem's 发现日期, marks it done with its evidence, and finds the
file listed with a link that gives it back; no page scrolls sideways."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import LedgerRectification
from tests.portal.conftest import PASSWORD, SCREENSHOTS
from tests.portal.test_portal_browser import PDF, fits


def test_a_secretary_keeps_a_rectification_item_up_to_date_with_its_evidence(
        phone, portal_url, portal_db, tmp_path: Path):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = phone
    size = page.viewport_size["width"]
    page.goto(f"{portal_url}/portal/ledger")
    page.fill("input[name=name]", "一支部书记")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal.*"))
    page.goto(f"{portal_url}/portal/ledger#rectifications")

    def add(completed_on: str, said: str = "status") -> str:
        page.fill("#item_id", "ZG-PHONE-01")
        page.fill("#description", "组织生活会会后整改清单未公示")
        page.fill("#source", "巡察")
        page.fill("#found_on", "2026-09-10")
        page.fill("#deadline", "2026-10-31")
        page.select_option("#item-status", "done")
        page.fill("#item-completed_on", completed_on)
        page.click("#record-item")
        return page.get_by_role(said).first.inner_text()  # type: ignore[arg-type]

    assert "完成日期2026-09-01早于发现日期2026-09-10" in add("2026-09-01", "alert")
    assert "已登记整改问题ZG-PHONE-01" in add("2026-09-20")
    fits(page)

    report = tmp_path / "整改报告.pdf"
    report.write_bytes(PDF)
    form = page.locator("form.item-update").first
    form.locator("select").select_option("closed")
    form.locator("input[type=file]").set_input_files([str(report)])
    form.locator("button").click()
    assert "已更新整改问题ZG-PHONE-01：已销号" in page.get_by_role("status").first.inner_text()
    listed = page.locator("#items").inner_text()
    assert "佐证材料：整改报告.pdf" in listed and "已销号" in listed
    fits(page)
    page.screenshot(path=str(SCREENSHOTS / f"portal-ledger-rectifications-{size}.png"),
                    full_page=True)

    link = page.locator("#items .files a", has_text="整改报告.pdf").get_attribute("href")
    assert link is not None
    got = page.request.get(f"{portal_url}{link}")
    assert got.status == 200 and got.body() == PDF
    with session_scope() as session:
        item = session.execute(select(LedgerRectification)).scalars().one()
    assert (item.status, str(item.completed_on), len(item.evidence)) == (
        "closed", "2026-09-20", 1)
