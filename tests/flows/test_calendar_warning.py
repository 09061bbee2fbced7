"""A cycle whose documents' deadlines reach a year no holiday file has entered says so, in
Chinese, at the top of the run's summary artifact."""

from __future__ import annotations

from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from dutyflow.core import calendar
from dutyflow.core.settings import settings
from dutyflow.flows.cycle import run_cycle
from tests.flows.test_review_issue import SAMPLES


def summary(period: str) -> str:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"dutyflow-summary-{period}"])))
    return str(max(found, key=lambda a: a.created).data)  # the API outlives each test's database


def test_novembers_summary_warns_that_2027s_holidays_are_estimated(db_url, monkeypatch, tmp_path):
    calendar.reload_holidays()
    run_cycle(period="2026-11", input_path=SAMPLES / "2026-11-党建报表.xlsx")
    text = summary("2026-11")
    assert "> **注意：** 2027年的法定节假日安排尚未录入，按法定节日日期推算" in text
    assert "请及时按国务院办公厅通知补充节假日文件" in text
    # once the office enters 2027 the warning goes
    office = tmp_path / "节假日.yaml"
    office.write_text("2027:\n  放假:\n    元旦: 2027-01-01 至 2027-01-03\n", encoding="utf-8")
    monkeypatch.setattr(settings, "holiday_file", office)
    calendar.reload_holidays()
    run_cycle(period="2026-11", input_path=SAMPLES / "2026-11-党建报表.xlsx")
    assert "尚未录入" not in summary("2026-11")
    calendar.reload_holidays()


def test_a_bad_holiday_file_stops_the_run_before_anything_is_stored(db_url, monkeypatch,
                                                                     tmp_path):
    from typer.testing import CliRunner

    from dutyflow.cli import app
    from dutyflow.models.db import session_scope
    from dutyflow.models.reports import count_rows

    office = tmp_path / "节假日.yaml"
    office.write_text("2027:\n  上班:\n    春节: 2027-02-17\n", encoding="utf-8")
    monkeypatch.setattr(settings, "holiday_file", office)
    calendar.reload_holidays()
    result = CliRunner().invoke(app, ["run", "--input", str(SAMPLES / "2026-11-党建报表.xlsx"),
                                      "--period", "2026-11"])
    assert result.exit_code == 2
    assert ("节假日文件 节假日.yaml：2027年 上班 春节：2027-02-17 不是周六或周日，"
            "调休上班日只能是周末") in result.output
    with session_scope() as session:
        assert count_rows(session=session, table="meetings") == 0
    calendar.reload_holidays()
