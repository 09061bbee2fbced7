"""Each notice template rendered from real actions, read back from .docx and HTML."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import DOCUMENT_KINDS, MEASURE_KINDS
from dutyflow.documents.docx import notice_docx
from dutyflow.documents.notice import build_notice, render_html, unnested
from tests.rules.helpers import branch, judge, measures, meeting, monthly_duties

OCT = Period.parse("2026-10")
ISSUED_ON = date(2026, 11, 23)  # a Monday


def org(name: str = "中共市教育局第一党支部", secretary: str = "李明", code: str = "B1",
        party_group: str | None = "中共某市教育局党组"):
    return SimpleNamespace(org_code=code, org_name=name, secretary=secretary, org_type="党支部",
                           parent_code="C1", unit_party_group=party_group)


PARENT = SimpleNamespace(org_code="C1", org_name="中共市教育局机关委员会", secretary="王建国",
                         org_type="党委", parent_code=None)


def real_actions(orgs=None) -> dict[str, SimpleNamespace]:
    """A case of every measure, judged by the real policy and engine from hand-built reports."""
    org_rows = orgs or [branch("B1")]
    code = org_rows[0]["org_code"]
    held = monthly_duties(code, OCT)

    def item(days_overdue: int, status: str = "open") -> dict:
        return {"item_id": f"ZG-{days_overdue}", "org_code": code, "description": "党费收缴台账不完整",
                "deadline": OCT.last_day - timedelta(days=days_overdue), "status": status,
                "completed_on": None, "extended_to": None, "source": "巡察", "responsible": "王五"}

    criticised = measures((code, "meeting", "committee_meeting", "2026-09",
                           "circulated_criticism", True))
    scenarios = {
        "reminder": {"meetings": []},
        "supervision": {"meetings": held, "rectifications": [item(10)]},
        "talk": {"meetings": [meeting("theme_day", OCT.first_day, org=code)],
                 "rectifications": [item(45)],
                 "assessments": [{"org_code": code, "assessed_period": "2026-10", "score": 55,
                                  "tasks_total": 10, "tasks_done": 4}]},
        "circulated_criticism": {"meetings": held, "rectifications": [item(100)]},
        "admonishment": {"meetings": [meeting("theme_day", OCT.first_day, org=code)],
                         "past": criticised},
        "return_for_correction": {"meetings": held, "rectifications": [item(-30, "done")]},
    }
    out = {}
    for kind, reports in scenarios.items():
        [case] = judge("2026-10", orgs=org_rows, **reports)[1]
        assert case.measure == kind, (kind, case.measure)
        out[kind] = SimpleNamespace(id=case.id, period=case.period, org_code=case.org_code,
                                    measure=case.measure, evidence=list(case.evidence),
                                    proposal=case.proposal)
    out["self_inspection"] = SimpleNamespace(**{**vars(out["reminder"]), "measure": "self_inspection",
                                                "proposal": True})
    return out


def docx_text(data: bytes) -> str:
    """Every paragraph's text, as Word reads it: the body's, tables' and the 版记's text box's."""
    doc = Document(io.BytesIO(data))
    return "\n".join(Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p")))


def one_run_a_paragraph(xml: str) -> str:
    """The document's XML with each paragraph's runs joined (numbers are runs of their own),
    so a paragraph's text reads whole after its first run's properties."""
    return re.sub(r'</w:t></w:r><w:r><w:rPr>(?:(?!</w:rPr>).)*</w:rPr><w:t xml:space="preserve">',
                  "", xml)


def part(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode("utf-8")


def issued(kind: str, **changes) -> tuple:
    """The issued notice of one kind, its .docx bytes, text and HTML."""
    action = real_actions()[kind]
    number = {"letter": "市直工委函〔2026〕7号", "document": "市直工委〔2026〕3号"}.get(
        MEASURE_KINDS[kind].document.format or "", "")
    notice = build_notice(action=action, org=changes.get("org", org()), parent=PARENT,
                          on=changes.get("on", ISSUED_ON), doc_number=number)
    data = notice_docx(notice)
    return action, notice, data, docx_text(data), render_html(notice)


BRANCH, COMMITTEE = "中共市教育局第一党支部", "中共市教育局机关委员会"
GROUP, DEPT, DISCIPLINE = "中共某市教育局党组", "中共云川市委组织部", "云川市纪委监委驻市委组织部纪检监察组"
KINDS = {  # kind: title, format, main recipient, 抄送, attachments
    "reminder": ("关于中共市教育局第一党支部落实党建工作责任有关问题的提醒函", "letter", BRANCH,
                 COMMITTEE, ["问题清单", "整改情况反馈表"]),
    "supervision": ("关于督促中共市教育局第一党支部完成逾期整改事项的督办函", "letter", BRANCH,
                    COMMITTEE, ["整改情况反馈表"]),
    "talk": ("关于对中共市教育局第一党支部书记李明同志进行约谈的通知", "letter", BRANCH,
             COMMITTEE, ["问题清单", "回执"]),
    "circulated_criticism": ("关于抓好中共市教育局第一党支部被通报批评问题整改的函", "letter",
                             BRANCH, COMMITTEE, ["问题清单", "整改情况反馈表"]),
    "admonishment": ("关于建议对李明同志予以诫勉的函", "letter", GROUP,
                     f"{DISCIPLINE}、{DEPT}", ["问题清单", "回执"]),
    "self_inspection": ("关于责令中共市教育局第一党支部作出书面检查的决定", "document", BRANCH,
                        f"{COMMITTEE}、{DISCIPLINE}", ["问题清单", "整改情况反馈表"]),
    "return_for_correction": ("中共市教育局第一党支部2026年10月整改台账退回补正单", "", BRANCH,
                              "", []),
}


def test_every_measure_has_its_document_kind():
    assert set(KINDS) == set(MEASURE_KINDS)
    assert {"criticism_circular", "quarter_circular"} <= set(DOCUMENT_KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_is_its_kind_addressed_copied_and_quotes_its_basis(kind):
    title, format, to, copy_to, attachments = KINDS[kind]
    action, notice, data, text, html = issued(kind)
    assert notice.title == title and notice.format == format
    for where in (text, html):
        # the title's lines are broken explicitly (a line break in Word, <br> in HTML)
        assert title in where.replace("<br>", "").replace("\n", "") and f"{to}：" in where
        if copy_to:
            assert f"抄送：{copy_to}。" in where
        else:
            assert "抄送" not in where
        for label, heading in zip(notice.attachments, attachments, strict=True):
            assert label.title == heading and heading in where
        for evidence in action.evidence:  # each rule applied, with its basis (never nested
            # in parentheses: inside them its own open out)
            assert evidence["basis"] in where or unnested(evidence["basis"]) in where
        assert "草稿" not in where
    if format == "letter":  # 信函格式: the full name, no 文件; the 函 series
        assert "市直工委函〔2026〕7号" in text
        assert "中共云川市委市直机关工作委员会" in part(data, "word/header1.xml")
        assert "印发" not in text and "文件" not in html.split("<body>")[1].split("<h1>")[0]
    elif format == "document":
        assert "中共云川市委市直机关工委文件" in text and "市直工委〔2026〕3号" in text
        assert "中共云川市委市直机关工作委员会办公室" in text and "2026年11月23日印发" in text
        assert "中共云川市委市直机关工作委员会办公室" in html and "2026年11月23日印发" in html
    else:  # a plain form: no mark, no number
        assert "〔" not in text and "文件" not in text
    assert "（联系人：王晓燕，电话：0870-55500305）" in text


@pytest.mark.parametrize("kind", [k for k in KINDS if DOCUMENT_KINDS[k].asks_reply])
def test_each_document_says_what_to_do_by_a_working_day_and_how_to_reply(kind):
    _, notice, _, text, _ = issued(kind)
    # 10 working days after Monday 2026-11-23: Monday 7 December, not a weekend; a talk's
    # written report: 10 working days after the talk on Monday 30 November
    due = date(2026, 12, 14) if kind == "talk" else date(2026, 12, 7)
    assert f"{due.year}年{due.month}月{due.day}日前" in text and notice.meta["reply_due"] == due
    assert "报送" in text or "函告" in text  # how to reply


def test_supervision_letter_tables_each_item_with_source_person_deadline_and_days_overdue():
    _, notice, data, _, _ = issued("supervision")
    doc = Document(io.BytesIO(data))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["序号", "问题编号", "问题描述", "问题来源", "整改责任人", "整改时限", "逾期天数"]
    assert rows[1] == ["1", "ZG-10", "党费收缴台账不完整", "巡察", "王五", "2026年10月21日", "10天"]


def test_the_feedback_form_and_receipt_are_forms_with_room_to_write():
    _, notice, data, _, _ = issued("talk")
    receipt = Document(io.BytesIO(data)).tables[-1]
    rows = {r.cells[0].text: r.cells[1].text for r in receipt.rows}
    assert rows["被约谈人姓名"] == "李明" and rows["陪同人员及职务"] == ""
    _, _, data, _, _ = issued("reminder")
    form = Document(io.BytesIO(data)).tables[-1]
    assert [c.text for c in form.rows[0].cells] == ["序号", "问题", "整改措施", "完成情况", "完成时间",
                                                    "佐证材料"]
    assert all(c.text == "" for r in form.rows[1:] for c in r.cells[2:])
    assert 'w:trHeight w:val="680"' in part(data, "word/document.xml")


def test_talk_notice_names_who_conducts_who_attends_when_and_the_report_after():
    _, notice, _, text, html = issued("talk")
    assert "约谈人：市直机关工委副书记陈志远同志" in text  # title and name, from the office file
    assert "被约谈人：中共市教育局第一党支部书记李明同志" in text
    assert "请中共市教育局机关委员会书记王建国同志陪同参加" in text
    # five working days after Monday 23 November: Monday 30 November, not Saturday the 28th
    assert "时间：2026年11月30日上午9:00" in text
    # the 回执 two working days before the talk (Thursday 26 November); every answer goes to
    # the one reply office, at the office's address
    assert "请于2026年11月26日前填写《回执》（附件2）报送市直机关工委组织部。" in text
    assert "请于2026年11月26日前报送市直机关工委组织部（电话：0870-55500305）" in text
    assert ("约谈后，请你支部于2026年12月14日前将整改情况书面报告市直机关工委组织部"
            "（地址：云川市滨江路88号市委大院3号楼305室）") in text
    assert "整改方案" in text and "情况说明" in text and "回执" in text


def test_talks_are_booked_on_working_days_one_slot_after_another():
    action = real_actions()["talk"]
    seventh = docx_text(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                                 on=ISSUED_ON, talk_slot=6)))
    assert "时间：2026年12月1日上午10:00" in seventh  # the 7th talk: the next working day, slot 2
    friday = docx_text(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                                on=date(2026, 11, 20), talk_slot=5)))
    assert "时间：2026年11月30日上午9:00" in friday  # Friday + 5 working days + a full day


