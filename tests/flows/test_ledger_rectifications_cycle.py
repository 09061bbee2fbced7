"""The month's cycle judges the e-ledger's rectification items (整改台账) as it judges a
workbook's rectifications rows: one source per organization and period (the workbook's rows
where it has them), each item as it stood at the period's end; the ledger's export, ingested,
gives the same findings. On both databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.report_tables import RECTIFICATIONS
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.db import session_scope
from dutyflow.models.tables import LedgerRectification, Organization, Rectification
from dutyflow.services.ledger import record_rectification, update_item
from dutyflow.services.portal import Scope
from dutyflow.services.reviewers import UNIT, Reviewer
from tests.flows.test_ledger_cycle import MONTH, outcome, sample, second_database

runner = CliRunner()


def without_rectifications(out: Path) -> Path:
    """The sample month's workbook less its rectifications sheet (整改)."""
    book = load_workbook(sample())
    book.remove(book["整改"])
    path = out / f"{MONTH}-无整改.xlsx"
    book.save(path)
    return path


def stored_items() -> list[dict[str, Any]]:
    """The month's workbook rows as ledger entries (every column of the table)."""
    with session_scope() as session:
        return [{c.name: (None if (v := getattr(r, c.stored)) is None else
                          v.isoformat() if hasattr(v, "isoformat") else v)
                 for c in RECTIFICATIONS.columns}
                for r in session.execute(select(Rectification).where(
                    Rectification.period == MONTH).order_by(Rectification.id)).scalars()]


def everyone() -> Scope:
    with session_scope() as session:
        codes = frozenset(session.execute(select(Organization.org_code)).scalars())
    return Scope(Reviewer("台账录入员", "", None, UNIT), "", codes)


def record_in_ledger(entries: list[dict[str, Any]]) -> None:
    scope = everyone()
    for entry in entries:
        record_rectification(scope, entry)


def judged_items() -> set[tuple[Any, ...]]:
    return {f for f in outcome()[0] if f[2] == "rectification"}


def test_items_kept_only_in_the_ledger_and_their_export_are_judged_as_the_workbook_s_rows(
        db_url, tmp_path, monkeypatch):
    run_cycle(period=MONTH, input_path=sample())
    from_workbook = outcome()
    items = stored_items()
    assert items and judged_items()

    with second_database(db_url, tmp_path, monkeypatch, "rectifications"):
        result = runner.invoke(app, ["ingest", "--period", MONTH,
                                     "--input", str(without_rectifications(tmp_path))])
        assert result.exit_code == 0, result.output
        record_in_ledger(items)
        result = runner.invoke(app, ["run", "--period", MONTH])
        assert result.exit_code == 0, result.output
        assert outcome() == from_workbook
        # the ledger exported in the workbook layout, for an office working in Excel
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        result = runner.invoke(app, ["ledger", "export", "--period", MONTH,
                                     "--output", str(inbox / "台账导出.xlsx")])
        assert result.exit_code == 0, result.output
        assert f"{len(items)} 项整改问题" in result.output
        without_rectifications(inbox)

    with second_database(db_url, tmp_path, monkeypatch, "rectifications-exported"):
        run_cycle(period=MONTH, input_path=inbox)
        assert outcome() == from_workbook
        with session_scope() as session:
            assert not session.execute(select(LedgerRectification.id)).first()


def test_a_workbook_replaces_the_ledger_s_items_for_the_organizations_it_has_rows_for(db_url):
    run_cycle(period=MONTH, input_path=sample())
    before = outcome()
    items = stored_items()
    covered = items[0]["org_code"]
    # an overdue item of the covered branch, only in the ledger: not judged this month
    record_in_ledger([{"item_id": "LEDGER-ONLY-1", "org_code": covered, "description": "仅台账",
                       "deadline": "2026-06-30", "status": "未整改"}])
    run_cycle(period=MONTH, input_path=sample())
    assert outcome() == before


def test_a_ledger_item_is_judged_as_it_stood_at_the_month_s_end(db_url, tmp_path):
    """Overdue in the month and completed after it: still overdue for that month."""
    run_cycle(period=MONTH, input_path=without_rectifications(tmp_path))
    assert not judged_items()
    with session_scope() as session:
        branch = session.execute(select(Organization).where(
            Organization.org_type == "党支部").order_by(Organization.org_code)).scalars().first()
        assert branch is not None
        code = branch.org_code
    record_in_ledger([{"item_id": "LEDGER-LATE-1", "org_code": code, "description": "逾期问题",
                       "found_on": "2026-05-10", "deadline": "2026-07-15",
                       "status": "整改中"}])
    with session_scope() as session:
        item_id = session.execute(select(LedgerRectification.id)).scalar_one()
    update_item(everyone(), item_id, status="已整改", completed_on="2026-09-20")
    run_cycle(period=MONTH, input_path=without_rectifications(tmp_path))
    [judged] = judged_items()
    assert (judged[1], judged[3]) == (code, "LEDGER-LATE-1")
    facts = json.loads(judged[7])
    assert (facts["status"], facts["completed_on"]) == ("in_progress", None)
