"""Two reviewers at one draft, in two real browsers: the second decision, made on the state the
second reviewer saw, is refused and says who decided what and when; nothing is overwritten."""

from __future__ import annotations

from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_of, get_document
from dutyflow.services.reviewers import add_reviewer
from tests.desk.conftest import PASSWORD
from tests.desk.test_desk_browser import log_in

CASE = "2026-08-DW0002-ZB03"


def test_a_decision_on_a_draft_someone_decided_meanwhile_is_refused_not_overwritten(
        browser, desk_url):
    add_reviewer(name="钱审核", role="组织部审核员", password=PASSWORD)
    first, second = (browser.new_context(viewport={"width": 1280, "height": 900},
                                         locale="zh-CN") for _ in range(2))
    try:
        one, two = first.new_page(), second.new_page()
        log_in(one, desk_url, "李审核")
        log_in(two, desk_url, "钱审核")
        for page in (one, two):
            page.goto(f"{desk_url}/documents/{CASE}")
            assert page.locator("#status").inner_text() == "草稿，待审核"

        one.click("#approve")  # the first reviewer approves ...
        assert one.get_by_role("status").first.inner_text().startswith(f"{CASE}：已批准")
        # ... and the second, whose page still shows the draft, rejects it
        assert two.locator("#status").inner_text() == "草稿，待审核"
        two.fill("#reject-note", "材料不全")
        two.click("#reject")
        refusal = two.get_by_role("alert").inner_text()
        assert "未记录" in refusal and "已批准，待印发" in refusal and "李审核" in refusal
        assert "请刷新后重新审阅" in refusal
        assert two.locator("#status").inner_text() == "已批准，待印发"  # the page shows it now
    finally:
        first.close()
        second.close()
    with session_scope() as session:
        document = get_document(session=session, document_id=CASE)
        trail = [(e.event, e.actor) for e in events_of(session=session, subject=CASE)]
    assert (document.status, document.reviewer) == ("approved", "李审核")
    assert trail[-2:] == [("approved", "李审核"), ("refused_reject", "钱审核")]


def test_a_bulk_approval_skips_what_another_reviewer_decided_after_the_queue_was_read(client):
    import re

    from dutyflow.services.review import decide
    from tests.desk.test_desk_security import csrf_of
    from tests.desk.test_desk_security import log_in as log_in_client

    log_in_client(client)
    queue = client.get("/queue").text
    boxes = re.findall(r'name="case" value="([^"]+@\d+)"', queue)
    assert len(boxes) >= 3 and all("@" in b for b in boxes)
    taken = boxes[1].split("@")[0]
    decide(document_id=taken, decision="reject", reviewer="刘审核", note="另有安排")  # meanwhile
    answer = client.post("/queue/approve", data={"csrf": csrf_of(queue), "case": boxes[:3],
                                                 "back": ""}, follow_redirects=True)
    with session_scope() as session:
        statuses = {b.split("@")[0]: get_document(session=session,
                                                  document_id=b.split("@")[0]).status
                    for b in boxes[:3]}
    assert statuses[taken] == "rejected"  # not overwritten by the stale tick
    assert [s for c, s in statuses.items() if c != taken] == ["approved", "approved"]
    assert f"{taken}：" in answer.text and "刘审核" in answer.text and "已驳回" in answer.text
