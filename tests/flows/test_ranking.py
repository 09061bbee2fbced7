"""The quarter's ranking from real cycles: ranked from the months' scores, written as a
workbook and charts, its communiqué drafted, refused before approval, approved and issued; the
published ranking never moves; its bottom list is settled when the correction window ends; the
next quarter's movement is counted against what was published."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import docx
import openpyxl
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.calendar import add_working_days
from dutyflow.core.vocabulary import DocumentStatus, measure_name
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_of
from dutyflow.models.tables import Case
from dutyflow.rules.scoring import mean_score
from dutyflow.services.followup import accept_reply, record_reply
from dutyflow.services.review import office_drafts
from tests.factories import sheet_rows
from tests.flows.test_review_issue import cycle

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def ranking(quarter: str, *extra: str) -> dict:
    result = runner.invoke(app, ["ranking", "--period", quarter, "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def month_scores(month: str) -> dict[str, float]:
    return {r["org_code"]: r["score"] for r in json.loads(invoke("scores", "--period", month,
                                                                 "--json"))}


def text_of(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def assert_same_lists(out: Path, rows: list[dict], communique: str, deadline: str) -> None:
    """The communiqué, the workbook and the chart show the same lists, ranks and deadline."""
    book = openpyxl.load_workbook(out / "2026-Q3-考评排名.xlsx")
    for group, sheet_name in (("unit", "直属党组织排名"), ("branch", "基层党支部排名")):
        ours = [r for r in rows if r["group"] == group]
        sheet = sheet_rows(book[sheet_name])
        assert [(r["名次"], r["组织编码"]) for r in sheet] == [(r["rank"], r["org_code"])
                                                              for r in ours]
        top = [r for r in ours if r["listing"] == "top"]
        bottom = [r for r in ours if r["listing"] == "provisional"]
        assert [r["组织编码"] for r in sheet if r["榜单"] == "红榜"] == [r["org_code"] for r in top]
        assert [r["组织编码"] for r in sheet if (r["榜单"] or "").startswith("黄榜")] == \
            [r["org_code"] for r in bottom]
        assert all(r["榜单"] == f"黄榜（整改期至{deadline}）" for r in sheet
                   if (r["榜单"] or "").startswith("黄榜"))
        chart = (out / f"2026-Q3-排名-{group}.svg").read_text(encoding="utf-8")
        assert (f"红榜（{len(top)}个）" in chart) == bool(top)
        assert f"黄榜（{len(bottom)}个）" in chart
        for r in [*top, *bottom]:
            assert f"{r['organization']}（第{r['rank']}名" in communique or \
                f"{r['rank']}\n{r['organization']}\n" in communique
    assert f"{deadline}前整改到位" in communique


def assert_issued_measures_only(communique: str, rows: list[dict]) -> None:
    """A bottom-list entry names the measures issued to it, each with its number; a proposal
    the committee has not decided is named nowhere."""
    with session_scope() as session:
        cases = list(session.query(Case).filter(Case.period.in_(["2026-08", "2026-09"])))
        undecided = [c for c in cases if c.proposal and c.status == DocumentStatus.DRAFT]
        issued = {(c.org_code, c.measure, c.document_number) for c in cases
                  if c.status == DocumentStatus.ISSUED}
    assert undecided and "通报批评" not in communique and "诫勉" not in communique
    listed = [r["org_code"] for r in rows if r["listing"] == "provisional"]
    cited = [(org, measure, number) for org, measure, number in issued if org in listed]
    assert cited and all(f"{measure_name(m)}（{n}）" in communique for _, m, n in cited)


def issue_month(month: str, on: date) -> None:
    invoke("review", "--all-office", month, "--approve", "--reviewer", "张主任")
    invoke("issue", "--period", month, "--on", on.isoformat())


def test_a_quarter_is_ranked_circulated_and_its_bottom_list_settled(db_url, tmp_path):
    cycle("2026-08")
    issue_month("2026-08", date(2026, 9, 7))
    cycle("2026-09")
    issue_month("2026-09", date(2026, 10, 9))
    aug, sep = month_scores("2026-08"), month_scores("2026-09")
    q3 = ranking("2026-Q3")
    rows = q3["rows"]
    assert q3["judged_months"] == ["2026-08", "2026-09"] and q3["doc_number"] is None
    for group in ("unit", "branch"):  # equal scores share a place: 1, 1, 3
        scores = [r["score"] for r in rows if r["group"] == group]
        assert [r["rank"] for r in rows if r["group"] == group] == \
            [1 + sum(other > score for other in scores) for score in scores]
    assert sum(r["group"] == "unit" for r in rows) == 8 and len(rows) == 68
    for row in rows:
        assert row["score"] == mean_score([aug[row["org_code"]], sep[row["org_code"]]])
    scores = [(r["group"], -r["score"]) for r in rows]
    assert scores == sorted(scores, key=lambda g: (g[0] != "unit", g[1]))
    bottom = [r for r in rows if r["listing"] == "provisional"]
    assert bottom and all(r["score"] < 100 for r in bottom)
    assert {r["window_ends"] for r in bottom} == {add_working_days(date.today(), 20).isoformat()}
    for group in ("unit", "branch"):  # no list longer than its size and the allowed ties
        for listing in ("top", "provisional"):
            assert sum(r["listing"] == listing for r in rows if r["group"] == group) <= 5 + 2
    full_marks = [r for r in rows if r["group"] == "branch" and r["score"] == 100]
    assert len(full_marks) > 7 and all(r["listing"] is None and r["held"] == "top" and
                                       r["rank"] == 1 for r in full_marks)

    drafted = invoke("ranking", "--period", "2026-Q3", "--draft", "--on", "2026-10-12")
    assert "考评排名通报 ranking-2026-Q3 已起草，待审核" in drafted
    out = tmp_path / "out" / "2026-Q3"
    draft = text_of(out / "drafts" / "ranking-2026-Q3.docx")
    # the title's lines broken between words (a line break in Word)
    assert "关于2026年第三季度党建工作考评排名情况的通报" in draft.replace("\n", "")
    assert "2026年11月9日前整改到位" in draft  # the draft's date plus 20 working days
    names = {r["org_code"]: r["organization"] for r in rows}
    assert all(names[r["org_code"]] in draft for r in bottom)
    assert f"本季度{len(full_marks)}个基层党支部得满分（100分），并列第1名" in draft
    assert not any(names[r["org_code"]] in draft for r in full_marks)
    assert "代码" not in draft and "并列第一" not in draft  # the internal order is no reason
    book = openpyxl.load_workbook(out / "2026-Q3-考评排名.xlsx")
    assert book.sheetnames == ["直属党组织排名", "基层党支部排名", "说明"]
    sheet = book["基层党支部排名"]
    # a title row (issuer, quarter) above a frozen header, for a committee's table
    assert sheet.cell(1, 1).value == ("中共云川市委市直机关工作委员会2026年第三季度党建工作考评排名"
                                      "（基层党支部排名）")
    assert sheet.freeze_panes == "A3"
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["名次", "组织编码", "组织名称", "所属单位"] and "季度得分" in header
    assert sheet.max_row == 2 + 60 and sheet.cell(3, 1).value == 1
    chart = (out / "2026-Q3-排名-branch.svg").read_text(encoding="utf-8")
    assert "2026年第三季度基层党支部党建工作考评排名" in chart
    assert_same_lists(out, rows, draft, "2026年11月9日")
    assert (out / "2026-Q3-单位月度得分.png").read_bytes()[:4] == b"\x89PNG"

    early = runner.invoke(app, ["issue", "--period", "2026-Q3", "--on", "2026-10-13"])
    assert "ranking-2026-Q3 现为“草稿，待审核”" in early.output
    invoke("review", "ranking-2026-Q3", "--approve", "--reviewer", "张主任")
    issued = invoke("issue", "--period", "2026-Q3", "--on", "2026-10-15")
    number = next(line.split()[0] for line in issued.splitlines() if "ranking-2026-Q3" in line)
    assert number.startswith("市直工委〔2026〕")
    path = Path(next(line.split()[-1] for line in issued.splitlines() if "ranking-2026-Q3" in line))
    communique = text_of(path)
    assert "2026年11月12日前整改到位" in communique  # 15 October plus 20 working days
    assert_issued_measures_only(communique, rows)

    published = ranking("2026-Q3", "--on", "2026-10-16")
    assert published["doc_number"] == number
    windows = {r["window_ends"] for r in published["rows"] if r["listing"] == "provisional"}
    assert windows == {"2026-11-12"}
    # the workbook and charts are written again as published: the communiqué's deadline
    assert_same_lists(out, published["rows"], communique, "2026年11月12日")
    assert number in "".join(str(c.value) for c in openpyxl.load_workbook(
        out / "2026-Q3-考评排名.xlsx")["说明"]["A"])
    lenient = tmp_path / "lenient.yaml"  # a policy that would score otherwise: what was
    lenient.write_text((Path("rules/default_policy.yaml").read_text(encoding="utf-8")
                        .replace("reminder: 2,", "reminder: 0,")), encoding="utf-8")
    assert ranking("2026-Q3", "--policy", str(lenient), "--on", "2026-10-16")["rows"] == \
        published["rows"]  # what was printed stays

    # one bottom-list branch answers everything in its window and is lifted; the rest are confirmed
    listed = [r["org_code"] for r in published["rows"]
              if r["listing"] == "provisional" and r["group"] == "branch"]
    with session_scope() as session:
        issued_cases = {org: [a.id for a in session.query(Case).filter(
            Case.org_code == org, Case.status == DocumentStatus.ISSUED,
            Case.reply_due.is_not(None))] for org in listed}
    corrected = next(org for org in listed if issued_cases[org])
    for case_id in issued_cases[corrected]:
        record_reply(case_id=case_id, received=date(2026, 11, 10), measures="已整改")
        accept_reply(case_id=case_id, reviewer="刘审核")
    assert ranking("2026-Q3", "--on", "2026-11-12")["rows"] == published["rows"]  # its last day
    settled = invoke("ranking", "--period", "2026-Q3", "--on", "2026-11-20")
    assert f"2026-Q3 {corrected}: 整改到位，撤榜" in settled
    after = {r["org_code"]: r for r in ranking("2026-Q3")["rows"]}
    assert after[corrected]["listing"] == "lifted"
    others = [org for org in listed if org != corrected and issued_cases[org]]
    assert others and all(after[org]["listing"] == "confirmed" for org in others)
    again = invoke("ranking", "--period", "2026-Q3", "--on", "2026-11-21")
    assert f"2026-Q3 {corrected}:" not in again  # settled once
    with session_scope() as session:
        events = [e.event for e in events_of(session=session, subject="ranking-2026-Q3")]
    assert events[:3] == ["drafted", "approved", "issued"] and "lifted" in events

    cycle("2026-10")
    q4 = {r["org_code"]: r for r in ranking("2026-Q4")["rows"]}
    for org, row in after.items():
        assert q4[org]["previous_rank"] == row["rank"]
        assert q4[org]["movement"] == row["rank"] - q4[org]["rank"]
    assert office_drafts("2026-10")  # the next month goes on as usual


def test_a_quarter_not_yet_judged_is_refused_with_what_to_run(sqlite_url):
    result = runner.invoke(app, ["ranking", "--period", "2026-Q3"])
    assert result.exit_code == 2 and "run its months" in result.output
    month = runner.invoke(app, ["ranking", "--period", "2026-09"])
    assert month.exit_code != 0 and "a quarter like 2026-Q3" in month.output
    scores = runner.invoke(app, ["scores", "--period", "2026-09"])  # not 100 for everyone
    assert scores.exit_code == 2 and "2026-09 has not been judged" in scores.output
    year = runner.invoke(app, ["year", "--period", "2026"])
    assert year.exit_code != 0 and "no month of 2026 has been judged" in year.output
