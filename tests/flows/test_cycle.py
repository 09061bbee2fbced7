"""`dutyflow run` end to end on the bundled sample data, as Prefect flow runs, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.accountability import action_events, list_actions
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Meeting, Organization

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MONTHS = ("2026-08", "2026-09", "2026-10")
runner = CliRunner()


def workbook(month: str) -> Path:
    return SAMPLES / f"{month}-党建报表.xlsx"


def actions_json(period: str) -> list[dict]:
    result = runner.invoke(app, ["actions", "--period", period, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def committee_misses() -> dict[str, list[str]]:
    """Independent oracle: months in which each branch held no committee meeting."""
    with session_scope() as session:
        branches = [o.org_code for o in session.query(Organization).all() if o.org_type == "党支部"]
        held = pd.DataFrame([(m.org_code, m.held_on.strftime("%Y-%m")) for m in
                             session.query(Meeting).filter(Meeting.meeting_type == "committee_meeting")],
                            columns=["org", "month"])
    done = set(zip(held["org"], held["month"], strict=True))
    return {b: [m for m in MONTHS if (b, m) not in done] for b in branches}


def test_three_months_escalate_exactly_as_the_policy_says(db_url):
    for month in MONTHS:
        state = run_cycle(period=month, input_path=workbook(month), return_state=True)
        assert state.is_completed()
    ladder = {1: "reminder", 2: "talk", 3: "circulated_criticism"}
    expected, seen = {}, {}
    for org, missed in committee_misses().items():
        streak = 0
        for month in MONTHS:
            streak = streak + 1 if month in missed else 0
            if streak:
                expected[(org, month)] = ladder[streak]
    for month in MONTHS:
        for action in actions_json(month):
            for evidence in action["evidence"]:
                if evidence["subject"] == "committee_meeting":
                    seen[(action["org_code"], month)] = action["action"]
    assert seen == expected
    assert "circulated_criticism" in seen.values() and "talk" in seen.values()
    # the contract's fields, on every action
    october = actions_json("2026-10")
    assert october and {"id", "org_code", "action", "rule_ids", "status", "evidence",
                        "document"} <= set(october[0])
    assert {a["status"] for a in october} == {"draft"}
    assert {a["action"] for a in october} >= {"reminder", "supervision", "talk",
                                              "circulated_criticism"}


def test_rerunning_a_period_changes_nothing(db_url):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    before = actions_json("2026-08")
    summary = run_cycle(period="2026-08", input_path=workbook("2026-08"))
    assert summary.evaluation.stored.opened == 0 and summary.evaluation.stored.changed == 0
    assert actions_json("2026-08") == before


def test_a_corrected_report_withdraws_actions_whose_findings_vanished(db_url, tmp_path):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    reminders = [a for a in actions_json("2026-08") if a["action"] == "reminder"
                 and any(e["subject"] == "theme_day" for e in a["evidence"])
                 and len(a["evidence"]) == 1]
    target = reminders[0]
    # the office sends a corrected ledger: the theme day was held after all
    from openpyxl import load_workbook

    book = load_workbook(workbook("2026-08"))
    book["组织生活"].append([target["org_code"], "主题党日", "2026-08-20", 12])
    corrected = tmp_path / "2026-08-更正.xlsx"
    book.save(corrected)
    summary = run_cycle(period="2026-08", input_path=corrected)
    assert summary.evaluation.stored.withdrawn >= 1
    after = {a["id"]: a for a in actions_json("2026-08")}
    assert after[target["id"]]["status"] == "withdrawn"  # recorded, not deleted
    with session_scope() as session:
        events = [e.event for e in action_events(session=session, action_id=target["id"])]
    assert events == ["opened", "withdrawn"]
    # the rest are untouched
    assert {k: v["status"] for k, v in after.items() if k != target["id"]} == {
        a["id"]: "draft" for a in actions_json("2026-08") if a["id"] != target["id"]}


def test_explain_reads_as_an_officer_would_write_it(sqlite_url):
    for month in MONTHS[:2]:
        run_cycle(period=month, input_path=workbook(month))
    talk = next(a for a in actions_json("2026-09") if a["action"] == "talk")
    result = runner.invoke(app, ["explain", talk["id"]])
    assert result.exit_code == 0, result.output
    assert "约谈（草稿，待审核）" in result.output
    assert "原因（共" in result.output and "依据：" in result.output and "认定：" in result.output
    assert "少于规定的" in result.output or "已逾期" in result.output or "考核得分" in result.output
    missing = runner.invoke(app, ["explain", "no-such-action"])
    assert missing.exit_code == 2 and "no action 'no-such-action'" in missing.output


def test_simulate_shows_what_a_stricter_policy_would_add_and_writes_nothing(sqlite_url, tmp_path):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    from dutyflow.rules.policy import DEFAULT_POLICY

    stricter = tmp_path / "stricter.yaml"
    stricter.write_text(DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "score_below: 70", "score_below: 85"), encoding="utf-8")
    with session_scope() as session:
        before = len(list_actions(session=session, period="2026-08"))
    result = runner.invoke(app, ["simulate", "--period", "2026-08", "--policy", str(stricter),
                                 "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.output)
    assert diff["appear"] and not diff["disappear"]
    with session_scope() as session:
        assert len(list_actions(session=session, period="2026-08")) == before
