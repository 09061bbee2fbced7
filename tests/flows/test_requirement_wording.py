"""A notice quotes the requirement its rule applies: written from the rule's own numbers, so a
changed threshold changes the words, and a policy whose words and numbers disagree is refused."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import session_scope
from dutyflow.rules.policy import DEFAULT_POLICY

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def policy_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def text_of(path: str) -> str:
    doc = Document(path)
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_a_raised_threshold_is_the_one_every_drafted_notice_quotes(db_url, tmp_path):
    stricter = policy_with(tmp_path, "score_below: 70,", "score_below: 80,")
    run_cycle(period="2026-08", input_path=SAMPLES / "2026-08-党建报表.xlsx", policy_path=stricter)
    with session_scope() as session:
        cases = list_cases(session=session, period="2026-08")
    # 73.3 in August: no finding at 70, a reminder at 80
    [case] = [c for c in cases if c.org_code == "DW0005-ZB05"]
    notice = text_of(case.document)
    assert "不符合“党建工作考核得分不低于80分，责任清单任务完成率不低于80%”的要求" in notice
    quoting = [text_of(c.document) for c in cases if "fulfillment" in " ".join(c.rule_ids)]
    assert quoting and all("不低于70分" not in t for t in quoting)


def test_a_policy_whose_words_state_another_number_is_refused_naming_the_line(sqlite_url,
                                                                              tmp_path):
    # the words written out, as policies were before placeholders: 70 no longer the rule's
    literal = policy_with(tmp_path, "{score_below}分", "70分").read_text(encoding="utf-8")
    mismatched = tmp_path / "mismatched.yaml"
    mismatched.write_text(literal.replace("score_below: 70,", "score_below: 80,"),
                          encoding="utf-8")
    line = next(n for n, text in enumerate(literal.splitlines(), 1)
                if text.startswith("  text: 党建工作考核得分"))
    result = runner.invoke(app, ["simulate", "--period", "2026-08", "--policy", str(mismatched)])
    assert result.exit_code == 2
    assert (f"规则文件 mismatched.yaml 第{line}行（fulfillment.text）：文字写的是“70分”，"
            "与本条规则的数字（score_below: 80、tasks_done_below: 0.8）不符") in result.output
    # the same words with the numbers they state still load, and judge as before
    agreeing = tmp_path / "agreeing.yaml"
    agreeing.write_text(literal, encoding="utf-8")
    ok = runner.invoke(app, ["simulate", "--period", "2026-08", "--policy", str(agreeing)])
    assert ok.exit_code == 0, ok.output
