"""The quarter's circular at the desk: listed above the queue, read in its own page, decided
with the same rules and audit trail as a case."""

from __future__ import annotations

from datetime import date

from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_of, get_document
from dutyflow.services.issuing import draft_circular, issue_approved
from dutyflow.services.review import decide
from tests.desk.test_desk_security import csrf_of, log_in

SUBJECT = "circular-2026-Q3"


def test_a_reviewer_reads_and_approves_the_quarter_circular_at_the_desk(client):
    decide(document_id="2026-08-DW0002-ZB03", decision="approve", reviewer="张主任")
    assert draft_circular(quarter="2026-Q3", on=date(2026, 10, 10)) is None  # not yet issued
    issue_approved(period="2026-08", on=date(2026, 9, 7), issued_by="办公室")
    assert draft_circular(quarter="2026-Q3", on=date(2026, 10, 10)) is not None
    assert client.get(f"/documents/{SUBJECT}").status_code == 303  # anonymous: to the login
    log_in(client)
    queue = client.get("/queue")
    assert f'href="/documents/{SUBJECT}"' in queue.text and "待审通报" in queue.text
    page = client.get(f"/documents/{SUBJECT}")
    assert page.status_code == 200 and 'id="approve"' in page.text
    notice = client.get(f"/documents/{SUBJECT}/notice")
    assert notice.status_code == 200 and "〔待编号〕" in notice.text and "季度" in notice.text

    rejected = client.post(f"/documents/{SUBJECT}/decide",
                           data={"csrf": csrf_of(page.text), "decision": "reject"})
    assert rejected.headers["location"] == f"/documents/{SUBJECT}"
    assert "驳回须写明理由" in client.get(f"/documents/{SUBJECT}").text
    approved = client.post(f"/documents/{SUBJECT}/decide",
                           data={"csrf": csrf_of(page.text), "decision": "approve"})
    assert approved.headers["location"] == f"/documents/{SUBJECT}"
    with session_scope() as session:
        assert get_document(session=session, document_id=SUBJECT).status == "approved"
        trail = [(e.event, e.actor) for e in events_of(session=session, subject=SUBJECT)]
    assert trail == [("drafted", "dutyflow"), ("refused_reject", "李审核"), ("approved", "李审核")]
    assert "待审通报" not in client.get("/queue").text


def test_a_chase_letter_is_read_and_approved_at_the_desk(client):
    from dutyflow.core.vocabulary import chase_subject
    from dutyflow.flows.notices import issue_notices
    from dutyflow.models.documents import get_document
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.chasing import draft_chases

    case_id = "2026-08-DW0002-ZB03"
    decide(document_id=case_id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))  # its answer is due 20 September
    subject = chase_subject("2026-09", "DW0002-ZB03")
    assert draft_chases(period="2026-09", on=date(2026, 10, 8), policy=load_policy()) == [subject]
    log_in(client)
    queue = client.get("/queue")
    assert f'href="/documents/{subject}"' in queue.text and "待审催办函 1 件" in queue.text
    page = client.get(f"/documents/{subject}")
    assert page.status_code == 200 and 'id="approve"' in page.text
    assert "应于 2026-09-20 前反馈，未收到" in page.text and f'href="/documents/{case_id}"' in page.text
    letter = client.get(f"/documents/{subject}/notice")
    assert letter.status_code == 200 and "催办函" in letter.text and "〔待编号〕" in letter.text
    approved = client.post(f"/documents/{subject}/decide",
                           data={"csrf": csrf_of(page.text), "decision": "approve"})
    assert approved.headers["location"] == f"/documents/{subject}"
    with session_scope() as session:
        assert get_document(session=session, document_id=subject).reviewer == "李审核"
    after = client.get(f"/documents/{subject}").text
    assert '<td>批准</td>' in after and 'id="status">已批准，待印发' in after
    assert "待审催办函" not in client.get("/queue").text
    assert client.get("/documents/chase-nope-1").status_code == 404


def test_the_ranking_communique_is_read_approved_at_the_desk_and_issued(client):
    from dutyflow.core.vocabulary import RANKING_CIRCULAR
    from dutyflow.models.rankings import published_ranking
    from dutyflow.rules.policy import load_policy
    from dutyflow.services.issuing import issue_circular

    subject = "ranking-2026-Q3"
    policy = load_policy()
    assert draft_circular(quarter="2026-Q3", on=date(2026, 10, 12), kind=RANKING_CIRCULAR,
                          policy=policy) is not None
    log_in(client)
    queue = client.get("/queue")
    assert f'href="/documents/{subject}"' in queue.text and "2026-Q3 考评排名通报" in queue.text
    page = client.get(f"/documents/{subject}")
    assert page.status_code == 200 and "排名依各月调度得分" in page.text
    notice = client.get(f"/documents/{subject}/notice")
    title = notice.text.replace("<br>", "")  # the title's lines broken between words
    assert "关于2026年第三季度党建工作考评排名情况的通报" in title and "红榜" in notice.text
    approved = client.post(f"/documents/{subject}/decide",
                           data={"csrf": csrf_of(page.text), "decision": "approve"})
    assert approved.headers["location"] == f"/documents/{subject}"
    number, path = issue_circular(quarter="2026-Q3", on=date(2026, 10, 15), issued_by="办公室",
                                  kind=RANKING_CIRCULAR, policy=policy)
    assert number.startswith("市直工委〔2026〕") and path.endswith(".docx")
    with session_scope() as session:
        assert published_ranking(session=session, quarter="2026-Q3")[0].document_number == number
        trail = [e.event for e in events_of(session=session, subject=subject)]
    assert trail == ["drafted", "approved", "issued"]
    assert number in client.get(f"/documents/{subject}").text
