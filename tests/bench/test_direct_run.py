"""The benchmark's direct run is the cycle's ingest and evaluation without Prefect: the same
service steps in the same order, so from the same database and input it stores exactly what
the flows store, down to the replies checked against the issued cases."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.stages import Stages, direct_evaluate, direct_ingest, snapshot_database
from dutyflow.core.settings import reload_settings
from dutyflow.flows.evaluate import evaluate_rules
from dutyflow.flows.ingest import ingest_reports
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import dispose_engines, session_scope
from dutyflow.models.reports import quarantined_rows
from dutyflow.models.tables import EvaluationRun, Finding, IngestBatch, Reply
from tests.factories import REPLY_HEADERS, sample_with_sheet
from tests.flows.test_follow_up import issued_letter

PERIOD = "2026-09"


def stored_outcome() -> dict[str, Any]:
    """What a period's ingest and evaluation leave in the database, without ids and times."""
    with session_scope() as session:
        batches = session.execute(select(IngestBatch).where(
            IngestBatch.period == PERIOD, IngestBatch.current)).scalars()
        runs = session.execute(select(EvaluationRun).where(
            EvaluationRun.period == PERIOD)).scalars()
        findings = session.execute(select(Finding).where(Finding.period == PERIOD)).scalars()
        return {
            "batches": sorted((b.table_name, b.checksum, b.rows_read, b.rows_loaded,
                               b.rows_quarantined) for b in batches),
            "quarantined": [(q.table_name, q.row_number, q.column, q.value, q.reason)
                            for q in quarantined_rows(session=session, period=PERIOD)],
            "replies": sorted((r.case_id, r.received_on, r.measures, r.completed)
                              for r in session.execute(select(Reply)).scalars()),
            "findings": sorted((f.id, f.measure, f.current, json.dumps(f.facts, sort_keys=True))
                               for f in findings),
            "cases": [(c.id, c.measure, c.status, c.evidence_hash)
                      for c in list_cases(session=session, period=PERIOD)],
            "runs": [(r.facts, r.findings, r.actions_opened, r.actions_changed,
                      r.actions_withdrawn) for r in runs],
        }


def use_database(path: Path, monkeypatch) -> None:
    dispose_engines()
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", f"sqlite:///{path}")
    reload_settings()


def test_the_direct_run_stores_what_the_ingest_and_evaluate_flows_store(sqlite_url, tmp_path,
                                                                         monkeypatch):
    case_id = issued_letter(date(2026, 9, 9))  # August judged, one letter issued, awaiting reply
    workbook = sample_with_sheet(tmp_path / "in", PERIOD, "整改反馈", REPLY_HEADERS, [
        [case_id, None, date(2026, 9, 20), "已补开支委会", "是", None],
        ["2026-08-DW9999-ZB99", None, date(2026, 9, 20), "无此案件", "是", None],
    ])
    dispose_engines()
    august = Path(sqlite_url.removeprefix("sqlite:///"))
    for copy in ("direct.db", "flow.db"):
        snapshot_database(august, tmp_path / copy)

    use_database(tmp_path / "direct.db", monkeypatch)
    assert direct_ingest(Stages(), PERIOD, workbook) > 0
    direct_evaluate(Stages(), PERIOD)
    direct = stored_outcome()

    use_database(tmp_path / "flow.db", monkeypatch)
    ingest_reports(period=PERIOD, input_path=workbook)
    evaluate_rules(period=PERIOD)
    flowed = stored_outcome()

    assert direct == flowed
    # the reply naming the issued case was loaded, the other quarantined as naming no case
    assert [r[:2] for r in flowed["replies"]] == [(case_id, date(2026, 9, 20))]
    assert [q[1:] for q in flowed["quarantined"] if q[0] == "replies"] == [
        (3, "case_id", "2026-08-DW9999-ZB99",
         "案件编号2026-08-DW9999-ZB99找不到对应的案件（没有哪份已印发的通知书是这个案件编号或文号）")]
    assert flowed["cases"] and flowed["findings"] and flowed["runs"]
