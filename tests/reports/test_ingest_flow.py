"""The ingest flow as a real Prefect flow run, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.flows.ingest import ingest_reports
from dutyflow.models.db import session_scope
from dutyflow.models.reports import count_rows, quarantined_rows
from tests.factories import (
    MEETING_HEADERS,
    ORG_HEADERS,
    meeting_rows,
    org_rows,
    printed_row,
    report_folder,
    write_csv,
    write_xlsx,
)

runner = CliRunner()


def counts(period: str = "2026-10") -> dict[str, int]:
    with session_scope() as session:
        return {t: count_rows(session=session, table=t, period=period)
                for t in ("organizations", "meetings", "rectifications", "assessments")}


def test_flow_run_completes_and_loads_every_good_row(db_url, tmp_path):
    folder = report_folder(tmp_path / "in")
    state = ingest_reports(period="2026-10", input_path=folder, return_state=True)
    assert state.is_completed()
    summary = state.result()
    assert summary.rows_loaded == 6 and summary.rows_quarantined == 0
    assert counts() == {"organizations": 3, "meetings": 3, "rectifications": 0, "assessments": 0}


def test_reingesting_the_same_files_changes_nothing(db_url, tmp_path):
    folder = report_folder(tmp_path / "in")
    ingest_reports(period="2026-10", input_path=folder)
    before = counts()
    again = ingest_reports(period="2026-10", input_path=folder)
    assert {t.outcome for t in again.tables} == {"unchanged"}
    assert counts() == before
    assert again.standing == {"organizations": (3, 0), "meetings": (3, 0)}


def test_a_rerun_of_the_same_files_says_so_and_what_the_period_holds(db_url, tmp_path):
    rows = meeting_rows() + [["XX99", "主题党日", date(2026, 10, 2), 5]]  # one quarantined
    folder = report_folder(tmp_path / "in", meetings=rows)
    ingest = ["ingest", "--input", str(folder), "--period", "2026-10"]
    first = runner.invoke(app, ingest)
    assert "2026-10：载入报表 6 行，隔离 1 行" in first.output
    again = runner.invoke(app, ingest)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == (
        "2026-10：报表文件与上次载入的相同，未重新载入；本期现有数据 6 行，隔离 1 行")
    assert printed_row(again.output, "会议")[1:] == ["与上次载入的相同，未重新载入", "3", "1"]
    assert printed_row(again.output, "组织")[1:] == ["与上次载入的相同，未重新载入", "3", "0"]


def test_a_corrected_file_replaces_the_period_rows_without_duplicates(db_url, tmp_path):
    folder = report_folder(tmp_path / "in")
    ingest_reports(period="2026-10", input_path=folder)
    corrected = meeting_rows() + [["DW01-ZB02", "主题党日", date(2026, 10, 28), 8]]
    report_folder(folder, meetings=corrected)
    summary = ingest_reports(period="2026-10", input_path=folder)
    outcomes = {t.table: t.outcome for t in summary.tables}
    assert outcomes["meetings"] == "replaced"
    assert counts()["meetings"] == 4
    # another period is untouched by a replacement
    september = [[code, kind, held.replace(month=9), n] for code, kind, held, n in corrected]
    ingest_reports(period="2026-09", input_path=report_folder(tmp_path / "sep", meetings=september))
    report_folder(folder, meetings=meeting_rows()[:1])
    ingest_reports(period="2026-10", input_path=folder)
    assert counts("2026-10")["meetings"] == 1 and counts("2026-09")["meetings"] == 4


def test_bad_rows_are_quarantined_with_file_row_column_and_reason(db_url, tmp_path):
    rows = meeting_rows() + [
        ["XX99", "主题党日", date(2026, 10, 2), 5],          # row 6: unknown org
        ["DW01-ZB01", "党课", "2026年13月45日", 12],          # row 7: bad date
        ["DW01-ZB02", "支部委员会会议", date(2026, 10, 3), -3],  # row 8: negative count
    ]
    folder = report_folder(tmp_path / "in", meetings=rows)
    result = runner.invoke(app, ["ingest", "--input", str(folder), "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "2026-10：载入报表 6 行，隔离 3 行" in result.output
    assert printed_row(result.output, "会议")[1:] == ["首次载入", "3", "3"]
    printed = [line.split(maxsplit=4) for line in result.output.splitlines()
               if line.startswith("组织生活台账.xlsx")]  # 文件 工作表 行号 列 原因
    assert printed == [
        ["组织生活台账.xlsx", "组织生活", "6", "组织编码", "组织编码不存在：XX99"],
        ["组织生活台账.xlsx", "组织生活", "7", "召开日期", "召开日期不是有效日期：2026年13月45日"],
        ["组织生活台账.xlsx", "组织生活", "8", "实到人数", "实到人数不能为负数：-3"]]
    assert counts()["meetings"] == 3
    with session_scope() as session:
        stored = quarantined_rows(session=session, period="2026-10")
    assert [(q.row_number, q.column) for q in stored] == [
        (6, "org_code"), (7, "held_on"), (8, "attendees")]


def test_missing_required_column_stops_with_exit_2_naming_file_sheet_and_column(db_url, tmp_path):
    folder = report_folder(tmp_path / "in")
    headers = [h for h in MEETING_HEADERS if h != "召开日期"]
    write_xlsx(folder / "组织生活台账.xlsx",
               {"组织生活": (headers, [r[:2] + r[3:] for r in meeting_rows()])})
    result = runner.invoke(app, ["ingest", "--input", str(folder), "--period", "2026-10"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "错误：文件 组织生活台账.xlsx，工作表 组织生活，列 held_on (召开日期)：缺少必填列")
    assert "Traceback" not in result.output
    assert counts() == {"organizations": 0, "meetings": 0, "rectifications": 0, "assessments": 0}


@pytest.mark.parametrize("content, expected", [
    (b"", "文件是空的"),
    (b"%PDF-1.4 this is not a workbook", "不是 Excel 工作簿"),
])
def test_unreadable_workbook_is_refused_and_nothing_is_written(db_url, tmp_path, content, expected):
    folder = report_folder(tmp_path / "in")
    (folder / "整改台账.xlsx").write_bytes(content)
    result = runner.invoke(app, ["ingest", "--input", str(folder), "--period", "2026-10"])
    assert result.exit_code == 2
    assert "整改台账.xlsx" in result.output and expected in result.output
    assert counts()["organizations"] == 0


def test_empty_csv_is_refused(sqlite_url, tmp_path):
    folder = report_folder(tmp_path / "in")
    write_csv(folder / "assessments.csv", [], [])
    result = runner.invoke(app, ["ingest", "--input", str(folder), "--period", "2026-10"])
    assert result.exit_code == 2
    assert "文件 assessments.csv：文件是空的" in result.output


def test_a_failure_while_loading_leaves_the_database_as_it_was(db_url, tmp_path, monkeypatch):
    folder = report_folder(tmp_path / "in")
    ingest_reports(period="2026-10", input_path=folder)
    before = counts()
    import dutyflow.models.reports as crud

    real = crud.load_table

    def fail_on_meetings(**kwargs):
        if kwargs["table"] == "meetings":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr("dutyflow.services.ingest.load_table", fail_on_meetings)
    write_xlsx(folder / "组织.xlsx", {"组织": (ORG_HEADERS, [*org_rows(),
               ["DW01-ZB03", "中共市教育局第三党支部", "党支部", "DW01", "赵强", 12, 0]])})
    report_folder(folder, meetings=meeting_rows()[:1])
    state = ingest_reports(period="2026-10", input_path=folder, return_state=True)
    assert state.is_failed()
    assert counts() == before  # the new organization was not committed either


def test_bad_period_is_refused_before_anything_runs(sqlite_url, tmp_path):
    result = runner.invoke(app, ["ingest", "--input", str(tmp_path), "--period", "2026-13"])
    assert result.exit_code == 2
    assert "period '2026-13' is not a month like 2026-10" in result.output


def test_a_workbook_run_under_the_wrong_period_is_refused_not_turned_into_findings(sqlite_url):
    from pathlib import Path

    october = Path(__file__).resolve().parents[2] / "samples" / "2026-10-党建报表.xlsx"
    for wrong in ("2026-08", "2026-12"):
        result = runner.invoke(app, ["ingest", "--input", str(october), "--period", wrong])
        assert result.exit_code == 2, result.output
        assert "请核对所选期间" in result.output.strip().splitlines()[-1]
    assert counts("2026-08") == {"organizations": 0, "meetings": 0, "rectifications": 0,
                                 "assessments": 0}


def test_an_assessment_of_another_period_is_quarantined(sqlite_url, tmp_path):
    from tests.factories import ASSESS_HEADERS

    folder = report_folder(tmp_path / "in")
    write_csv(folder / "考核.csv", ASSESS_HEADERS, [
        ["DW01-ZB01", "2026-10", 88, 10, 9], ["DW01-ZB02", "2026-09", 75, 10, 8],
        ["DW01-ZB02", "2026-Q4", 80, 10, 8]])
    summary = ingest_reports(period="2026-10", input_path=folder)
    assert [(q.row, q.column) for q in summary.quarantined] == [(3, "period"), (4, "period")]
    assert summary.quarantined[0].reason == "考核期2026年9月不在本次报送的期间（2026年10月）"
    assert counts()["assessments"] == 1


def test_control_characters_in_a_json_report_never_reach_the_database(db_url, tmp_path):
    from tests.factories import RECT_HEADERS, write_json

    folder = report_folder(tmp_path / "in")
    write_json(folder / "rectifications.json", RECT_HEADERS, [
        ["ZG-\x001", "DW01-ZB01", "台账\x00不全\x07", "2026-09-30", "整改中", None],
        ["\x00", "DW01-ZB01", "记录不规范", "2026-09-30", "整改中", None]])
    summary = ingest_reports(period="2026-10", input_path=folder)
    assert [(q.row, q.column, q.reason) for q in summary.quarantined] == [
        (2, "item_id", "问题编号不能为空")]
    from dutyflow.models.tables import Rectification

    with session_scope() as session:
        [item] = session.query(Rectification).all()
        assert (item.item_id, item.description) == ("ZG-1", "台账不全")
