"""Chasing and escalation (催办, issue 14): an answer that does not come by its date is chased
at the next cycle by a reviewed, numbered letter; still nothing, and the month its escalation
date falls in climbs the ladder for it; an answer that came meanwhile withdraws the letter; a
problem that comes back after its case was closed is named a recurrence (反弹).

The whole story (chased, issued, escalated) and the recurrence run on SQLite and PostgreSQL;
its variations, each two or three cycles long, on SQLite."""

from __future__ import annotations

import json
from datetime import date

import docx
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.calendar import add_working_days
from dutyflow.core.vocabulary import MEASURE_KINDS, chase_subject
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_notices
from dutyflow.models.accountability import get_case, list_cases
from dutyflow.models.chases import chases_of
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_about
from dutyflow.models.tables import Finding
from dutyflow.rules.policy import load_policy
from dutyflow.services.board import follow_up_board
from dutyflow.services.casefile import document_path
from dutyflow.services.followup import accept_reply, record_reply
from dutyflow.services.review import decide, pending_items
from tests.factories import REPLY_HEADERS, sample_with_sheet
from tests.flows.test_review_issue import SAMPLES, cycle, office_letters

runner = CliRunner()
ISSUED_ON = date(2026, 9, 7)  # August's letters, signed after the month's cycle
DUE = date(2026, 9, 20)  # ten working days on: 20 September is a Sunday made a working day


def month(period: str):
    return run_cycle(period=period, input_path=SAMPLES / f"{period}-党建报表.xlsx",
                     on=cycle_day(period))