def test_a_talk_booked_across_the_national_day_holiday_lands_on_the_first_working_day_after(
        monkeypatch):
    from dutyflow.core.settings import settings

    monkeypatch.setattr(settings, "talk_lead_days", 3)
    action = real_actions()["talk"]
    text = docx_text(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                              on=date(2026, 9, 28))))
    # 9-29, 9-30, then the holiday of 1-7 October: the third working day is Thursday 8 October
    assert "时间：2026年10月8日上午9:00" in text


def test_a_collective_talk_books_one_session_for_all_the_periods_talks(monkeypatch):
    from dutyflow.core.settings import settings

    monkeypatch.setattr(settings, "talk_mode", "collective")
    action = real_actions()["talk"]
    texts = [docx_text(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                                on=ISSUED_ON, talk_slot=slot)))
             for slot in (0, 7)]
    assert all("时间：2026年11月30日上午9:00（本期约谈对象集中进行）" in t for t in texts)
    assert all("（集体约谈）" in t for t in texts)


def test_a_recommendation_with_no_party_group_named_says_what_is_missing():
    action = real_actions()["admonishment"]
    notice = build_notice(action=action, org=org(party_group=None), parent=PARENT, on=ISSUED_ON)
    assert notice.missing == ("所在单位党组（组织表“所在单位党组”列）",)
    assert "缺：所在单位党组" in docx_text(notice_docx(notice))
    assert COMMITTEE not in notice.recipient  # never sent to the 机关党委, which has no say


