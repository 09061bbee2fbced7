"""The month's scores from a real cycle: every organization scored from the policy, each score
explained line by line, units the mean of their branches, answers and closures adding."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.flows.notices import issue_notices
from dutyflow.rules.policy import load_policy
from dutyflow.services.followup import accept_reply, record_reply
from dutyflow.services.review import decide
from tests.flows.test_review_issue import cycle, office_letters

runner = CliRunner()


def scores(period: str) -> dict[str, dict]:
    result = runner.invoke(app, ["scores", "--period", period, "--json"])
    assert result.exit_code == 0, result.output
    return {row["org_code"]: row for row in json.loads(result.output)}


def explained(org: str, period: str) -> str:
    result = runner.invoke(app, ["explain-score", org, "--period", period])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_organization_is_scored_and_each_score_is_explained(db_url):
    cases = cycle()
    rows = scores("2026-08")
    assert len(rows) == 68  # 8 units and 60 branches
    units = [r for r in rows.values() if r["kind"] == "unit"]
    assert len(units) == 8 and list(rows)[:8] == [u["org_code"] for u in units]
    found = {c.org_code for c in cases}
    clean = [r for code, r in rows.items() if r["kind"] == "branch" and code not in found]
    assert clean and all(r["score"] == 100 for r in clean)
    policy = load_policy()
    for case in cases:
        row = rows[case.org_code]
        text = explained(case.org_code, "2026-08")
        lines = text.splitlines()
        assert lines[1] == "基础分 100" and lines[-1] == f"得分 {row['score']:g}"
        signed = [float(x.split()[0].replace("−", "-").replace("+", "")) for x in lines[2:-1]]
        assert signed and round(100 + sum(signed), 2) == row["score"]  # the lines add up
        worst = max(policy.scores.deduction(e["family"], e["action"]) for e in case.evidence)
        assert row["score"] <= 100 - worst
    unit = units[0]
    branches = [r["score"] for r in rows.values() if r["unit"] == unit["org_code"]
                and r["kind"] == "branch"]
    assert explained(unit["org_code"], "2026-08").splitlines()[1] == \
        f"所属{len(branches)}个党组织平均分 {round(sum(branches) / len(branches), 2):g}"


def test_an_answer_on_time_and_a_closure_add_to_the_month_they_came_in(sqlite_url):
    letter = office_letters(cycle())[0]
    decide(document_id=letter.id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    record_reply(case_id=letter.id, received=date(2026, 9, 15), measures="已整改")
    accept_reply(case_id=letter.id, reviewer="刘审核")
    cycle("2026-09")
    text = explained(letter.org_code, "2026-09")
    assert f"+2  案件{letter.id}整改到位销号" in text
    assert f"+1  案件{letter.id}按期报送整改情况反馈" in text
    assert "+2" not in explained(letter.org_code, "2026-08")
    bad = runner.invoke(app, ["explain-score", "NOPE", "--period", "2026-09"])
    assert bad.exit_code == 2 and "no organization 'NOPE'" in bad.output
    quarter = runner.invoke(app, ["scores", "--period", "2026-Q3"])
    assert quarter.exit_code == 2 and "a score is monthly" in quarter.output