def cycle_day(period: str) -> date:
    """The day a month's cycle runs: the 3rd of the next month."""
    year, mon = map(int, period.split("-"))
    return date(year + mon // 12, mon % 12 + 1, 3)


def issue_august(on: date = ISSUED_ON) -> str:
    letter = office_letters(cycle())[0]
    decide(document_id=letter.id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=on)
    return letter.id


def chases(case_id: str) -> list:
    with session_scope() as session:
        return chases_of(session=session, case_id=case_id)


def case(case_id: str):
    with session_scope() as session:
        return get_case(session=session, case_id=case_id)


def docx_text(path: str) -> str:
    return "\n".join(p.text for p in docx.Document(path).paragraphs)


def follow_up_evidence(period: str, org_code: str) -> list[dict]:
    found = case(f"{period}-{org_code}")
    return [e for e in (found.evidence if found else []) if e["family"] == "follow_up"]


def test_an_answer_in_time_accepted_is_closed_and_never_chased(sqlite_url):
    case_id = issue_august()
    assert case(case_id).reply_due == DUE
    record_reply(case_id=case_id, received=date(2026, 9, 15), measures="已补开")
    accept_reply(case_id=case_id, reviewer="刘审核")
    assert month("2026-09").chased == []
    assert chases(case_id) == []
    listed = json.loads(runner.invoke(app, ["cases", "--period", "2026-08", "--json"]).output)
    assert next(c["status"] for c in listed if c["id"] == case_id) == "closed"


def test_never_answered_is_chased_then_escalated_in_the_next_month(db_url):
    case_id = issue_august()
    org = case(case_id).org_code
    september = month("2026-09")
    chase_id = chase_subject("2026-09", org)
    assert september.chased == [chase_id]
    [chase] = chases(case_id)
    assert (chase.period, chase.overdue_since, chase.status) == ("2026-09", DUE, "draft")
    draft = docx_text(chase.path)
    assert "催办函" in draft and "2026年9月20日前报送整改情况反馈" in draft
    assert chase_id in {item.document_id for item in pending_items("2026-09")}
    board = follow_up_board("2026-09")  # what the cycle's artifact shows, per unit
    assert (board.totals["overdue"], board.totals["chased"]) == (1, 1)
    [line] = [line for line in board.lines if any(line.counts.values())]
    assert org.startswith(line.unit) and line.name
    assert "整改反馈跟踪" in board.markdown() and case_id in board.markdown()
    decide(document_id=chase_id, decision="approve", reviewer="张主任")
    issued = issue_notices(period="2026-09", on=date(2026, 10, 9))
    number = next(n for subject, n, _ in issued.issued if subject == chase_id)
    assert number.startswith("市直工委函〔2026〕")
    [chase] = chases(case_id)
    assert (chase.status, chase.document_number, chase.issued_on) == ("issued", number, date(2026, 10, 9))
    assert chase.reply_due == add_working_days(date(2026, 10, 9), 5)
    assert "2026年10月15日前" in docx_text(chase.path)  # 10 October is a working Saturday
    with session_scope() as session:
        events = [e.event for e in events_about(session=session, case_id=case_id)]
    assert events[-3:] == ["drafted", "approved", "issued"]  # the 催办's own, on its case

    october = month("2026-10")
    assert october.chased == []  # chased once per missed date: now it escalates
    [finding] = follow_up_evidence("2026-10", org)
    policy = load_policy()
    climbed = policy.replies.chase.ladder[policy.replies.chase.next_step(case(case_id).measure)]
    assert finding["action"] == climbed
    assert MEASURE_KINDS[climbed].rank > MEASURE_KINDS[case(case_id).measure].rank
    assert finding["facts"]["chase_number"] == number
    escalated = case(f"2026-10-{org}")
    assert MEASURE_KINDS[escalated.measure].rank >= MEASURE_KINDS[climbed].rank
    assert "经催办" in document_path(escalated.id, ".html").read_text(encoding="utf-8")
    # re-running the month changes nothing
    again = month("2026-10")
    assert again.evaluation.stored.opened == again.evaluation.stored.changed == 0
    assert len(chases(case_id)) == 1


def test_an_answer_that_comes_late_withdraws_the_chase_and_is_not_escalated(sqlite_url):
    case_id = issue_august()
    org = case(case_id).org_code
    month("2026-09")
    chase_id = chase_subject("2026-09", org)
    decide(document_id=chase_id, decision="approve", reviewer="张主任")
    record_reply(case_id=case_id, received=date(2026, 10, 8), measures="已整改")  # late
    issued = issue_notices(period="2026-09", on=date(2026, 10, 9))
    assert chase_id not in {subject for subject, _, _ in issued.issued}
    [chase] = chases(case_id)
    assert (chase.status, chase.document_number) == ("withdrawn", None)
    assert case(case_id).replied_on == date(2026, 10, 8)
    month("2026-10")
    assert follow_up_evidence("2026-10", org) == []


def test_a_reply_before_the_next_cycle_withdraws_the_draft_on_re_run(sqlite_url):
    case_id = issue_august()
    month("2026-09")
    record_reply(case_id=case_id, received=date(2026, 10, 2))
    assert month("2026-09").chased == []
    assert [c.status for c in chases(case_id)] == ["withdrawn"]


def test_due_dates_skip_the_national_day_holiday(sqlite_url):
    case_id = issue_august(on=date(2026, 9, 28))
    # 29, 30 September; 1-7 October are the holiday; 8, 9, 10 (a working Saturday), 12-16
    assert case(case_id).reply_due == date(2026, 10, 16)
    assert "2026年10月16日前" in docx_text(case(case_id).document)


def test_a_problem_back_after_its_case_was_closed_is_a_recurrence(db_url):
    august = {c.id: c for c in cycle()}
    month("2026-09")
    with session_scope() as session:
        found = session.query(Finding).filter(Finding.current).all()
    by_period: dict[str, set] = {}
    for f in found:
        by_period.setdefault(f.period, set()).add((f.org_code, f.family, f.subject))
    again = by_period["2026-08"] & by_period["2026-09"]
    letters = [c for c in office_letters(list(august.values()))
               if any(k[0] == c.org_code for k in again)]
    assert letters, "the samples have a problem found in August and again in September"
    closed = letters[0]
    decide(document_id=closed.id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=ISSUED_ON)
    record_reply(case_id=closed.id, received=date(2026, 9, 10), measures="已整改")
    accept_reply(case_id=closed.id, reviewer="刘审核")
    rerun = month("2026-09")  # the September case now names the recurrence
    assert rerun.evaluation.stored.changed >= 1
    number = case(closed.id).document_number
    september = case(f"2026-09-{closed.org_code}")
    recurred = [e for e in september.evidence if e["facts"].get("recurrence")]
    assert recurred and all(e["facts"]["recurrence"] == number for e in recurred)
    assert all("反弹" in e["text"] for e in recurred)
    assert "属问题反弹" in document_path(september.id, ".html").read_text(encoding="utf-8")
    with session_scope() as session:
        others = [c for c in list_cases(session=session, period="2026-09")
                  if c.org_code != closed.org_code]
    assert not any(e["facts"].get("recurrence") for c in others for e in c.evidence)


def test_an_answer_quoting_the_chase_number_stops_the_escalation(sqlite_url, tmp_path):
    case_id = issue_august()
    org = case(case_id).org_code
    month("2026-09")
    decide(document_id=chase_subject("2026-09", org), decision="approve", reviewer="张主任")
    issue_notices(period="2026-09", on=date(2026, 10, 9))
    [chase] = chases(case_id)
    rows = [[None, chase.document_number, "2026-10-14", "已召开支委会并整改", "是", "会议记录"]]
    workbook = sample_with_sheet(tmp_path / "in", "2026-10", "整改反馈", REPLY_HEADERS, rows)
    summary = run_cycle(period="2026-10", input_path=workbook, on=date(2026, 11, 3))
    replies = next(t for t in summary.ingest.tables if t.table == "replies")
    assert (replies.rows_loaded, replies.rows_quarantined) == (1, 0)
    assert case(case_id).replied_on == date(2026, 10, 14)
    assert follow_up_evidence("2026-10", org) == []