def test_a_criticised_branch_is_written_of_as_what_it_is_not_always_a_branch():
    general = SimpleNamespace(**{**vars(org()), "org_type": "党总支",
                                 "org_name": "中共市教育局机关总支部委员会"})
    _, _, _, text, _ = issued("circulated_criticism", org=general)
    assert "你总支" in text and "你支部" not in text and "该支部" not in text


# ---------------------------------------------------------------- layout, measured in the file


def test_the_page_is_gb_t_9704s_a4_type_area_with_22_lines_of_28_characters():
    _, _, data, _, _ = issued("reminder")
    xml = part(data, "word/document.xml")
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in xml  # A4
    # 37 mm top, 26 mm right, 35 mm bottom, 28 mm left: a 156 x 225 mm type area
    assert 'w:top="2098" w:right="1474" w:bottom="1984" w:left="1588"' in xml
    grid = re.search(r'<w:docGrid w:type="(\w+)" w:linePitch="(\d+)" w:charSpace="(-?\d+)"/>', xml)
    kind, pitch, space = grid.group(1), int(grid.group(2)), int(grid.group(3))
    assert kind == "linesAndChars"
    assert int(225 / 25.4 * 1440 / pitch) == 22  # lines in the type area
    assert int(156 / 25.4 * 72 / (16 + space / 4096)) == 28  # 三号 characters a line
    # body text keeps the same measure without snapping (LibreOffice agrees): 28 a line
    assert int(156 / 25.4 * 1440 / (320 - 6)) == 28 and '<w:spacing w:val="-6"/>' in xml


