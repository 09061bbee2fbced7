"""Closing the loop: an issued measure waits for its reply, falls overdue, is accepted (销号) or
returned with a new due date; replies keep their evidence files; the same reviewer rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.calendar import add_working_days
from dutyflow.core.errors import DutyflowError
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_notices
from dutyflow.models.accountability import get_case
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_about
from dutyflow.models.followup import replies_of
from dutyflow.models.reports import quarantined_rows
from dutyflow.services.followup import accept_reply, record_reply, return_reply
from dutyflow.services.review import decide
from tests.factories import REPLY_HEADERS, printed_row, sample_with_sheet
from tests.flows.test_review_issue import cycle, office_letters

runner = CliRunner()
TODAY = date.today()


def issued_letter(on: date) -> str:
    letter = office_letters(cycle())[0]
    decide(document_id=letter.id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=on)
    return letter.id


def status_of(case_id: str) -> str:
    listed = json.loads(runner.invoke(app, ["cases", "--period", "2026-08", "--json"]).output)
    return next(c["status"] for c in listed if c["id"] == case_id)


def test_a_reply_in_time_accepted_closes_the_case(db_url, tmp_path):
    case_id = issued_letter(TODAY)
    assert status_of(case_id) == "awaiting_reply"
    evidence = tmp_path / "会议记录.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes")
    reply = runner.invoke(app, ["reply", case_id, "--received", TODAY.isoformat(),
                                "--file", str(evidence), "--file", str(evidence),
                                "--note", "已补开支委会"])
    assert reply.exit_code == 0, reply.output
    with session_scope() as session:
        [kept] = replies_of(session=session, case_id=case_id)
    assert len(kept.files) == 2 and kept.files[0]["path"] == kept.files[1]["path"]
    assert Path(kept.files[0]["path"]).read_bytes() == b"%PDF-1.4 minutes"
    listed = runner.invoke(app, ["cases", "--period", "2026-08"]).output
    row = printed_row(listed, case_id)  # 案件编号 组织 措施 状态 反馈期限 收到反馈
    assert row[3] == "已印发，待整改反馈" and row[5] == TODAY.isoformat()
    accepted = runner.invoke(app, ["accept", case_id, "--reviewer", "刘审核"])
    assert accepted.exit_code == 0, accepted.output
    assert status_of(case_id) == "closed"
    with session_scope() as session:
        events = [(e.event, e.actor) for e in events_about(session=session, case_id=case_id)]
    assert events[-2:] == [("reply_received", "dutyflow"), ("accepted", "刘审核")]
    with pytest.raises(DutyflowError, match="已销号"):
        record_reply(case_id=case_id, received=TODAY)


def test_an_unanswered_measure_is_overdue_after_the_date_it_gave(db_url):
    case_id = issued_letter(date(2026, 9, 1))
    with session_scope() as session:
        due = get_case(session=session, case_id=case_id).reply_due
    assert due == add_working_days(date(2026, 9, 1), 10) < TODAY
    assert status_of(case_id) == "overdue"
    listed = runner.invoke(app, ["cases", "--period", "2026-08", "--status", "overdue"])
    assert case_id in listed.output and "反馈已逾期 1" in listed.output
    record_reply(case_id=case_id, received=TODAY)  # late, but received: awaiting review
    assert status_of(case_id) == "awaiting_reply"


def test_a_returned_reply_gets_a_new_due_date(db_url):
    case_id = issued_letter(TODAY)
    record_reply(case_id=case_id, received=TODAY, measures="已整改")
    with pytest.raises(DutyflowError, match="退回须写明理由"):
        return_reply(case_id=case_id, reviewer="张主任", note="")
    returned = return_reply(case_id=case_id, reviewer="张主任", note="缺少会议记录",
                            today=date(2026, 12, 14))
    assert returned.reply_due == add_working_days(date(2026, 12, 14), 10)
    assert status_of(case_id) == "awaiting_reply"
    with pytest.raises(DutyflowError, match="没有待审核的反馈"):
        accept_reply(case_id=case_id, reviewer="张主任")  # nothing new came yet


def test_replies_follow_the_reviewer_rules_and_refuse_bad_input(db_url, tmp_path):
    case_id = issued_letter(TODAY)
    draft = office_letters(cycle())[1].id  # a re-run changes nothing; this one is still a draft
    with pytest.raises(DutyflowError, match="只有已印发、要求反馈的措施"):
        record_reply(case_id=draft, received=TODAY)
    with pytest.raises(DutyflowError, match="找不到佐证材料文件"):
        record_reply(case_id=case_id, received=TODAY, files=[tmp_path / "missing.pdf"])
    with pytest.raises(DutyflowError, match="晚于今天"):
        record_reply(case_id=case_id, received=date(2099, 1, 1))
    bad = runner.invoke(app, ["reply", case_id, "--received", "2026-13-01"])
    assert bad.exit_code == 2 and "不是有效的日期" in bad.output
    with session_scope() as session:
        assert replies_of(session=session, case_id=case_id) == []
    record_reply(case_id=case_id, received=TODAY)
    with pytest.raises(DutyflowError, match="不是审核人"):
        accept_reply(case_id=case_id, reviewer="王五")
    with session_scope() as session:
        events = [(e.event, e.actor) for e in events_about(session=session, case_id=case_id)]
    assert events[-1] == ("refused_accept", "王五")
    assert status_of(case_id) == "awaiting_reply"


def test_replies_come_in_through_the_workbook_and_bad_rows_are_quarantined(db_url, tmp_path):
    cases = office_letters(cycle())
    for case in cases[:2]:
        decide(document_id=case.id, decision="approve", reviewer="张主任")
    issued = issue_notices(period="2026-08", on=date(2026, 9, 7))
    by_id = {subject: number for subject, number, _ in issued.issued}
    first, second, draft = cases[0].id, cases[1].id, cases[2].id
    rows = [
        [first, None, "2026-09-15", "已补开支委会并建立提醒机制", "是", "会议记录3份"],
        [None, by_id[second], "2026-09-18", "正在整改", "否", None],  # named by its 文号
        ["2026-08-NOPE", None, "2026-09-15", "x", "是", None],  # no such case
        [draft, None, "2026-09-15", "x", "是", None],  # never issued
        [first, None, "2026-09-01", "x", "是", None],  # before its notice
        [None, None, "2026-09-15", "x", "是", None],  # names no case
        [first, None, "2026-09-15", "again", "是", None],  # the same reply twice
        [second, by_id[first], "2026-09-20", "x", "是", None],  # id and 文号 disagree
    ]
    workbook = sample_with_sheet(tmp_path / "in", "2026-09", "整改反馈", REPLY_HEADERS, rows)
    summary = run_cycle(period="2026-09", input_path=workbook)
    replies = next(t for t in summary.ingest.tables if t.table == "replies")
    assert (replies.rows_loaded, replies.rows_quarantined) == (2, 6)
    with session_scope() as session:
        reasons = {q.row_number: q.reason for q in quarantined_rows(session=session,
                                                                    period="2026-09")
                   if q.table_name == "replies"}
        [kept] = replies_of(session=session, case_id=first)
        [by_number] = replies_of(session=session, case_id=second)
    assert reasons[4].startswith("案件编号2026-08-NOPE找不到对应的案件")
    assert reasons[5] == f"案件{draft}不接受反馈：其通知书尚为“草稿，待审核”"
    assert reasons[6] == f"反馈日期2026-09-01早于案件{first}的印发日期2026-09-07"
    assert reasons[7].startswith("未填写案件编号或文号") and reasons[8] == "与第2行重复"
    assert reasons[9] == f"文号{by_id[first]}是案件{first}的，与案件编号{second}不符"
    assert (kept.received_on, kept.completed, kept.note) == (date(2026, 9, 15), True,
                                                             "佐证材料：会议记录3份")
    assert by_number.completed is False and "整改反馈" in by_number.source
    assert status_of(first) == "awaiting_reply"  # answered: the office reviews it
    # the same workbook again adds nothing
    run_cycle(period="2026-09", input_path=workbook)
    with session_scope() as session:
        assert len(replies_of(session=session, case_id=first)) == 1
