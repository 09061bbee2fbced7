"""Every sentence true (issue 25): four months of the bundled samples run as an office runs
them (cycle on the 2nd, decisions, issue on the 9th, answers, returns and silences, a
criticism the committee decided and one it did not), then every issued document is read back
and each claim about an organization's past checked against the database."""

from __future__ import annotations

from datetime import date

import docx

from dutyflow.core.vocabulary import CHASE, DocumentStatus
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_notices
from dutyflow.models.db import session_scope
from dutyflow.models.documents import period_documents
from dutyflow.services.casefile import approve_office_cases
from dutyflow.services.followup import accept_reply, record_reply, return_reply
from dutyflow.services.review import decide, office_drafts, pending_items
from tests.documents.record_checker import check_issued_documents, document_text
from tests.flows.test_review_issue import SAMPLES

MONTHS = ("2026-08", "2026-09", "2026-10", "2026-11")
ANSWERED = ("2026-08-DW0002-ZB03", "2026-08-DW0004-ZB07")  # answered in time, closed
RETURNED = "2026-08-DW0006-ZB03"  # answered, returned, never answered again
DECISION = "工委会议纪要〔2026〕9号"


def next_month(period: str, day: int) -> date:
    year, month = map(int, period.split("-"))
    return date(year + month // 12, month % 12 + 1, day)


def run_story() -> tuple[dict[str, list[str]], str]:
    """The four months; what was issued, by month, and the reminder rejected."""
    issued: dict[str, list[str]] = {}
    rejected = ""
    for period in MONTHS:
        run_cycle(period=period, input_path=SAMPLES / f"{period}-党建报表.xlsx",
                  on=next_month(period, 2))
        drafts = office_drafts(period)
        if period == "2026-08":  # one reminder rejected: it never climbs, never cited
            rejected = next(d for d in drafts if d not in (*ANSWERED, RETURNED))
            decide(document_id=rejected, decision="reject", reviewer="张主任",
                   note="该支部已于月底补开，不予提醒")
            drafts = [d for d in drafts if d != rejected]
        approve_office_cases(drafts, "张主任")
        proposals = [i.document_id for i in pending_items(period) if i.committee]
        if proposals:  # the committee decides the first proposal; the others wait
            decide(document_id=proposals[0], decision="approve", reviewer="张主任",
                   decision_ref=DECISION)
        for item in pending_items(period):  # the 通报 drafted for the decided criticism
            if not item.committee and item.kind != "chase":
                decide(document_id=item.document_id, decision="approve", reviewer="张主任")
        summary = issue_notices(period=period, on=next_month(period, 9))
        issued[period] = [subject for subject, _, _ in summary.issued]
        if period == "2026-08":
            for case_id in (*ANSWERED, RETURNED):
                record_reply(case_id=case_id, received=date(2026, 9, 15), measures="已整改",
                             today=date(2026, 9, 15))
            for case_id in ANSWERED:
                accept_reply(case_id=case_id, reviewer="刘审核")
            return_reply(case_id=RETURNED, reviewer="刘审核", note="佐证材料不全",
                         today=date(2026, 9, 16))
    return issued, rejected


def test_every_issued_sentence_about_the_past_is_on_record(db_url):
    issued, rejected = run_story()
    assert all(issued[p] for p in MONTHS[:3])
    assert check_issued_documents() == []
    with session_scope() as session:
        documents = {d.id: d for p in MONTHS for d in period_documents(
            session=session, period=p, statuses=(DocumentStatus.ISSUED,))}
    texts = {i: document_text(d.path) for i, d in documents.items()}
    # the story has histories to tell, and tells them with numbers and dates
    assert any("，我委以" in t and "未收到" in t for t in texts.values())
    chases = [d for d in documents.values() if d.kind == CHASE]
    assert chases and len({(c.org_code, c.issued_on) for c in chases}) == len(chases)
    # the rejected reminder was never sent: nothing later says its branch was reminded
    later = [t for i, t in texts.items() if rejected[len("2026-08-"):] in i]
    assert all("2026年8月存在的问题进行了提醒" not in t for t in later)
    # a September talk after an August reminder cites it by number and date
    reminders = {d.org_code: d for d in documents.values()
                 if d.kind == "reminder" and d.period == "2026-08"}
    talks = [d for d in documents.values() if d.kind == "talk" and d.period == "2026-09"
             and d.org_code in reminders]
    assert talks, "no September talk followed an August reminder"
    for talk in talks:
        reminder, text = reminders[talk.org_code], texts[talk.id]
        day = f"{reminder.issued_on.year}年{reminder.issued_on.month}月{reminder.issued_on.day}日"
        assert f"{day}，我委以{reminder.document_number}" in text
        assert f"我委于{day}以{reminder.document_number}进行提醒后" in text
    # and the checker is no rubber stamp: a history told from the ladder, a wrong date and a
    # number never issued are each found
    talk = talks[0]
    forged = docx.Document(talk.path)
    forged.add_paragraph("你支部经提醒、约谈后仍未整改。2026年9月1日，我委以"
                         f"{reminder.document_number}对你支部进行了提醒。"
                         "我委以市直工委函〔2026〕999号进行了督办。")
    forged.save(talk.path)
    found = "\n".join(check_issued_documents())
    assert "经提醒、约谈" in found and "2026年9月1日" in found and "999号没有印发记录" in found
