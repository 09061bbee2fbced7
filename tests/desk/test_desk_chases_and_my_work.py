"""The 催办 above the queue (organization names, every row a link, approved in bulk with a
line for each refusal), a page for every kind of document, and a reviewer's own work."""

from __future__ import annotations

import re
from datetime import date

from dutyflow.core.vocabulary import chase_subject, circular_subject
from dutyflow.flows.notices import issue_notices
from dutyflow.models.db import session_scope
from dutyflow.models.documents import get_document
from dutyflow.rules.policy import load_policy
from dutyflow.services.chasing import draft_chases
from dutyflow.services.issuing import draft_circular
from dutyflow.services.review import decide
from tests.desk.conftest import XSS_NAME
from tests.desk.test_desk_security import csrf_of, log_in

CASES = ("2026-08-DW0002-ZB03", "2026-08-DW0002-ZB08")
PROPOSAL = "2026-08-DW0001-ZB01"  # 通报批评: the committee decides
OWN = "2026-08-DW0004-ZB07"  # 赵书记's own branch


def chases() -> list[str]:
    for case_id in CASES:
        decide(document_id=case_id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))  # answers due 20 September
    return draft_chases(period="2026-09", on=date(2026, 10, 8), policy=load_policy())


def status(document_id: str) -> str:
    with session_scope() as session:
        return get_document(session=session, document_id=document_id).status


def test_chases_are_listed_by_organization_and_approved_in_bulk_row_by_row(client):
    drafted = chases()
    assert set(drafted) == {chase_subject("2026-09", c.split("-", 2)[2]) for c in CASES}
    log_in(client)
    queue = client.get("/queue")
    listing = queue.text.split('id="chase-list"')[1].split("</table>")[0]
    assert "中共市教育局第3党支部" in listing and "&lt;script&gt;" in listing
    assert XSS_NAME not in listing  # shown as text, never as markup
    for chase in drafted:
        assert f'href="/documents/{chase}" class="chase-link"' in listing
    boxes = re.findall(r'name="case" value="(chase-[^"]+)" form="bulk"', listing)
    assert sorted(b.split("@")[0] for b in boxes) == sorted(drafted)
    # one box as the page showed it, the other from a page read before it changed
    fresh, stale = boxes
    stale_id, version = stale.split("@")
    sent = client.post("/queue/approve", data={"csrf": csrf_of(queue.text),
                                               "case": [fresh, f"{stale_id}@{int(version) - 1}"]})
    assert sent.status_code == 303
    after = client.get("/queue").text
    assert f"已批准 1 件：{fresh.split('@')[0]}" in after
    assert f"{stale_id}：{stale_id} 在您阅看之后已有变化" in after
    assert status(fresh.split("@")[0]) == "approved" and status(stale_id) == "draft"


def test_every_kind_of_reviewable_document_has_its_page(client):
    [chase, *_] = chases()
    decide(document_id=PROPOSAL, decision="approve", reviewer="张主任",
           decision_ref="工委会议纪要〔2026〕9号")  # the period's 通报批评 is drafted
    assert draft_circular(quarter="2026-Q3", on=date(2026, 10, 10)) is not None
    log_in(client)
    for document_id, name in ((OWN, "提醒函"), (chase, "催办函"),
                              (circular_subject("2026-08", "criticism_circular"), "通报"),
                              (circular_subject("2026-Q3"), "通报")):
        page = client.get(f"/documents/{document_id}")
        assert page.status_code == 200, document_id
        assert name in page.text.split("<h1")[1].split("</h1>")[0], document_id
        assert 'id="approve"' in page.text and 'id="reject"' in page.text, document_id
        assert client.get(f"/documents/{document_id}/notice").status_code == 200, document_id


def test_a_reviewer_sees_what_waits_for_them_and_what_they_decided_this_week(client):
    log_in(client, "赵书记")
    mine = client.get("/mine").text
    waiting = mine.split('id="waiting-drafts"')[1].split("</table>")[0]
    assert f'href="/documents/{CASES[0]}"' in waiting and PROPOSAL in waiting
    assert OWN not in waiting  # their own branch's draft is for someone else to decide
    assert "近7日没有您的决定" in mine
    page = client.get(f"/documents/{CASES[0]}")
    client.post(f"/documents/{CASES[0]}/decide", data={"csrf": csrf_of(page.text),
                                                       "decision": "approve", "version": "1"})
    client.post(f"/documents/{CASES[1]}/decide", data={"csrf": csrf_of(page.text),
                                                       "decision": "reject", "note": "另行处理"})
    mine = client.get("/mine").text
    waiting = mine.split('id="waiting-drafts"')[1].split("</table>")[0]
    assert CASES[0] not in waiting and CASES[1] not in waiting
    decided = mine.split('id="decided-list"')[1].split("</table>")[0]
    assert "批准" in decided and "驳回" in decided and "另行处理" in decided
    assert CASES[0] in decided and CASES[1] in decided
    log_in(client)  # another reviewer decided none of it
    assert "近7日没有您的决定" in client.get("/mine").text
