"""What the quarter's publications say about measures and scores, read back from the files an
office sends round: a proposal the committee has not decided is named in no communiqué,
circular or year workbook; an issued 通报批评 is, with its number; the quarter circular praises
the organizations that complied fully and counts each failure; every score is rounded half up
(96.125 → 96.13) alike in the communiqué and the workbook."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import openpyxl
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.vocabulary import MEASURE_KINDS, DocumentStatus
from dutyflow.flows.notices import issue_notices
from dutyflow.flows.scheduled import quarter_circular
from dutyflow.models.db import session_scope
from dutyflow.models.documents import record_decision
from dutyflow.models.tables import Case, Organization
from tests.factories import approve_criticism_circular, sheet_rows
from tests.flows.test_review_issue import cycle, cycle_with_a_proposal, office_letters

DECISION = "工委会议纪要〔2026〕9号"
runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def text_of(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def approve(ids: list[str], decision: str = "") -> None:
    with session_scope() as session:
        for case_id in ids:
            record_decision(session=session, document_id=case_id, decision="approve",
                            reviewer="张主任", note="", decision_ref=decision)


def rows_of(sheet) -> list[dict]:
    return sheet_rows(sheet)


def test_only_issued_measures_are_published_and_scores_round_half_up(db_url, tmp_path):
    august = cycle_with_a_proposal(tmp_path)  # DW0001-ZB01: a 通报批评 the committee decides
    criticism = next(c for c in august if c.measure == "circulated_criticism")
    approve([c.id for c in office_letters(august)])
    approve([criticism.id], DECISION)
    approve_criticism_circular("2026-08")
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    september = cycle("2026-09")  # its proposals wait for the committee
    undecided = [c for c in september if c.proposal]
    assert undecided and all(c.status == DocumentStatus.DRAFT for c in undecided)
    with session_scope() as session:
        cases = list(session.query(Case).filter(Case.period.in_(["2026-08", "2026-09"])))
        issued = [c for c in cases if c.status == DocumentStatus.ISSUED]
        number = next(c.document_number for c in issued if c.id == criticism.id)
        names = dict(session.query(Organization.org_code, Organization.org_name))
        types = dict(session.query(Organization.org_code, Organization.org_type))
    assert number and undecided[0].org_code != criticism.org_code

    # the communiqué: every organization that lost points on the bottom list (a wide policy)
    wide = tmp_path / "wide.yaml"
    wide.write_text(Path("rules/default_policy.yaml").read_text(encoding="utf-8")
                    .replace("  bottom: 5\n", "  bottom: 30\n"), encoding="utf-8")
    invoke("ranking", "--period", "2026-Q3", "--draft", "--on", "2026-10-12",
           "--policy", str(wide))
    out = tmp_path / "out" / "2026-Q3"
    communique = text_of(out / "drafts" / "ranking-2026-Q3.docx")
    entry = next(line for line in communique.splitlines() if names[criticism.org_code] in line)
    assert "本季度已印发：" in entry and f"通报批评（{number}）" in entry
    assert "至少" not in communique and "经约谈后" not in communique  # failures, not rules
    assert "未按月" in communique or "未按季度" in communique
    for case in undecided:
        line = next(line for line in communique.splitlines() if names[case.org_code] in line)
        assert "通报批评" not in line and "诫勉" not in line and "责令检查" not in line

    # scores: the workbook's and the communiqué's, both rounded half up from the months'
    book = openpyxl.load_workbook(out / "2026-Q3-考评排名.xlsx")
    units = rows_of(book["直属党组织排名"])
    halves = []
    for row in units:
        exact = (Decimal(repr(row["8月"])) + Decimal(repr(row["9月"]))) / 2
        half_up = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert row["季度得分"] == float(half_up)
        if exact.as_tuple().exponent == -3 and exact.as_tuple().digits[-1] == 5:
            halves.append((row, half_up))
            assert f"{row['组织名称']}（第{row['名次']}名，{half_up.normalize():f}分）" in \
                communique or f"{row['名次']}\n{row['组织名称']}\n{half_up.normalize():f}" in \
                communique
    assert halves  # the samples hold a unit whose mean ends in 5 (95.625 → 95.63, not 95.62)

    # the year workbook counts issued measures only, each named with its number
    invoke("year", "--period", "2026")
    year = openpyxl.load_workbook(tmp_path / "out" / "2026" / "2026-党建工作考核.xlsx")
    summary = rows_of(year["汇总"])
    assert summary[-1]["已印发案件数（含所属）"] == len(issued)
    members = [r for name in year.sheetnames[1:] for r in rows_of(year[name])[:-1]]
    measures = {r["组织编码"]: r["已印发处置措施"] or "" for r in members}
    assert f"通报批评（{number}）" in measures[criticism.org_code]
    for case in undecided:
        assert MEASURE_KINDS[case.measure].name not in measures[case.org_code]
    for case in issued:
        assert f"{MEASURE_KINDS[case.measure].name}（{case.document_number}）" in \
            measures[case.org_code]

    # the quarter circular: measures issued, who complied fully, each failure with its count
    circular = text_of(Path(quarter_circular(period="2026-Q3")))
    office = [c for c in issued if not MEASURE_KINDS[c.measure].accountability]
    assert f"本季度共采取处置措施{len(office)}次" in circular
    assert "经工委会议研究决定，对1个党组织（书记）进行问责，其中通报批评1个" in circular
    assert names[criticism.org_code] in circular and number in circular
    live = [c for c in cases if c.status in (DocumentStatus.DRAFT, DocumentStatus.APPROVED,
                                             DocumentStatus.ISSUED)]
    clean = sorted(code for code, kind in types.items()
                   if kind == "党支部" and code not in {c.org_code for c in live})
    assert len(clean) > 5 and "暂无予以表扬" not in circular
    assert "、".join(names[c] for c in clean[:5]) + f"等{len(clean)}个基层党支部" in circular
    theme_day = sorted({c.org_code for c in live for e in c.evidence
                        if e.get("subject") == "theme_day"})
    assert theme_day
    named = "、".join(names[c] for c in theme_day[:5]) + ("等" if len(theme_day) > 5 else "")
    assert f"主题党日未按月开展：{len(theme_day)}个党支部（{named}）。" in circular
    assert "每月相对固定1天开展主题党日，涉及" not in circular  # a failure, not the rule