def test_odd_pages_number_on_the_right_even_on_the_left():
    _, _, data, _, _ = issued("self_inspection")
    assert "<w:evenAndOddHeaders/>" in part(data, "word/settings.xml")
    xml = part(data, "word/document.xml")
    assert '<w:footerReference w:type="default" r:id="rIdOdd"/>' in xml
    assert '<w:footerReference w:type="even" r:id="rIdEven"/>' in xml
    odd, even = part(data, "word/footer1.xml"), part(data, "word/footer2.xml")
    assert '<w:jc w:val="right"/>' in odd and 'w:right="280"' in odd  # one 四号 character in
    assert '<w:jc w:val="left"/>' in even and 'w:left="280"' in even
    assert "PAGE" in odd and "— " in odd and " —" in odd


def test_a_letter_has_the_letterhead_30mm_from_the_top_and_no_number_on_its_first_page():
    _, _, data, _, _ = issued("reminder")
    xml = part(data, "word/document.xml")
    assert "<w:titlePg/>" in xml and 'w:header="1701"' in xml  # 30 mm
    head, foot = part(data, "word/header1.xml"), part(data, "word/footer3.xml")
    assert "thickThinSmallGap" in head and 'w:color="C00000"' in head  # thick over thin
    assert 'w:left="-397" w:right="-397"' in head  # 170 mm: 7 mm beyond each side
    assert "thinThickSmallGap" in foot and "PAGE" not in foot  # no first-page number
    number = re.search(r'<w:jc w:val="(\w+)"/></w:pPr><w:r>(?:(?!</w:p>).)*市直工委函', xml)
    assert number.group(1) == "right"  # the number flush right under the rule


def test_a_document_has_the_red_mark_35mm_down_and_the_red_rule_under_its_number():
    _, _, data, _, _ = issued("self_inspection")
    xml = one_run_a_paragraph(part(data, "word/document.xml"))
    assert "<w:titlePg/>" not in xml
    assert re.search(r'w:before="1984"(?:(?!</w:p>).)*中共云川市委市直机关工委文件', xml)
    assert re.search(r'<w:bottom w:val="single" w:sz="12" w:space="11" w:color="C00000"/>'
                     r'(?:(?!</w:p>).)*市直工委〔2026〕3号', xml)


