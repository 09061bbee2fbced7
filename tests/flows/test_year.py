"""The year's roll-up from real cycles: a workbook with a summary sheet and one per unit,
read back with openpyxl, whose totals equal the months' own; charts as files; an artifact."""

from __future__ import annotations

import asyncio
from datetime import date

import openpyxl
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import func, select
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.vocabulary import DocumentStatus
from dutyflow.flows.notices import issue_notices
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Finding, Organization
from dutyflow.rules.scoring import mean_score
from dutyflow.services.review import decide
from tests.factories import sheet_rows
from tests.flows.test_review_issue import cycle, office_letters

runner = CliRunner()


def column(sheet, header: str) -> list:
    return [row[header] for row in sheet_rows(sheet)]


def test_the_year_rolls_the_months_up_per_unit_with_totals_that_add_up(db_url, tmp_path):
    for case in office_letters(cycle("2026-08")):
        decide(document_id=case.id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    cycle("2026-09")  # drafts only: no measure taken yet
    result = runner.invoke(app, ["year", "--period", "2026"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "2026"
    book = openpyxl.load_workbook(out / "2026-党建工作考核.xlsx")
    with session_scope() as session:
        units = dict(session.execute(select(Organization.org_code, Organization.org_name)
                                     .where(Organization.parent_code.is_(None))).all())
        findings = session.execute(select(func.count()).select_from(Finding).where(
            Finding.current, Finding.period.in_(["2026-08", "2026-09"]))).scalar()
        cases = session.execute(select(func.count()).select_from(Case).where(
            Case.status == DocumentStatus.ISSUED)).scalar()  # measures taken: issued ones
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 1 + len(units) == 9
    assert set(book.sheetnames[1:]) == set(units.values())
    summary = book["汇总"]
    assert column(summary, "组织编码")[-1] == "合计"
    assert column(summary, "问题数（含所属）")[-1] == findings  # the months' own findings
    assert cases and column(summary, "已印发案件数（含所属）")[-1] == cases
    unit_sheets = [book[name] for name in book.sheetnames[1:]]
    per_unit = [column(s, "问题数")[-1] for s in unit_sheets]
    assert sum(per_unit) == findings and sum(column(s, "已印发案件数")[-1] for s in unit_sheets) == cases
    by_unit = dict(zip(column(summary, "组织名称")[:-1], column(summary, "问题数（含所属）")[:-1],
                       strict=True))
    assert {s.title: column(s, "问题数")[-1] for s in unit_sheets} == by_unit
    for sheet in unit_sheets:  # the 合计 row is its organizations' sum
        values = column(sheet, "问题数")
        assert values[-1] == sum(values[:-1])
        months = [column(sheet, m)[:-1] for m in ("8月", "9月")]
        scores = column(sheet, "年度得分")[:-1]
        assert scores == [mean_score([a, b]) for a, b in zip(*months, strict=True)]
    assert set(column(summary, "组织名称")[:-1]) == set(units.values())
    chart = (out / "2026-单位月度得分.svg").read_text(encoding="utf-8")
    assert "2026年度各直属党组织月度得分" in chart
    assert all(name in chart for name in units.values())
    heat = (out / "2026-单位问题数.svg").read_text(encoding="utf-8")
    assert "2026年度各直属党组织问题数（按月）" in heat

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["dutyflow-year-2026"])))

    found = asyncio.run(artifacts())
    assert found and "2026年度党建工作考核汇总" in found[0].data
    bad = runner.invoke(app, ["year", "--period", "2026-Q3"])
    assert bad.exit_code != 0 and "a year like 2026" in bad.output
