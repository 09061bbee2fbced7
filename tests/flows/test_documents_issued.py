"""Issued documents by kind: each series numbered on its own, the period's 通报批评 with a
letter to each criticised organization, reply due dates, PDF views, refusals that lose nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.flows.notices import issue_notices
from dutyflow.flows.scheduled import quarter_circular
from dutyflow.models.accountability import get_case, list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_about, record_decision
from dutyflow.models.tables import Document as DocumentRow
from dutyflow.models.tables import Organization
from dutyflow.services.review import decide
from tests.factories import approve_criticism_circular
from tests.flows.test_review_issue import cycle, cycle_with_a_proposal, office_letters

MONDAY = date(2026, 11, 23)
DECISION = "工委会议纪要〔2026〕9号"
runner = CliRunner()


def text_of(path: str) -> str:
    """Every paragraph's text in order: the body's, the tables' and the 版记's text box's."""
    doc = Document(path)
    return "\n".join(Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p")))


def approve(ids, decision: str = "") -> None:
    with session_scope() as session:
        for action_id in ids:
            record_decision(session=session, document_id=action_id, decision="approve",
                            reviewer="张主任", note="", decision_ref=decision)


def test_letters_and_documents_number_in_their_own_gapless_series(db_url, tmp_path):
    cases = cycle_with_a_proposal(tmp_path)
    letters = office_letters(cases)[:2]
    proposal = next(c for c in cases if c.measure == "circulated_criticism")
    approve([c.id for c in letters])
    approve([proposal.id], DECISION)
    approve_criticism_circular("2026-08")
    summary = issue_notices(period="2026-08", on=MONDAY)
    numbers = {subject: number for subject, number, _ in summary.issued}
    # the 通报 opens the 文件 series; the letters (and the criticised branch's) the 函 series
    assert numbers["criticism-2026-08"] == "市直工委〔2026〕1号"
    assert sorted(n for s, n in numbers.items() if s != "criticism-2026-08") == [
        "市直工委函〔2026〕1号", "市直工委函〔2026〕2号", "市直工委函〔2026〕3号"]
    with session_scope() as session:
        counters = sorted((d.number_prefix, d.number) for d in session.query(DocumentRow)
                          .filter(DocumentRow.number.isnot(None)))
    assert counters == [("市直工委", 1), ("市直工委函", 1), ("市直工委函", 2), ("市直工委函", 3)]


def test_the_periods_criticism_is_one_circular_to_all_units_and_a_letter_to_each(db_url,
                                                                                  tmp_path):
    cases = cycle_with_a_proposal(tmp_path)
    criticised = [c for c in cases if c.measure == "circulated_criticism"]
    approve([c.id for c in criticised], DECISION)
    approve_criticism_circular("2026-08")
    summary = issue_notices(period="2026-08", on=MONDAY)
    paths = {subject: path for subject, _, path in summary.issued}
    circular = text_of(paths.pop("criticism-2026-08"))
    with session_scope() as session:
        names = [session.get(Organization, c.org_code).org_name for c in criticised]
        events = events_about(session=session, case_id=criticised[0].id)
        issued = get_case(session=session, case_id=criticised[0].id)
    assert "市直各部门（单位）党组（党委）、各机关党委：" in circular
    assert "抄送：中共云川市委组织部、云川市纪委监委驻市委组织部纪检监察组。" in circular
    assert all(name in circular for name in names) and DECISION in circular
    assert "予以通报批评" in circular and "草稿" not in circular
    letter = text_of(paths[criticised[0].id])
    assert "我委以市直工委〔2026〕1号文件印发《关于对" in letter  # cites the 通报 by number
    assert issued.reply_due == date(2026, 12, 7)  # 10 working days, stored with the case
    assert events[-1].event == "circulated" and "市直工委〔2026〕1号" in events[-1].note


def test_the_periods_criticism_is_drafted_for_review_once_the_committee_decided(db_url,
                                                                               tmp_path):
    from dutyflow.documents.files import drafts_folder

    cases = cycle_with_a_proposal(tmp_path)
    draft = drafts_folder("2026-08") / "criticism-2026-08.docx"
    assert not draft.exists()  # an undecided proposal is in no 通报, not even a draft
    proposal = next(c for c in cases if c.measure == "circulated_criticism")
    decide(document_id=proposal.id, decision="approve", reviewer="张主任", decision_ref=DECISION)
    assert draft.exists() and "〔待编号〕" in text_of(str(draft))
    listed = runner.invoke(app, ["documents", "--period", "2026-08", "--kind",
                                 "criticism_circular", "--json"])
    [circular] = json.loads(listed.output)
    assert circular["id"] == "criticism-2026-08" and circular["status"] == "draft"
    assert circular["case_ids"] == [proposal.id] and circular["document_number"] is None
    # the letter waits for its 通报: issuing now sends neither, and says why
    summary = issue_notices(period="2026-08", on=MONDAY)
    assert summary.issued == [] and "通报" in summary.refused[0]


def test_a_recommendation_without_a_party_group_is_refused_and_stays_approved(db_url,
                                                                              monkeypatch):
    from dutyflow.documents import files

    cases = cycle()
    letter = office_letters(cases)[0]
    approve([letter.id])
    real = files.build_notice

    def no_party_group(**kwargs):  # as if the measure needed the unit's 党组, not named
        notice = real(**kwargs)
        return notice.__class__(**{**notice.__dict__, "missing": ("所在单位党组（组织表“所在单位党组”列）",)})

    monkeypatch.setattr(files, "build_notice", no_party_group)
    result = runner.invoke(app, ["issue", "--period", "2026-08"])
    assert result.exit_code == 3 and "未印发" in result.output and "所在单位党组" in result.output
    with session_scope() as session:
        kept = get_case(session=session, case_id=letter.id)
        counted = session.query(DocumentRow).filter(DocumentRow.number.isnot(None)).count()
    assert kept.status == "approved" and kept.document_number is None and counted == 0
    monkeypatch.setattr(files, "build_notice", real)
    assert issue_notices(period="2026-08").issued[0][1].startswith("市直工委函")  # fixed: issued


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_issue_writes_a_pdf_view_beside_each_document(db_url, monkeypatch):
    monkeypatch.setenv("DUTYFLOW_PDF_VIEWS", "true")
    from dutyflow.core.settings import reload_settings

    reload_settings()
    letters = office_letters(cycle())[:2]
    approve([c.id for c in letters])
    summary = issue_notices(period="2026-08", on=MONDAY)
    assert summary.pdfs == 2
    for _, number, path in summary.issued:
        pdf = Path(path).with_suffix(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                 text=True).stdout.replace(" ", "")
        assert number in printed


def test_without_libreoffice_issuing_says_so_and_goes_on(db_url, monkeypatch, caplog):
    from dutyflow.core.settings import reload_settings
    from dutyflow.documents import pdf

    monkeypatch.setenv("DUTYFLOW_PDF_VIEWS", "true")
    reload_settings()
    pdf._office.cache_clear()
    monkeypatch.setattr(pdf, "BINARIES", ("no-such-office",))
    letters = office_letters(cycle())[:1]
    approve([c.id for c in letters])
    summary = issue_notices(period="2026-08", on=MONDAY)
    assert len(summary.issued) == 1 and summary.pdfs == 0
    assert "LibreOffice is not installed" in caplog.text
    pdf._office.cache_clear()


def test_an_empty_quarter_gets_no_circular_number(db_url):
    from dutyflow.services.issuing import draft_circular

    assert draft_circular(quarter="2026-Q1", on=MONDAY) is None  # nothing to circulate
    summary = issue_notices(period="2026-Q1", on=MONDAY)
    assert summary.issued == [] and summary.refused == []
    with session_scope() as session:
        assert session.query(DocumentRow).filter(DocumentRow.number.isnot(None)).count() == 0


def test_the_quarter_circular_counts_only_issued_measures(db_url):
    cases = cycle()
    letters = office_letters(cases)
    approve([letters[0].id, letters[1].id])  # two decided; the rest still drafts
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    approve([letters[2].id])  # decided after the issue run: not yet a measure taken
    quarter_circular(period="2026-Q3")
    decide(document_id="circular-2026-Q3", decision="approve", reviewer="张主任")
    summary = issue_notices(period="2026-Q3", on=date(2026, 10, 12))
    [(subject, number, path)] = summary.issued
    text = text_of(path)
    assert number == "市直工委〔2026〕1号" and "共采取处置措施2次" in text
    assert "进行问责" not in text  # a reminder or talk is not 问责
    assert "抄送：中共云川市委组织部、云川市纪委监委驻市委组织部纪检监察组。" in text
    assert "组织生活制度全部落实" in text and "存在的主要问题" in text
    # the 制度 column names the meeting, not the whole rule text
    assert "支部委员会会议" in text and "每月相对固定1天开展主题党日" not in text
    with session_scope() as session:
        assert len(list_cases(session=session, period="2026-08")) == len(cases)


def test_each_measure_gives_the_policys_working_days_for_its_answer(db_url, tmp_path):
    from dutyflow.core.calendar import add_working_days
    from dutyflow.documents.wording import chinese_date
    from dutyflow.flows.cycle import run_cycle
    from dutyflow.rules.policy import DEFAULT_POLICY
    from tests.flows.test_review_issue import SAMPLES

    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "    reminder: 10\n", "    reminder: 15\n"), encoding="utf-8")
    run_cycle(period="2026-08", input_path=SAMPLES / "2026-08-党建报表.xlsx", policy_path=policy)
    with session_scope() as session:
        reminder = next(a for a in list_cases(session=session, period="2026-08")
                        if a.measure == "reminder")
    assert reminder.reply_days == 15
    approve([reminder.id])
    summary = issue_notices(period="2026-08", on=MONDAY)
    [path] = [p for subject, _, p in summary.issued if subject == reminder.id]
    due = add_working_days(MONDAY, 15)  # 2026-12-14: three weekends skipped
    assert f"{chinese_date(due)}前" in text_of(path)
    with session_scope() as session:
        assert get_case(session=session, case_id=reminder.id).reply_due == due
