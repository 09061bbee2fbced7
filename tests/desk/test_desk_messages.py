"""What a decision did is kept on the server and shown once, however many rows: a bulk approval
whose hundred rows another reviewer decided meanwhile reports every one of them, in a real
browser, with a session cookie that stays small."""

from __future__ import annotations

import re

from sqlalchemy import select

from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Document, DocumentCase
from dutyflow.services.review import decide
from tests.desk.test_desk_browser import log_in

ROWS = 100


def more_office_drafts(count: int) -> list[str]:
    """`count` more office drafts in the month, copies of the seeded ones under new ids (the
    seed has eleven; a cycle of a province would have hundreds)."""
    made = []
    with session_scope() as session:
        cases = list(session.execute(select(Case).where(
            Case.proposal.is_(False), Case.status == "draft")).scalars())  # type: ignore[attr-defined]
        documents = {d.id: d for d in session.execute(select(Document).where(
            Document.id.in_([c.id for c in cases]))).scalars()}  # type: ignore[attr-defined]
        originals = [({k: getattr(c, k) for k in Case.model_fields},
                      {k: getattr(documents[c.id], k) for k in Document.model_fields})
                     for c in cases]
        for n in range(count):
            case, document = originals[n % len(originals)]
            new_id = f"{case['id']}-C{n:03d}"
            session.add(Case(**{**case, "id": new_id}))
            session.add(Document(**{**document, "id": new_id}))
            session.flush()
            session.add(DocumentCase(document_id=new_id, case_id=new_id))
            made.append(new_id)
    return made


def test_a_hundred_refused_rows_of_a_bulk_approval_are_all_shown(browser, desk_url, monkeypatch):
    copies = more_office_drafts(ROWS)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, desk_url)
        page.goto(f"{desk_url}/queue?q=-C")  # the copies: their ids end in -CNNN
        assert page.locator("#total").inner_text() == f"共 {ROWS} 件"
        ticks = page.locator("input[name=case]")
        boxes: list[str] = []
        while True:  # the queue is paged: tick every page's boxes into one form
            boxes += [ticks.nth(i).get_attribute("value") for i in range(ticks.count())]
            following = page.locator("a[rel=next]")
            if not following.count():
                break
            following.click()
        assert len(boxes) == ROWS
        page.goto(f"{desk_url}/queue?q=-C")
        # meanwhile another reviewer rejects every one of them
        for document_id in copies:
            decide(document_id=document_id, decision="reject", reviewer="刘审核", note="另有安排")
        page.evaluate("""boxes => {
            const form = document.getElementById('bulk');
            form.querySelectorAll('input[name=case]').forEach(b => b.remove());
            for (const value of boxes) {
                const tick = document.createElement('input');
                tick.type = 'checkbox'; tick.name = 'case'; tick.value = value; tick.checked = true;
                form.appendChild(tick);
            }
        }""", boxes)
        page.click("#approve-selected")
        page.wait_for_load_state()
        alerts = page.locator(".flash.error").all_inner_texts()
        assert len(alerts) == ROWS
        assert {a.split("：")[0] for a in alerts} == set(copies)
        assert all("刘审核" in a and "已驳回" in a for a in alerts)
        cookie = next(c for c in context.cookies() if c["name"] == "dutyflow_desk")
        assert len(cookie["value"]) < 1000  # the rows are not in it
        page.reload()  # shown once
        assert page.locator(".flash").count() == 0
    finally:
        context.close()
    with session_scope() as session:
        rejected = session.execute(select(Document.status).where(
            Document.id.in_(copies))).scalars().all()  # type: ignore[attr-defined]
    assert set(rejected) == {"rejected"}
    assert re.match(r"2026-08-DW\d{4}-ZB\d\d-C\d{3}$", copies[0])
