"""Review and issuing: decisions kept across re-runs, gapless numbers, issued documents frozen."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.vocabulary import MEASURE_KINDS
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_approved, issue_notices
from dutyflow.models.accountability import get_case, list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.documents import ReviewError, events_about, record_decision
from dutyflow.services.casefile import document_path
from tests.factories import LATE_ITEM, printed_row, sample_with_rows

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def cycle(month: str = "2026-08") -> list:
    run_cycle(period=month, input_path=SAMPLES / f"{month}-党建报表.xlsx")
    with session_scope() as session:
        return list_cases(session=session, period=month)


def cycle_with_a_proposal(tmp_path: Path) -> list:
    """August with one item 120 days overdue: its case proposes 通报批评."""
    run_cycle(period="2026-08", input_path=sample_with_rows(tmp_path, "2026-08", "整改", [LATE_ITEM]))
    with session_scope() as session:
        return list_cases(session=session, period="2026-08")


def office_letters(cases: list) -> list:
    """Cases one reviewer may approve, whose notice gets a number."""
    return [c for c in cases if not c.proposal and MEASURE_KINDS[c.measure].numbered]


def sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_drafts_exist_for_every_action_and_open_in_word(db_url):
    actions = cycle()
    assert actions
    for action in actions:
        assert Path(action.document).exists()
        # the HTML view waits until someone asks for it, then comes from the draft's own data
        assert not Path(action.html_document).exists()
        view = document_path(action.id, ".html")
        assert view == Path(action.html_document) and view.is_file()
    text = "\n".join(p.text for p in Document(actions[0].document).paragraphs)
    assert "〔待编号〕" in text and "草稿" in text
    page = Path(actions[0].html_document).read_text(encoding="utf-8")
    assert "〔待编号〕" in page and actions[0].id in page


def test_rerunning_a_period_writes_no_new_documents(db_url):
    actions = cycle()
    stamps = {a.id: Path(a.document).stat().st_mtime_ns for a in actions}
    again = cycle()
    assert {a.id: Path(a.document).stat().st_mtime_ns for a in again} == stamps


def test_approve_and_reject_are_recorded_and_a_rejection_needs_a_note(db_url):
    first, second = office_letters(cycle())[:2]
    ok = runner.invoke(app, ["review", first.id, "--approve", "--reviewer", "张主任"])
    assert ok.exit_code == 0 and printed_row(ok.output, first.id)[1:] == ["已批准，待印发", "张主任"]
    no_note = runner.invoke(app, ["review", second.id, "--reject", "--reviewer", "张主任"])
    assert no_note.exit_code == 2 and "驳回须写明理由" in no_note.output
    rejected = runner.invoke(app, ["review", second.id, "--reject", "--reviewer", "张主任",
                                   "--note", "该支部已提交补充材料"])
    assert rejected.exit_code == 0
    with session_scope() as session:
        events = events_about(session=session, case_id=second.id)
    assert [(e.event, e.actor) for e in events] == [
        ("opened", "dutyflow"), ("refused_reject", "张主任"), ("rejected", "张主任")]
    assert "驳回须写明理由" in events[1].note and events[2].note == "该支部已提交补充材料"


def test_rerun_keeps_decisions_while_the_findings_are_unchanged(db_url):
    first, second = cycle()[:2]
    with session_scope() as session:
        record_decision(session=session, document_id=first.id, decision="approve", reviewer="张主任",
                        note="")
        record_decision(session=session, document_id=second.id, decision="reject", reviewer="张主任",
                        note="情况属实但已整改")
    after = {a.id: a.status for a in cycle()}
    assert after[first.id] == "approved" and after[second.id] == "rejected"


def test_issue_numbers_approved_actions_without_gaps_and_freezes_them(db_url):
    actions = office_letters(cycle())
    with session_scope() as session:
        for action in actions[:3]:
            record_decision(session=session, document_id=action.id, decision="approve",
                            reviewer="张主任", note="")
    result = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert result.exit_code == 0, result.output
    # reminders, supervision letters and talk notices are letters: the 函 series
    numbers = re.findall(r"市直工委函〔\d{4}〕(\d+)号", result.output)
    assert sorted(map(int, numbers)) == [1, 2, 3]
    with session_scope() as session:
        issued = [get_case(session=session, case_id=a.id) for a in actions[:3]]
    for action in issued:
        assert action.status == "issued" and action.document_number in result.output
        text = "\n".join(p.text for p in Document(action.document).paragraphs)
        assert action.document_number in text and "草稿" not in text
        assert sha(action.document) == action.notice.sha256
    frozen = {a.id: sha(a.document) for a in issued}
    # later approvals continue the sequence; issued documents never change on a re-run
    with session_scope() as session:
        record_decision(session=session, document_id=actions[3].id, decision="approve",
                        reviewer="张主任", note="")
    summary = issue_notices(period="2026-08")
    assert [n for _, n, _ in summary.issued] == [f"市直工委函〔{date.today().year}〕4号"]
    cycle()
    with session_scope() as session:
        assert {a.id: sha(a.document) for a in issued} == frozen
        assert get_case(session=session, case_id=issued[0].id).status == "issued"
    refused = runner.invoke(app, ["review", issued[0].id, "--reject", "--reviewer", "张主任",
                                  "--note", "改主意了"])
    assert refused.exit_code == 2 and "印发的文书不再改变" in refused.output


def test_a_decision_on_a_withdrawn_or_unknown_action_is_refused(sqlite_url):
    cycle()
    with session_scope() as session, pytest.raises(ReviewError, match="没有编号为"):
        record_decision(session=session, document_id="nope", decision="approve", reviewer="张",
                        note="")


def test_two_issue_runs_at_once_give_no_duplicate_or_missing_number(pg_url):
    cases = cycle()
    with session_scope() as session:
        for case in cases:
            record_decision(session=session, document_id=case.id, decision="approve",
                            reviewer="张主任", note="", decision_ref="工委会议纪要〔2026〕9号")
    actions = [c for c in cases if MEASURE_KINDS[c.measure].numbered]
    results, errors = [], []

    def issue() -> None:
        try:
            results.append(issue_approved.fn("2026-08", date(2026, 11, 22), "race"))
        except Exception as exc:  # pragma: no cover - a failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(int(re.search(r"〕(\d+)号", n).group(1)) for r in results
                     for _, n, _ in r.issued if n)
    assert numbers == list(range(1, len(actions) + 1))
    assert len({n for r in results for _, n, _ in r.issued if n}) == len(actions)  # none twice
    with session_scope() as session:
        assert {a.status for a in list_cases(session=session, period="2026-08")} == {"issued"}


def test_only_configured_reviewers_decide_and_never_on_their_own_branch(db_url):
    actions = office_letters(cycle())
    outsider = runner.invoke(app, ["review", actions[0].id, "--approve", "--reviewer", "王五"])
    assert outsider.exit_code == 2
    assert "“王五”不是审核人" in outsider.output
    with session_scope() as session:
        from dutyflow.models.tables import Organization

        org = session.get(Organization, actions[0].org_code)
        secretary = org.secretary
    from dutyflow.core.settings import Reviewer, settings

    settings.reviewers = [*settings.reviewers, Reviewer(name=secretary, role="兼职审核员")]
    own = runner.invoke(app, ["review", actions[0].id, "--approve", "--reviewer", secretary])
    assert own.exit_code == 2 and "须由他人决定" in own.output
    with session_scope() as session:
        assert get_case(session=session, case_id=actions[0].id).status == "draft"
        events = [(e.event, e.actor) for e in events_about(session=session,
                                                             case_id=actions[0].id)]
    assert events == [("opened", "dutyflow"), ("refused_approve", "王五"),
                      ("refused_approve", secretary)]
    log = runner.invoke(app, ["audit", "--period", "2026-08"])
    assert log.exit_code == 0
    printed = [line.split()[2:5] for line in log.output.splitlines() if actions[0].id in line]
    assert printed == [["立案", "系统（自动）", actions[0].id],  # the reviewer's words for each
                       ["批准未记录（不符合规定）", "王五", actions[0].id],
                       ["批准未记录（不符合规定）", secretary, actions[0].id]]


def test_the_audit_log_cannot_be_edited_or_deleted(db_url):
    actions = cycle()
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    for statement in ("UPDATE event SET note = 'forged'", "DELETE FROM event"):
        with pytest.raises(DatabaseError, match="append-only"), session_scope() as session:
            session.execute(text(statement))
    with session_scope() as session:
        assert len(events_about(session=session, case_id=actions[0].id)) == 1


def test_a_proposal_is_refused_without_the_committee_decision_and_approved_with_it(db_url,
                                                                                   tmp_path):
    proposal = next(c for c in cycle_with_a_proposal(tmp_path) if c.proposal)
    assert proposal.measure == "circulated_criticism"
    bare = runner.invoke(app, ["review", proposal.id, "--approve", "--reviewer", "张主任"])
    assert bare.exit_code == 2
    assert "须由工委会议集体决定" in bare.output and "会议决定的文号" in bare.output
    decided = runner.invoke(app, ["review", proposal.id, "--approve", "--reviewer", "张主任",
                                  "--decision", "工委会议纪要〔2026〕9号"])
    assert decided.exit_code == 0 and "工委会议纪要〔2026〕9号" in decided.output
    with session_scope() as session:
        case = get_case(session=session, case_id=proposal.id)
        events = [e for e in events_about(session=session, case_id=proposal.id)
                  if e.subject == proposal.id]
    assert case.status == "approved" and case.decision_ref == "工委会议纪要〔2026〕9号"
    assert case.reviewer == "张主任" and case.decided_at is not None
    assert [e.event for e in events] == ["opened", "refused_approve", "approved"]
    assert "工委会议纪要〔2026〕9号" in events[-1].note  # in the audit log
    audit = runner.invoke(app, ["audit", "--period", "2026-08"])
    assert "工委会议纪要〔2026〕9号" in audit.output


def test_several_cases_are_decided_in_one_command_and_one_refusal_loses_none(db_url, tmp_path):
    cases = cycle_with_a_proposal(tmp_path)
    letters = office_letters(cases)[:3]
    proposal = next(c for c in cases if c.proposal)
    result = runner.invoke(app, ["review", *(c.id for c in letters), proposal.id, "--approve",
                                 "--reviewer", "刘审核"])
    assert result.exit_code == 2 and "1 of 4 refused" not in result.output  # one: said plainly
    with session_scope() as session:
        statuses = {c.id: get_case(session=session, case_id=c.id).status
                    for c in [*letters, proposal]}
    assert [statuses[c.id] for c in letters] == ["approved"] * 3
    assert statuses[proposal.id] == "draft"


def test_a_return_for_correction_is_sent_without_a_number(db_url, tmp_path):
    from openpyxl import load_workbook

    clean = {c.org_code for c in cycle()}  # a clean branch's item marked done, with no date
    branch = next(r[0].value for r in load_workbook(SAMPLES / "2026-08-党建报表.xlsx")["组织"]
                  .iter_rows(min_row=3) if r[2].value == "党支部" and r[0].value not in clean)
    paper = ["ZG-PAPER-1", branch, "党费收缴台账不完整", "2026-07-31", "已整改", None]
    run_cycle(period="2026-08", input_path=sample_with_rows(tmp_path, "2026-08", "整改", [paper]))
    with session_scope() as session:
        returns = [c for c in list_cases(session=session, period="2026-08")
                   if c.measure == "return_for_correction"]
    assert [c.org_code for c in returns] == [branch]
    with session_scope() as session:
        record_decision(session=session, document_id=returns[0].id, decision="approve",
                        reviewer="张主任", note="")
    summary = issue_notices(period="2026-08")
    assert [(i, n) for i, n, _ in summary.issued] == [(returns[0].id, "")]
    with session_scope() as session:
        sent = get_case(session=session, case_id=returns[0].id)
    assert sent.status == "issued" and sent.document_number is None
    assert "不属于问责处理" in "\n".join(p.text for p in Document(sent.document).paragraphs)
