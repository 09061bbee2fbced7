"""A branch writes its answer (整改情况反馈) as a form: each finding of the case an item done or
not with its completion date, the measures taken, evidence files; it saves a draft, resumes
it, and submits it once. A second submit is refused in Chinese until the office returns the
answer; the reply keeps the items. On SQLite and PostgreSQL, over the API, and on a phone."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from dutyflow.models.db import dispose_engines, session_scope
from dutyflow.models.tables import Case, Event, Reply, ReplyDraft
from dutyflow.services.portal import today as portal_today
from tests.portal.conftest import (
    PASSWORD,
    SCREENSHOTS,
    add_accounts,
    choose,
    issue_month,
    token_for,
)
from tests.portal.test_portal_browser import PDF, PNG, fits


def test_a_draft_is_saved_resumed_submitted_once_and_again_after_a_return(db_url):
    from dutyflow.services import drafts
    from dutyflow.services.followup import return_reply
    from dutyflow.services.portal import Upload, scope_of
    from dutyflow.services.reviewers import reviewers

    mine, theirs, unit, case_id, _ = choose(issue_month(pdf=False))
    add_accounts(mine, theirs, unit)
    scope = scope_of(next(a for a, _, _ in reviewers() if a.name == "一支部书记"))
    empty = drafts.draft(scope, case_id)
    assert empty is not None and empty.saved_at is None and not empty.submitted
    findings = [i.finding_id for i in empty.items]
    assert findings and all(i.text for i in empty.items)  # the notice's findings, as items

    with pytest.raises(drafts.DraftRefused, match="第1项的完成日期不是有效日期"):
        drafts.save(scope, case_id, measures="x", items=[
            {"finding_id": findings[0], "done": "是", "completed_on": "2026-02-30"}])
    saved = drafts.save(scope, case_id, measures="已召开支委会研究整改", items=[
        {"finding_id": findings[0], "done": True, "completed_on": "2026-09-15"}],
        uploads=[Upload("会议记录.pdf", PDF), Upload("会议记录 副本.pdf", PDF)])
    assert saved is not None and len(saved.files) == 1  # the same file kept once
    resumed = drafts.draft(scope, case_id)
    assert resumed.measures == "已召开支委会研究整改" and resumed.saved_at is not None
    assert (resumed.items[0].done, resumed.items[0].completed_on) == (True, date(2026, 9, 15))
    assert all(i.done is None for i in resumed.items[1:])
    if len(findings) > 1:  # an item left open is asked for, by its number
        with pytest.raises(drafts.DraftRefused, match="请选择第2项是否完成"):
            drafts.submit(scope, case_id)
    drafts.save(scope, case_id, measures="已召开支委会研究整改", items=[
        {"finding_id": f, "done": n == 0, "completed_on": "2026-09-15" if n == 0 else ""}
        for n, f in enumerate(findings)])
    reply = drafts.submit(scope, case_id)
    assert reply is not None and reply.completed is (len(findings) == 1)
    assert [i["finding_id"] for i in reply.items] == findings
    assert reply.items[0] | {"text": ""} == {"finding_id": findings[0], "text": "",
                                            "done": True, "completed_on": "2026-09-15"}
    assert [f["name"] for f in reply.files] == ["会议记录.pdf"]
    with pytest.raises(drafts.DraftRefused, match="已提交，正在等待审核，不能重复提交"):
        drafts.submit(scope, case_id)
    assert drafts.draft(scope, case_id).submitted

    return_reply(case_id=case_id, reviewer="张主任", note="缺少会议记录签到页")
    assert not drafts.draft(scope, case_id).submitted  # a return opens the next round
    assert drafts.submit(scope, case_id) is not None
    with pytest.raises(drafts.DraftRefused, match="不能重复提交"):
        drafts.submit(scope, case_id)
    with session_scope() as session:
        replies = session.execute(select(Reply).where(Reply.case_id == case_id)).scalars().all()
        saves = session.execute(select(Event).where(Event.subject == case_id,
                                                    Event.event == "reply_draft_saved")).all()
        assert len(replies) == 2 and len(saves) == 2  # each write audited with the account
        assert session.get(ReplyDraft, case_id).submitted_round == 1
    dispose_engines()


def test_the_api_saves_resumes_and_submits_a_draft_once(client, portal_db):
    headers = token_for("一支部书记")
    where = f"/api/cases/{portal_db.my_case}/reply-draft"
    empty = client.get(where, headers=headers).json()
    assert empty["saved_at"] is None and empty["submitted"] is False and empty["items"]
    ids = [i["finding_id"] for i in empty["items"]]
    bad = client.put(where, headers=headers, json={"measures": "x", "items": [
        {"finding_id": ids[0], "done": True, "completed_on": "2099-01-01"}]})
    assert bad.status_code == 422 and "第1项的完成日期 2099-01-01 晚于今天" in bad.json()["detail"]
    items = [{"finding_id": i, "done": True, "completed_on": "2026-09-20"} for i in ids]
    saved = client.put(where, headers=headers, data={"measures": "已补开主题党日",
                                                     "items": json.dumps(items)},
                       files=[("files", ("照片.png", PNG, "image/png"))])
    assert saved.status_code == 200, saved.text
    assert [f["name"] for f in saved.json()["files"]] == ["照片.png"]
    assert client.get(where, headers=headers).json()["measures"] == "已补开主题党日"
    sent = client.post(f"{where}/submit", headers=headers)
    assert sent.status_code == 201 and len(sent.json()["files"]) == 1
    again = client.post(f"{where}/submit", headers=headers)
    assert again.status_code == 409 and "不能重复提交" in again.json()["detail"]
    with session_scope() as session:
        assert session.get(Case, portal_db.my_case).replied_on == portal_today()  # the office's day
    # the contract's reply route is unchanged: the office's other systems keep posting to it
    assert client.get(where, headers=token_for("他支部书记")).status_code == 404


def test_a_secretary_saves_a_draft_on_a_phone_and_submits_it_later(browser, portal_url,
                                                                   portal_db, tmp_path):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{portal_url}/login")
    page.fill("input[name=name]", "一支部书记")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal$"))
    page.goto(f"{portal_url}/portal/cases/{portal_db.my_case}")
    items = page.locator("fieldset.item").count()
    assert items >= 1
    page.check("#item-1-yes")
    page.fill("#item-1-on", "2026-09-18")
    page.fill("#measures", "召开支委会专题研究，已补开主题党日")
    minutes = tmp_path / "支委会会议记录.pdf"
    minutes.write_bytes(PDF)
    page.set_input_files("#files", [str(minutes)])
    fits(page)
    page.click("#save-draft")
    page.wait_for_url(re.compile(r".*/portal/cases/.*"))
    assert "草稿已保存" in page.get_by_role("status").first.inner_text()
    # later: the draft comes back as it was left
    page.goto(f"{portal_url}/portal/cases/{portal_db.my_case}")
    assert page.locator("#item-1-yes").is_checked()
    assert page.input_value("#item-1-on") == "2026-09-18"
    assert page.input_value("#measures") == "召开支委会专题研究，已补开主题党日"
    assert "支委会会议记录.pdf" in page.locator("#kept-files").inner_text()
    for n in range(2, items + 1):
        page.check(f"#item-{n}-no")
    fits(page)
    page.screenshot(path=str(SCREENSHOTS / "portal-reply-draft-390.png"), full_page=True)
    page.click("#submit-reply")
    page.wait_for_url(re.compile(r".*/portal$"))
    assert "整改情况反馈已提交" in page.get_by_role("status").first.inner_text()
    page.goto(f"{portal_url}/portal/cases/{portal_db.my_case}")
    assert "等待审核" in page.locator("#submitted").inner_text()
    assert page.locator("#submit-reply").count() == 0  # submitted once
    with session_scope() as session:
        reply = session.execute(select(Reply).where(
            Reply.case_id == portal_db.my_case)).scalars().one()
        assert reply.items[0]["done"] is True and reply.items[0]["completed_on"] == "2026-09-18"
        assert [f["name"] for f in reply.files] == ["支委会会议记录.pdf"]
        assert reply.completed is (items == 1)
    context.close()


def test_a_submit_that_fails_before_its_reply_is_stored_leaves_the_draft_open(db_url,
                                                                             monkeypatch):
    """The claim and the reply are one transaction: a database failure while the reply is
    written leaves no claim behind, so the branch can submit again (nothing lost)."""
    from sqlalchemy.exc import OperationalError

    from dutyflow.services import drafts
    from dutyflow.services.portal import scope_of
    from dutyflow.services.reviewers import reviewers

    mine, theirs, unit, case_id, _ = choose(issue_month(pdf=False))
    add_accounts(mine, theirs, unit)
    scope = scope_of(next(a for a, _, _ in reviewers() if a.name == "一支部书记"))
    findings = [i.finding_id for i in drafts.draft(scope, case_id).items]
    drafts.save(scope, case_id, measures="已召开支委会研究整改", items=[
        {"finding_id": f, "done": True, "completed_on": "2026-09-15"} for f in findings])

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO reply", {}, Exception("database is locked"))

    with monkeypatch.context() as patch:
        patch.setattr(drafts, "record_reply_in", locked)
        with pytest.raises(OperationalError):
            drafts.submit(scope, case_id)
    still = drafts.draft(scope, case_id)
    assert not still.submitted and still.case.replied_on is None
    reply = drafts.submit(scope, case_id)
    assert reply is not None and drafts.draft(scope, case_id).submitted
    with pytest.raises(drafts.DraftRefused, match="不能重复提交"):
        drafts.submit(scope, case_id)
