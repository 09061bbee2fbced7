"""Scheduled flows (inbox month, quarter circular), the review form's timeout, issuing a circular."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from docx import Document

from dutyflow.core.settings import reload_settings
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_notices
from dutyflow.flows.review import Decision, ReviewForm, apply_decisions, pending_form, review_actions
from dutyflow.flows.scheduled import monthly_cycle, previous_month, previous_quarter, quarter_circular
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.documents import record_decision
from dutyflow.services.review import decide
from tests.factories import LATE_ITEM, approve_criticism_circular, sample_with_rows

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_schedules_pick_the_period_before_today():
    assert previous_month(date(2026, 11, 5)) == "2026-10"
    assert previous_month(date(2027, 1, 5)) == "2026-12"
    assert previous_quarter(date(2026, 10, 10)) == "2026-Q3"
    assert previous_quarter(date(2027, 1, 10)) == "2026-Q4"


def test_the_monthly_deployment_reads_the_inbox_folder_of_the_period(sqlite_url, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("DUTYFLOW_INBOX_DIR", str(tmp_path / "inbox"))
    reload_settings()
    missing = monthly_cycle(period="2026-08", return_state=True)
    assert missing.is_failed()
    assert missing.message == (f"文件 {tmp_path / 'inbox' / '2026-08'}：2026年8月的报表尚未放入："
                               "收件文件夹不存在")
    (tmp_path / "inbox" / "2026-08").mkdir(parents=True)
    shutil.copy(SAMPLES / "2026-08-党建报表.xlsx", tmp_path / "inbox" / "2026-08")
    summary = monthly_cycle(period="2026-08")
    assert summary.evaluation.actions > 0 and summary.drafted == summary.evaluation.actions


def test_a_month_kept_in_the_e_ledger_alone_is_judged_by_its_schedule(sqlite_url, tmp_path,
                                                                      monkeypatch):
    """No inbox folder for September, but the organizations recorded their meetings in the
    ledger: the scheduled month is judged on them, as `dutyflow run` without an input is."""
    from tests.flows.test_ledger_cycle import record_in_ledger

    monkeypatch.setenv("DUTYFLOW_INBOX_DIR", str(tmp_path / "inbox"))
    reload_settings()
    run_cycle(period="2026-08", input_path=SAMPLES / "2026-08-党建报表.xlsx")
    with session_scope() as session:
        branch = next(c.org_code for c in list_cases(session=session, period="2026-08"))
    record_in_ledger([{"org_code": branch, "meeting_types": ["theme_day"],
                       "held_on": "2026-09-12", "attendees": 8}])
    summary = monthly_cycle(period="2026-09")
    assert summary.period == "2026-09" and summary.evaluation.findings > 0


def test_the_review_form_links_each_case_to_the_desk_and_keeps_good_decisions(sqlite_url):
    run_cycle(period="2026-08", input_path=SAMPLES / "2026-08-党建报表.xlsx")
    rows, description, _ = pending_form("2026-08")
    with session_scope() as session:
        drafts = [a.id for a in list_cases(session=session, period="2026-08")]
    assert [r.document_id for r in rows] == sorted(drafts) and all(r.decision == "pending" for r in rows)
    assert f"{len(rows)} cases of 2026-08 wait for review" in description
    assert f"(http://127.0.0.1:8300/documents/{rows[0].document_id})" in description
    assert "(http://127.0.0.1:8300/queue?period=2026-08)" in description
    form = ReviewForm(reviewer="张主任", decisions=[
        Decision(document_id=rows[0].document_id, decision="approve"),
        Decision(document_id=rows[1].document_id, decision="reject"),  # no note: refused
        Decision(document_id=rows[2].document_id, decision="reject", note="材料已补"),
    ])
    counts, refused = apply_decisions(form)
    assert counts == {"approve": 1, "reject": 1, "pending": 0, "refused": 1}
    assert refused == [f"{rows[1].document_id}: 驳回须写明理由"]
    with session_scope() as session:
        statuses = {a.id: a.status for a in list_cases(session=session, period="2026-08")}
    assert [statuses[r.document_id] for r in rows[:3]] == ["approved", "draft", "rejected"]


def test_the_review_flow_outside_a_deployment_fails_with_a_clear_message(sqlite_url):
    state = review_actions(period="2026-08", return_state=True)
    assert state.is_failed() and "review-actions/review" in state.message


def test_the_quarter_circular_is_drafted_then_issued_once_with_a_number(sqlite_url, tmp_path):
    # an item 120 days past its deadline: the office proposes 通报批评, the committee decides
    run_cycle(period="2026-08", input_path=sample_with_rows(tmp_path, "2026-08", "整改", [LATE_ITEM]))
    run_cycle(period="2026-09", input_path=SAMPLES / "2026-09-党建报表.xlsx")
    with session_scope() as session:
        criticised = [a for m in ("2026-08", "2026-09") for a in list_cases(session=session, period=m)
                      if a.measure == "circulated_criticism"]
        assert criticised
        for action in criticised:
            record_decision(session=session, document_id=action.id, decision="approve",
                            reviewer="张主任", note="", decision_ref="工委会议纪要〔2026〕9号")
        names = {a.org_code for a in criticised}
    for month, day in (("2026-08", date(2026, 9, 7)), ("2026-09", date(2026, 10, 9))):
        if any(a.period == month for a in criticised):
            approve_criticism_circular(month)  # the 通报 and its letters: measures taken
        issue_notices(period=month, on=day)
    draft = Path(quarter_circular(period="2026-Q3"))
    assert "〔待编号〕" in "\n".join(p.text for p in Document(draft).paragraphs)
    decide(document_id="circular-2026-Q3", decision="approve", reviewer="张主任")
    first = issue_notices(period="2026-Q3", on=date(2026, 10, 10))
    [(subject, number, path)] = first.issued
    # the 文件 series: August's 通报批评 took 1号
    assert subject == "circular-2026-Q3" and number == "市直工委〔2026〕2号"
    doc = Document(path)
    paragraphs = [p.text for p in doc.paragraphs]
    # each section heading is its own paragraph, after the 问责 sentence (a Jinja newline once
    # swallowed it: "……1个。# 二、好的做法")
    assert "二、全面落实的党组织" in paragraphs and not any("#" in p for p in paragraphs)
    assert any(p.startswith("经工委会议研究决定") for p in paragraphs)
    [table] = [t for t in doc.tables if t.rows[0].cells[1].text == "党组织"]
    listed = {row.cells[1].text for row in table.rows[1:]}
    from dutyflow.models.tables import Organization

    with session_scope() as session:
        expected = {session.get(Organization, code).org_name for code in names}
    assert listed == expected
    frozen = Path(path).read_bytes()
    again = issue_notices(period="2026-Q3", on=date(2026, 10, 11))
    assert again.issued == [] and again.refused == []  # issued once, never again
    assert Path(path).read_bytes() == frozen