def test_the_signature_is_centred_over_the_date_four_characters_from_the_right():
    from dutyflow.documents.docx import PITCH, display_width

    _, notice, data, _, _ = issued("reminder")
    xml = one_run_a_paragraph(part(data, "word/document.xml"))
    signature = int(re.search(r'w:right="(\d+)"/><w:jc w:val="right"/></w:pPr><w:r>'
                              r'(?:(?!</w:p>).)*中共云川市委市直机关工作委员会</w:t>', xml).group(1))
    date_right = int(re.search(r'w:right="(\d+)"/><w:jc w:val="right"/></w:pPr><w:r>'
                               r'(?:(?!</w:p>).)*2026年11月23日</w:t>', xml).group(1))
    assert date_right == 4 * PITCH
    centre = lambda right, text: right + display_width(text) * PITCH / 2  # noqa: E731
    assert abs(centre(signature, notice.signature) - centre(date_right, notice.date_text)) < PITCH
    # two blank lines above the signature: room for the seal, kept with it on one page
    assert re.search(r'(<w:p><w:pPr><w:keepNext/>[^<]*<w:snapToGrid w:val="0"/>'
                     r'<w:spacing[^>]*/><w:ind[^>]*/><w:jc w:val="both"/></w:pPr></w:p>){2}'
                     r'<w:p><w:pPr><w:keepNext/>', xml)


def test_the_imprint_sits_at_the_foot_of_the_last_page_with_thick_and_thin_rules():
    _, _, data, _, _ = issued("self_inspection")
    body = part(data, "word/document.xml").split("<w:sectPr>")[0]
    # a text box anchored to the bottom of the type area, which Word and LibreOffice both place
    [anchor] = re.findall(r"<wp:anchor .*?</wp:anchor>", body)
    assert ('<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align>' in anchor
            and "<wp:wrapTopAndBottom/>" in anchor)
    copy_to, printed = re.findall(r"<w:tr>.*?</w:tr>", anchor)
    assert '<w:top w:val="single" w:sz="8"' in copy_to and '<w:bottom w:val="single" w:sz="6"' in copy_to
    assert '<w:bottom w:val="single" w:sz="8"' in printed  # first and last thick, between thin
    assert "抄送：" in copy_to and "印发" in printed
    # after the attachments: the 版记 ends the document
    assert body.rindex("整改情况反馈表") < body.index("<wp:anchor")
    assert body.endswith("</wp:anchor></w:drawing></w:r></w:p>")


def test_a_letters_imprint_is_its_copy_to_line_only_without_rules():
    _, _, data, _, _ = issued("reminder")
    body = part(data, "word/document.xml").split("<w:sectPr>")[0]
    [anchor] = re.findall(r"<wp:anchor .*?</wp:anchor>", body)
    [row] = re.findall(r"<w:tr>.*?</w:tr>", anchor)
    assert "抄送：" in row and 'w:val="single"' not in row


def test_the_annotation_and_attachment_note_follow_the_standard():
    _, notice, data, _, html = issued("reminder")
    xml = one_run_a_paragraph(part(data, "word/document.xml"))
    assert notice.attachment_note == ("1. 问题清单", "2. 整改情况反馈表")
    assert "附件：1. 问题清单" in docx_text(data) and "附件：1. 问题清单" in html
    assert re.search(r'w:left="1570"/><w:jc w:val="left"/></w:pPr><w:r>(?:(?!</w:p>).)*2\. 整改情况反馈表',
                     xml)  # aligned under the first name: 2 + 3 characters in
    # each attachment on a page of its own, its label at the top left in 黑体
    labels = re.findall(r"<w:pageBreakBefore/>(?:(?!</w:p>).)*?黑体(?:(?!</w:p>).)*?(附件\d)", xml)
    assert labels == ["附件1", "附件2"]
    assert xml.index("（联系人：") < xml.index("<w:pageBreakBefore/>")  # 附注 under the date


def test_a_draft_carries_no_number_and_says_it_is_a_draft():
    action = real_actions()["reminder"]
    notice = build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON)
    text = docx_text(notice_docx(notice))
    assert "〔待编号〕" in text and "草稿" in text


