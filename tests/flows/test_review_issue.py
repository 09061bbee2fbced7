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
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_approved, issue_notices
from dutyflow.models.accountability import action_events, get_action, list_actions
from dutyflow.models.db import session_scope
from dutyflow.models.decisions import ReviewError, record_decision

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def cycle(month: str = "2026-08") -> list:
    run_cycle(period=month, input_path=SAMPLES / f"{month}-党建报表.xlsx")
    with session_scope() as session:
        return list_actions(session=session, period=month)


def sha(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_drafts_exist_for_every_action_and_open_in_word(db_url):
    actions = cycle()
    assert actions
    for action in actions:
        assert Path(action.document).exists() and Path(action.html_document).exists()
    text = "\n".join(p.text for p in Document(actions[0].document).paragraphs)
    assert "〔待编号〕" in text and "草稿" in text


def test_rerunning_a_period_writes_no_new_documents(db_url):
    actions = cycle()
    stamps = {a.id: Path(a.document).stat().st_mtime_ns for a in actions}
    again = cycle()
    assert {a.id: Path(a.document).stat().st_mtime_ns for a in again} == stamps


def test_approve_and_reject_are_recorded_and_a_rejection_needs_a_note(db_url):
    first, second = cycle()[:2]
    ok = runner.invoke(app, ["review", first.id, "--approve", "--reviewer", "张主任"])
    assert ok.exit_code == 0 and "approved by 张主任" in ok.output
    no_note = runner.invoke(app, ["review", second.id, "--reject", "--reviewer", "张主任"])
    assert no_note.exit_code == 2 and "a rejection needs a reason (--note)" in no_note.output
    rejected = runner.invoke(app, ["review", second.id, "--reject", "--reviewer", "张主任",
                                   "--note", "该支部已提交补充材料"])
    assert rejected.exit_code == 0
    with session_scope() as session:
        events = action_events(session=session, action_id=second.id)
    assert [(e.event, e.actor) for e in events] == [
        ("opened", "dutyflow"), ("refused_reject", "张主任"), ("rejected", "张主任")]
    assert "needs a reason" in events[1].note and events[2].note == "该支部已提交补充材料"


def test_rerun_keeps_decisions_while_the_findings_are_unchanged(db_url):
    first, second = cycle()[:2]
    with session_scope() as session:
        record_decision(session=session, action_id=first.id, decision="approve", reviewer="张主任",
                        note="")
        record_decision(session=session, action_id=second.id, decision="reject", reviewer="张主任",
                        note="情况属实但已整改")
    after = {a.id: a.status for a in cycle()}
    assert after[first.id] == "approved" and after[second.id] == "rejected"


def test_issue_numbers_approved_actions_without_gaps_and_freezes_them(db_url):
    actions = cycle()
    with session_scope() as session:
        for action in actions[:3]:
            record_decision(session=session, action_id=action.id, decision="approve",
                            reviewer="张主任", note="")
    result = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert result.exit_code == 0, result.output
    numbers = re.findall(r"市直工委〔\d{4}〕(\d+)号", result.output)
    assert sorted(map(int, numbers)) == [1, 2, 3]
    with session_scope() as session:
        issued = [get_action(session=session, action_id=a.id) for a in actions[:3]]
    for action in issued:
        assert action.status == "issued" and action.doc_number in result.output
        text = "\n".join(p.text for p in Document(action.document).paragraphs)
        assert action.doc_number in text and "草稿" not in text
        assert sha(action.document) == action.document_sha256
    frozen = {a.id: sha(a.document) for a in issued}
    # later approvals continue the sequence; issued documents never change on a re-run
    with session_scope() as session:
        record_decision(session=session, action_id=actions[3].id, decision="approve",
                        reviewer="张主任", note="")
    summary = issue_notices(period="2026-08")
    assert [n for _, n, _ in summary.issued] == [f"市直工委〔{date.today().year}〕4号"]
    cycle()
    with session_scope() as session:
        assert {a.id: sha(a.document) for a in issued} == frozen
        assert get_action(session=session, action_id=issued[0].id).status == "issued"
    refused = runner.invoke(app, ["review", issued[0].id, "--reject", "--reviewer", "张主任",
                                  "--note", "改主意了"])
    assert refused.exit_code == 2 and "an issued notice never changes" in refused.output


def test_a_decision_on_a_withdrawn_or_unknown_action_is_refused(sqlite_url):
    cycle()
    with session_scope() as session, pytest.raises(ReviewError, match="no action"):
        record_decision(session=session, action_id="nope", decision="approve", reviewer="张",
                        note="")


def test_two_issue_runs_at_once_give_no_duplicate_or_missing_number(pg_url):
    actions = cycle()
    with session_scope() as session:
        for action in actions:
            record_decision(session=session, action_id=action.id, decision="approve",
                            reviewer="张主任", note="")
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
                     for _, n, _ in r.issued)
    assert numbers == list(range(1, len(actions) + 1))
    assert len({n for r in results for _, n, _ in r.issued}) == len(actions)  # no number twice
    with session_scope() as session:
        assert {a.status for a in list_actions(session=session, period="2026-08")} == {"issued"}


def test_only_configured_reviewers_decide_and_never_on_their_own_branch(db_url):
    actions = cycle()
    outsider = runner.invoke(app, ["review", actions[0].id, "--approve", "--reviewer", "王五"])
    assert outsider.exit_code == 2
    assert "'王五' is not a configured reviewer" in outsider.output
    with session_scope() as session:
        from dutyflow.models.tables import Organization

        org = session.get(Organization, actions[0].org_code)
        secretary = org.secretary
    from dutyflow.core.settings import Reviewer, settings

    settings.reviewers = [*settings.reviewers, Reviewer(name=secretary, role="兼职审核员")]
    own = runner.invoke(app, ["review", actions[0].id, "--approve", "--reviewer", secretary])
    assert own.exit_code == 2 and "someone else must decide" in own.output
    with session_scope() as session:
        assert get_action(session=session, action_id=actions[0].id).status == "draft"
        events = [(e.event, e.actor) for e in action_events(session=session,
                                                             action_id=actions[0].id)]
    assert events == [("opened", "dutyflow"), ("refused_approve", "王五"),
                      ("refused_approve", secretary)]
    log = runner.invoke(app, ["audit", "--period", "2026-08"])
    assert log.exit_code == 0 and "refused_approve" in log.output and "王五" in log.output


def test_the_audit_log_cannot_be_edited_or_deleted(db_url):
    actions = cycle()
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    for statement in ("UPDATE action_event SET note = 'forged'", "DELETE FROM action_event"):
        with pytest.raises(DatabaseError, match="append-only"), session_scope() as session:
            session.execute(text(statement))
    with session_scope() as session:
        assert len(action_events(session=session, action_id=actions[0].id)) == 1
