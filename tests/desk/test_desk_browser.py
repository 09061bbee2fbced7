"""A reviewer's month at the desk, in real headless Chromium: log in, filter, read the notice,
decide one by one, bulk-approve, approve a proposal with the committee's reference; then the
decisions are in `dutyflow audit`."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.vocabulary import event_words
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case
from tests.desk.conftest import PASSWORD, SCREENSHOTS

PROPOSAL = "2026-08-DW0001-ZB01"


def statuses() -> dict[str, str]:
    with session_scope() as session:
        return {a.id: a.status for a in session.query(Case).all()}


def log_in(page, desk_url: str, name: str = "李审核") -> None:
    page.goto(f"{desk_url}/queue")
    assert "/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/queue.*"))


def test_a_reviewer_decides_a_month_in_the_browser(page, desk_url):
    SCREENSHOTS.mkdir(exist_ok=True)
    log_in(page, desk_url)
    assert page.locator("#total").inner_text() == "共 12 件"
    page.screenshot(path=str(SCREENSHOTS / "desk-queue.png"), full_page=True)

    # filter: the talks (约谈) only
    page.select_option("select[name=measure]", "talk")
    page.click("form.filters button[type=submit]")
    assert page.locator("#total").inner_text() == "共 2 件"
    assert set(page.locator("#queue tbody td:nth-child(5)").all_inner_texts()) == {"约谈"}

    # open the first talk and read the notice itself in the page
    page.click("a.case-link >> nth=0")
    talk_id = page.url.split("/documents/")[1].split("?")[0]
    notice = page.frame_locator("#notice").locator("body")
    assert "约谈" in notice.inner_text() and "〔待编号〕" in notice.inner_text()
    assert page.locator("#evidence li").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "desk-case.png"))

    # approve it: the desk moves on to the next talk of the filtered queue
    page.click("#approve")
    assert page.get_by_role("status").first.inner_text().startswith(f"{talk_id}：已批准")
    second_talk = page.url.split("/documents/")[1].split("?")[0]
    assert second_talk != talk_id and "measure=talk" in page.url

    # reject without a note: refused on the page, nothing recorded; then with one
    page.click("#reject")
    assert "驳回须写明理由" in page.get_by_role("alert").inner_text()
    assert statuses()[second_talk] == "draft"
    page.fill("#reject-note", "约谈对象已调整，另行安排")
    page.click("#reject")
    assert statuses()[second_talk] == "rejected"

    # bulk approval of three office cases; proposals have no box to tick
    page.goto(f"{desk_url}/queue?decided_by=office")
    boxes = page.locator("#queue input[name=case]")
    assert boxes.count() == 9
    chosen = [boxes.nth(i).get_attribute("value").split("@")[0] for i in range(3)]  # id@version
    for i in range(3):
        boxes.nth(i).check()
    page.click("#approve-selected")
    assert "已批准 3 件" in page.get_by_role("status").first.inner_text()
    assert {statuses()[c] for c in chosen} == {"approved"}
    page.goto(f"{desk_url}/queue?decided_by=proposal")
    assert page.locator("#queue input[name=case]").count() == 0

    # a proposal: refused without the committee's reference, approved with it
    page.goto(f"{desk_url}/documents/{PROPOSAL}")
    page.click("#approve")
    assert "须由工委会议集体决定" in page.get_by_role("alert").inner_text()
    assert statuses()[PROPOSAL] == "draft"
    page.fill("#decision-ref", "工委会议纪要〔2026〕9号")
    page.click("#approve")
    assert statuses()[PROPOSAL] == "approved"
    page.goto(f"{desk_url}/documents/{PROPOSAL}")
    trail = page.locator("#audit").inner_text()
    assert "工委会议纪要〔2026〕9号" in trail
    assert "立案" in trail and "批准未记录" in trail and "\t批准\t" in trail

    audit = CliRunner().invoke(app, ["audit", "--period", "2026-08"])
    assert audit.exit_code == 0
    printed = [line.split()[2:5] for line in audit.output.splitlines()]  # 事件 经办人 编号
    for case_id, event in [(talk_id, "approved"), (second_talk, "refused_reject"),
                           (second_talk, "rejected"), (PROPOSAL, "refused_approve"),
                           (PROPOSAL, "approved"), *[(c, "approved") for c in chosen]]:
        assert [event_words(event), "李审核", case_id] in printed, (case_id, event)


def test_keyboard_shortcuts_move_through_the_queue_and_open_a_case(page, desk_url):
    log_in(page, desk_url)
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("#queue tr.current a.case-link").inner_text() == "2026-08-DW0002-ZB03"
    page.keyboard.press("x")
    assert page.locator("#queue tr.current input[name=case]").is_checked()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/documents/2026-08-DW0002-ZB03.*"))
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r".*/documents/2026-08-DW0002-ZB08.*"))
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "reject-note"


def test_a_page_never_runs_markup_from_an_organization_name(page, desk_url):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, desk_url)
    page.goto(f"{desk_url}/documents/2026-08-DW0002-ZB08")
    assert "<script>alert('x')</script>测试支部" in page.locator("h1").inner_text()
    page.goto(f"{desk_url}/queue?q=测试支部")
    assert page.locator("#total").inner_text() == "共 1 件"
    assert dialogs == []


def test_the_a4_page_is_scaled_to_fit_its_frame_at_1024_px(page, desk_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, desk_url)
    page.click("a.case-link >> nth=0")
    page.frame_locator("#notice").locator(".page").first.wait_for()
    box = page.locator("#paper-fit").bounding_box()
    frame = page.locator("#notice").bounding_box()
    assert box and frame and box["width"] < 800  # the frame is narrower than an A4 page
    # the page's whole width is drawn inside the frame: nothing cut off on the right
    assert frame["x"] + frame["width"] <= box["x"] + box["width"] + 1
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-notice-1024.png"))
