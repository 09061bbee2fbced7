"""`dutyflow run` end to end on the bundled sample data, as Prefect flow runs, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.accountability import case_lines, list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_about

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MONTHS = ("2026-08", "2026-09", "2026-10")
runner = CliRunner()


def workbook(month: str) -> Path:
    return SAMPLES / f"{month}-党建报表.xlsx"


def actions_json(period: str) -> list[dict]:
    result = runner.invoke(app, ["actions", "--period", period, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


LADDER = ["reminder", "talk", "circulated_criticism", "admonishment"]


def decide_all(period: str, *, reject_every: int = 3) -> set[str]:
    """Approve the period's cases (proposals with a committee decision), reject every third;
    the org codes whose case was approved."""
    approved = set()
    for n, case in enumerate(actions_json(period)):
        if n % reject_every == reject_every - 1:
            args = ["--reject", "--note", "已核实，情况特殊"]
        else:
            args = ["--approve"] + (["--decision", "工委会议纪要〔2026〕9号"] if case["proposal"] else [])
            approved.add(case["org_code"])
        result = runner.invoke(app, ["review", case["id"], "--reviewer", "张主任", *args])
        assert result.exit_code == 0, result.output
    return approved


def issue_month(period: str) -> set[str]:
    """Issue what was approved (the period's 通报 approved first, so its letters go out) on
    the 9th of the next month; the org codes whose measure was issued: only those climb."""
    from dutyflow.core.vocabulary import CRITICISM_CIRCULAR

    year, month = map(int, period.split("-"))
    documents = json.loads(runner.invoke(app, ["documents", "--period", period, "--kind",
                                                CRITICISM_CIRCULAR, "--json"]).output)
    for circular in (d for d in documents if d["status"] == "draft"):
        result = runner.invoke(app, ["review", circular["id"], "--approve", "--reviewer",
                                     "张主任"])
        assert result.exit_code == 0, result.output
    on = f"{year + month // 12}-{month % 12 + 1:02d}-09"
    runner.invoke(app, ["issue", "--period", period, "--on", on])
    return {c["org_code"] for c in actions_json(period) if c["document_number"]}


def meeting_findings(period: str) -> dict[str, list[str]]:
    return {c["org_code"]: [e["action"] for e in c["evidence"] if e["family"] == "meeting"]
            for c in actions_json(period)}


def test_three_months_climb_only_after_measures_taken_one_case_per_organization(db_url):
    steps: dict[str, int] = {}
    approved: set[str] = set()
    previous: dict[str, list[str]] = {}
    for month in MONTHS:
        state = run_cycle(period=month, input_path=workbook(month), return_state=True)
        assert state.is_completed()
        cases = actions_json(month)
        assert len({c["org_code"] for c in cases}) == len(cases)  # one case per organization
        assert all(c["id"] == f"{month}-{c['org_code']}" for c in cases)
        found = meeting_findings(month)
        for org, actions in found.items():
            if not actions:
                continue
            # independent oracle: one step up after a measure issued on last month's meetings
            step = steps.get(org, -1) + 1 if (org in approved and previous.get(org)) else 0
            steps[org] = step
            assert set(actions) == {LADDER[min(step, 3)]}, (month, org, actions, step)
        for org in set(steps) - {o for o, a in found.items() if a}:
            steps.pop(org)
        for case in cases:  # the case takes the most severe measure its findings earn
            severity = [e["action"] for e in case["evidence"]]
            assert case["action"] == severity[0]
            assert case["proposal"] == (case["action"] in ("circulated_criticism",
                                                            "admonishment", "self_inspection"))
        previous = found
        decide_all(month)
        approved = issue_month(month)
    assert any(s >= 1 for s in steps.values())  # some branch did climb
    october = actions_json("2026-10")
    assert {"id", "org_code", "action", "measure", "proposal", "rule_ids", "status", "evidence",
            "document", "document_number", "reviewer", "decided_at", "note", "decision_ref",
            "reply_due"} <= set(october[0])
    assert all(c["measure"] == c["action"] for c in october)  # the contract's two names
    assert all(e["basis"] for c in october for e in c["evidence"])


def test_months_left_undecided_never_climb(db_url):
    for month in MONTHS:
        run_cycle(period=month, input_path=workbook(month))
    for month in MONTHS:
        for actions in meeting_findings(month).values():
            assert set(actions) <= {"reminder"}


def test_rerunning_a_period_changes_nothing(db_url):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    before = actions_json("2026-08")
    summary = run_cycle(period="2026-08", input_path=workbook("2026-08"))
    assert summary.evaluation.stored.opened == 0 and summary.evaluation.stored.changed == 0
    assert actions_json("2026-08") == before


def test_a_corrected_report_withdraws_actions_whose_findings_vanished(db_url, tmp_path):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    reminders = [a for a in actions_json("2026-08") if a["action"] == "reminder"
                 and [e["subject"] for e in a["evidence"]] == ["theme_day"]]
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
        events = [e.event for e in events_about(session=session, case_id=target["id"])]
    assert events == ["opened", "withdrawn"]
    # the rest are untouched
    assert {k: v["status"] for k, v in after.items() if k != target["id"]} == {
        a["id"]: "draft" for a in actions_json("2026-08") if a["id"] != target["id"]}
    # the digest's lines (read as columns, the evidence counted by the database) say the same
    with session_scope() as session:
        lines = case_lines(session=session, period="2026-08")
    assert [(c.id, c.org_code, c.measure, c.rule_ids, c.findings, c.status, c.document)
            for c in lines] == [(a["id"], a["org_code"], a["action"], a["rule_ids"],
                                 len(a["evidence"]), a["status"], a["document"])
                                for a in actions_json("2026-08")]


def test_explain_reads_as_an_officer_would_write_it(sqlite_url):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    case = max(actions_json("2026-08"), key=lambda c: len(c["evidence"]))
    result = runner.invoke(app, ["explain", case["id"]])
    assert result.exit_code == 0, result.output
    assert "（草稿，待审核）" in result.output and "合并为一案" in result.output
    assert f"问题（共{len(case['evidence'])}项）" in result.output
    assert "要求：" in result.output and "认定：" in result.output and "《" in result.output
    missing = runner.invoke(app, ["explain", "no-such-case"])
    assert missing.exit_code == 2 and "没有编号为 no-such-case 的案件" in missing.output


def test_simulate_shows_what_a_stricter_policy_would_add_and_writes_nothing(sqlite_url, tmp_path):
    run_cycle(period="2026-08", input_path=workbook("2026-08"))
    from dutyflow.rules.policy import DEFAULT_POLICY

    stricter = tmp_path / "stricter.yaml"
    stricter.write_text(DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "score_below: 70", "score_below: 85"), encoding="utf-8")
    with session_scope() as session:
        before = len(list_cases(session=session, period="2026-08"))
    result = runner.invoke(app, ["simulate", "--period", "2026-08", "--policy", str(stricter),
                                 "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.output)
    assert diff["appear"] and not diff["disappear"]
    assert all(c["now"] is None and c["then"] for c in diff["changes"]
               if c["case_id"] in diff["appear"])
    # the requirement notices quote follows the threshold: old and new wording side by side
    [wording] = diff["wording"]
    assert wording["now"] == "党建工作考核得分不低于70分，责任清单任务完成率不低于80%"
    assert wording["then"] == "党建工作考核得分不低于85分，责任清单任务完成率不低于80%"
    table = runner.invoke(app, ["simulate", "--period", "2026-08", "--policy", str(stricter)])
    assert "无 → 提醒" in table.output
    assert "履责考核" in table.output and "不低于85分" in table.output \
        and "不低于70分" in table.output and "文书引用的要求改变 1 处" in table.output
    with session_scope() as session:
        assert len(list_cases(session=session, period="2026-08")) == before