def test_a_return_for_correction_lists_the_items_to_complete_and_is_no_accountability():
    _, notice, data, text, _ = issued("return_for_correction")
    rows = [[c.text for c in r.cells] for r in Document(io.BytesIO(data)).tables[0].rows]
    assert rows == [["序号", "问题编号", "问题描述", "整改状态", "需补正内容"],
                    ["1", "ZG--30", "党费收缴台账不完整", "已整改", "完成日期、整改佐证材料"]]
    assert "不属于问责处理" in text and notice.doc_number == ""


def test_hostile_names_appear_literally_in_html_and_word():
    name = '<script>alert(1)</script>{{ 7*7 }} & "第一" <党支部>'
    hostile = org(name=name, secretary="{% raw %}王&<b>")
    for kind in ("talk", "circulated_criticism", "supervision"):
        _, _, data, text, html = issued(kind, org=hostile)
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} &amp;" in html
        assert name in text and "{% raw %}王&<b>" in text
        assert "49" not in text


def test_an_edited_template_that_reaches_python_internals_is_refused(tmp_path, monkeypatch):
    from dutyflow.core.settings import settings
    from dutyflow.documents.notice import TEMPLATES, TemplateRefused

    custom = tmp_path / "templates"
    shutil.copytree(TEMPLATES, custom)
    (custom / "notices" / "reminder.j2").write_text(
        '{% extends "notices/_base.j2" %}{% block title %}'
        "{{ org.__class__.__mro__[1].__subclasses__() }}{% endblock %}", encoding="utf-8")
    monkeypatch.setattr(settings, "templates_dir", custom)
    with pytest.raises(TemplateRefused, match="template notices/reminder.j2 was refused"):
        build_notice(action=real_actions()["reminder"], org=org(), parent=PARENT, on=ISSUED_ON)


def test_the_same_notice_gives_the_same_bytes_and_reads_as_a4_in_word():
    _, notice, data, _, _ = issued("talk")
    assert notice_docx(notice) == data
    section = Document(io.BytesIO(data)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert section.different_first_page_header_footer


@pytest.mark.skipif(shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
def test_libreoffice_prints_every_kind_with_its_pages_and_first_page_text(tmp_path):
    from dutyflow.documents.pdf import print_pdfs

    sources = []
    for kind in KINDS:
        _, notice, data, _, _ = issued(kind)
        path = tmp_path / f"{kind}.docx"
        path.write_bytes(data)
        sources.append((kind, notice, path))
    pdfs = print_pdfs([p for _, _, p in sources])
    assert len(pdfs) == len(KINDS)
    for kind, notice, path in sources:
        pdf = path.with_suffix(".pdf")
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert pages >= 1 + len(notice.attachments), kind  # each attachment on its own page
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                               capture_output=True, text=True).stdout.replace(" ", "")
        assert notice.title_lines[0] in first and notice.recipient in first, kind
        if notice.doc_number:
            assert notice.doc_number in first, kind
        last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                              capture_output=True, text=True).stdout.replace(" ", "")
        if notice.copy_to:
            assert "抄送" in last, kind  # the 版记 on the last page


def test_an_extended_deadline_says_to_when_so_the_days_overdue_add_up():
    from dutyflow.documents.wording import describe_finding

    sentence = describe_finding({"family": "rectification", "span": "2026-10", "facts": {
        "item_id": "ZG-1", "description": "党费收缴台账不完整", "deadline": "2026-08-02",
        "extended_to": "2026-09-27", "status": "open", "days_overdue": 34}})
    assert "整改时限2026年8月2日，经批准延期至2026年9月27日，" in sentence
    assert sentence.endswith("已逾期34天。")


@pytest.mark.parametrize("kind", ["reminder", "talk", "circulated_criticism", "self_inspection"])
def test_each_finding_of_a_notice_is_a_paragraph_of_its_own(kind):
    action, notice, _, _, _ = issued(kind)
    paragraphs = [b.text for b in notice.blocks if b.kind == "paragraph"]
    listed = [p for p in paragraphs if re.match(r"\d+\. ", p) and "不符合“" in p]
    # one numbered paragraph per finding, never two findings run together
    assert len(listed) == len(action.evidence) >= 1
    assert all(len(re.findall(r"(?:^|。)\d+\. ", p)) == 1 for p in listed)
