"""The office's identity: nothing is issued in the name of an example office, and everything
approved that stays unissued is named, with its reason, by an `issue` that exits non-zero."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.settings import reload_settings
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.accountability import get_case, list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.documents import record_decision
from dutyflow.models.tables import Document as DocumentRow
from dutyflow.rules.policy import DEFAULT_POLICY
from tests.conftest import OFFICE_FILE
from tests.flows.test_review_issue import cycle, office_letters

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DECISION = "工委会议纪要〔2026〕9号"
runner = CliRunner()


def text_of(path: str) -> str:
    doc = Document(path)
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def use_office(monkeypatch, path: Path) -> None:
    monkeypatch.setenv("DUTYFLOW_OFFICE_FILE", str(path))
    reload_settings()


def approve(case_id: str, decision: str = "") -> None:
    with session_scope() as session:
        record_decision(session=session, document_id=case_id, decision="approve",
                        reviewer="张主任", note="", decision_ref=decision)


def numbered() -> int:
    with session_scope() as session:
        return session.query(DocumentRow).filter(DocumentRow.number.isnot(None)).count()


def test_issue_refuses_without_the_office_file_and_drafts_still_say_what_is_missing(
        db_url, tmp_path, monkeypatch):
    use_office(monkeypatch, tmp_path / "office.toml")  # not there
    letter = office_letters(cycle())[0]
    draft = text_of(letter.document)
    assert "中共某市委市直机关工作委员会" in draft and "（联系人：待补，电话：待补）" in draft
    approve(letter.id)
    result = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"未找到本单位信息文件 {tmp_path / 'office.toml'}（DUTYFLOW_OFFICE_FILE）")
    with session_scope() as session:
        assert get_case(session=session, case_id=letter.id).status == "approved"
    assert numbered() == 0
    use_office(monkeypatch, OFFICE_FILE)  # filled in: the same case goes out, in its name
    issued = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert issued.exit_code == 0, issued.output
    with session_scope() as session:
        final = text_of(get_case(session=session, case_id=letter.id).document)
    assert "中共云川市委市直机关工作委员会" in final and "某市" not in final and "待补" not in final


def test_issue_refuses_while_one_example_value_remains_naming_the_setting(db_url, tmp_path,
                                                                          monkeypatch):
    office = tmp_path / "office.toml"
    office.write_text("\n".join(line for line in OFFICE_FILE.read_text(encoding="utf-8")
                                .splitlines() if not line.startswith("issuer_address")),
                      encoding="utf-8")
    use_office(monkeypatch, office)
    approve(office_letters(cycle())[0].id)
    result = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert result.exit_code == 2 and numbered() == 0
    assert result.output.strip() == \
        "发文机关地址仍是示例值（issuer_address），请在 office.toml 中填写本单位信息"


def admonishment_month(folder: Path) -> Path:
    """August, with every missed meeting earning a 诫勉 proposal, where one unit's branches
    leave 所在单位党组 blank (their unit names it) and another names it nowhere."""
    book = load_workbook(SAMPLES / "2026-08-党建报表.xlsx")
    sheet = book["组织"]
    column = [c.value for c in sheet[2]].index("所在单位党组") + 1
    for row in sheet.iter_rows(min_row=3):
        code = str(row[0].value or "")
        if code.startswith("DW0003-") or code.startswith("DW0002"):
            row[column - 1].value = None
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "2026-08-党建报表.xlsx")
    policy = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "  ladder: [reminder, talk, circulated_criticism, admonishment]\n"
        "  # a branch without the 是否设支委会",
        "  ladder: [admonishment]\n  # a branch without the 是否设支委会", 1)
    assert "ladder: [admonishment]" in policy
    (folder / "policy.yaml").write_text(policy, encoding="utf-8")
    return folder


def test_an_approved_admonishment_without_a_party_group_is_named_and_issue_exits_3(db_url,
                                                                                  tmp_path):
    folder = admonishment_month(tmp_path / "reports")
    run_cycle(period="2026-08", input_path=folder / "2026-08-党建报表.xlsx",
              policy_path=folder / "policy.yaml")
    with session_scope() as session:
        cases = [c for c in list_cases(session=session, period="2026-08")
                 if c.measure == "admonishment"]
    inherits = next(c for c in cases if c.org_code.startswith("DW0003-"))
    orphan = next(c for c in cases if c.org_code.startswith("DW0002-"))
    assert "缺：所在单位党组" in text_of(orphan.document)  # the draft says what is missing
    approve(inherits.id, DECISION)
    approve(orphan.id, DECISION)
    result = runner.invoke(app, ["issue", "--period", "2026-08", "--on", "2026-09-09"])
    assert result.exit_code == 3, result.output
    assert f"未印发：{orphan.id}：文书缺少所在单位党组（组织表“所在单位党组”列），无法印发" \
        in result.output
    assert "已批准但未能印发 1 份" in result.output
    with session_scope() as session:
        sent = get_case(session=session, case_id=inherits.id)
        kept = get_case(session=session, case_id=orphan.id)
    # the branch's secretary is a cadre of its unit: the letter goes to the unit's 党组
    assert sent.status == "issued" and sent.document_number == "市直工委函〔2026〕1号"
    assert "\n中共市财政局党组：\n" in text_of(sent.document)
    assert kept.status == "approved" and kept.document_number is None


@pytest.mark.parametrize("content, said", [
    ("issuer_name = \"中共云川市委市直机关工作委员会\"\nissuer_adress = \"滨江路\"\n",
     "没有“issuer_adress”这一项"),
    ("contact_phone = \"\"\n", "联系电话（contact_phone）不能为空"),
    ("contact_phone = 55500305\n", "联系电话（contact_phone）应写成文字，加引号"),
    ("issuer_name = \"中共云川市委\n", "第1行格式有误"),
])
def test_a_wrong_office_file_is_refused_in_one_chinese_line(sqlite_url, tmp_path, monkeypatch,
                                                           content, said):
    office = tmp_path / "office.toml"
    office.write_text(content, encoding="utf-8")
    use_office(monkeypatch, office)
    result = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("本单位信息文件 office.toml") and said in line
