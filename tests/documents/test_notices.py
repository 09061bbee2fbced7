"""Each notice template rendered from real actions, read back from .docx and HTML."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from docx import Document

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import ACTION_KINDS
from dutyflow.documents.docx import notice_docx
from dutyflow.documents.notice import build_circular, build_notice, render_html
from dutyflow.documents.wording import describe_finding
from tests.rules.helpers import branch, judge, measures, meeting, monthly_duties

OCT = Period.parse("2026-10")
ISSUED_ON = date(2026, 11, 22)


def org(name: str = "中共市教育局第一党支部", secretary: str = "李明", code: str = "B1"):
    return SimpleNamespace(org_code=code, org_name=name, secretary=secretary, org_type="党支部",
                           parent_code="C1")


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
        assert case.action == kind, (kind, case.action)
        out[kind] = SimpleNamespace(id=case.id, period=case.period, org_code=case.org_code,
                                    action=case.action, evidence=list(case.evidence),
                                    proposal=case.proposal)
    out["self_inspection"] = SimpleNamespace(**{**vars(out["reminder"]), "action": "self_inspection",
                                                "proposal": True})
    return out


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_judged_cases_cover_every_measure_of_the_vocabulary():
    assert set(real_actions()) == set(ACTION_KINDS)


@pytest.mark.parametrize("kind, title", [
    ("reminder", "关于对中共市教育局第一党支部进行提醒谈话的通知"),
    ("supervision", "整改督办通知书"),
    ("talk", "约谈通知书"),
    ("circulated_criticism", "关于对中共市教育局第一党支部履行党建工作责任不力的通报"),
    ("admonishment", "关于建议对李明同志予以诫勉的函"),
    ("self_inspection", "责令检查通知"),
    ("return_for_correction", "关于中共市教育局第一党支部2026年10月整改台账退回补正的通知"),
])
def test_each_notice_reads_back_from_word_and_html_with_its_facts(kind, title):
    action = real_actions()[kind]
    notice = build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON,
                          doc_number="市直工委〔2026〕7号")
    text = docx_text(notice_docx(notice))
    html = render_html(notice)
    for expected in (title, "市直工委〔2026〕7号", "中共某市市直机关工委文件", "2026年11月22日",
                     "中共某市市直机关工作委员会"):
        assert expected in text and expected in html
    for evidence in action.evidence:
        if evidence["family"] == "rectification" and kind in ("supervision",
                                                              "return_for_correction"):
            assert evidence["facts"]["item_id"] in text
        else:  # the facts, the duty they breach, and the rule's basis
            assert describe_finding(evidence).rstrip("。") in text
            assert evidence["requirement"] in text
            assert evidence["basis"] in text
    assert "草稿" not in text  # a numbered notice is final


def test_talk_notice_names_the_person_reasons_time_place_and_what_to_bring():
    action = real_actions()["talk"]
    text = docx_text(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                              on=ISSUED_ON, doc_number="市直工委〔2026〕3号")))
    assert "李明同志：" in text
    assert "时间：2026年11月27日上午9:00" in text  # the lead time from the settings
    later = docx_text(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                               on=ISSUED_ON, talk_slot=6)))
    assert "时间：2026年11月28日上午10:00" in later  # the 7th talk: next day, second slot
    assert "地点：市直机关工委第一会议室" in text
    assert "整改方案" in text and "情况说明" in text
    assert "抄送：中共市教育局机关委员会。" in text


def test_supervision_notice_lists_each_item_with_deadline_and_days_overdue():
    action = real_actions()["supervision"]
    doc = Document(io.BytesIO(notice_docx(build_notice(action=action, org=org(), parent=PARENT,
                                                       on=ISSUED_ON))))
    [table] = doc.tables
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["序号", "问题编号", "问题描述", "整改时限", "整改状态", "逾期天数"]
    assert rows[1] == ["1", "ZG-10", "党费收缴台账不完整", "2026年10月21日", "未整改", "10"]


def test_a_return_for_correction_lists_the_items_to_complete_and_is_no_accountability():
    action = real_actions()["return_for_correction"]
    notice = build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON)
    doc = Document(io.BytesIO(notice_docx(notice)))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows == [["序号", "问题编号", "问题描述", "整改状态"],
                    ["1", "ZG--30", "党费收缴台账不完整", "已整改"]]
    assert "不属于问责处理" in docx_text(notice_docx(notice))


def test_a_draft_carries_no_number_and_says_it_is_a_draft():
    action = real_actions()["reminder"]
    notice = build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON)
    text = docx_text(notice_docx(notice))
    assert "〔待编号〕" in text and "草稿" in text


def test_hostile_names_appear_literally_in_html_and_word():
    name = '<script>alert(1)</script>{{ 7*7 }} & "第一" <党支部>'
    hostile = org(name=name, secretary="{% raw %}王&<b>")
    action = real_actions()["talk"]
    notice = build_notice(action=action, org=hostile, parent=PARENT, on=ISSUED_ON)
    html = render_html(notice)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} &amp; &#34;第一&#34; &lt;党支部&gt;" in html \
        or "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} &amp; &quot;第一&quot; &lt;党支部&gt;" in html
    text = docx_text(notice_docx(notice))
    assert "{% raw %}王&<b>同志：" in text
    circular = build_notice(action=real_actions()["circulated_criticism"], org=hostile,
                            parent=PARENT, on=ISSUED_ON)
    assert name in docx_text(notice_docx(circular))
    assert "49" not in docx_text(notice_docx(circular))


def test_the_quarter_circular_lists_every_criticised_organization():
    actions = real_actions()
    criticised = [actions["circulated_criticism"],
                  SimpleNamespace(**{**vars(actions["circulated_criticism"]), "org_code": "B2",
                                     "id": "2026-09-B2", "period": "2026-09"})]
    orgs = {"B1": org(), "B2": org("中共市财政局第二党支部", "赵强", "B2")}
    notice = build_circular(period=Period.parse("2026-Q4"), actions=[*criticised, actions["talk"]],
                            orgs=orgs, on=ISSUED_ON)
    doc = Document(io.BytesIO(notice_docx(notice)))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert [r[1] for r in rows[1:]] == ["中共市教育局第一党支部", "中共市财政局第二党支部"]
    assert rows[2][3] == "2026年9月"
    assert "关于2026年第四季度党建工作责任落实情况的通报" in docx_text(notice_docx(notice))


def test_an_edited_template_that_reaches_python_internals_is_refused(tmp_path, monkeypatch):
    import shutil

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


@pytest.mark.skipif(shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
def test_libreoffice_opens_the_notice_and_prints_it_to_pdf(tmp_path):
    action = real_actions()["supervision"]
    notice = build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON,
                          doc_number="市直工委〔2026〕3号")
    source = tmp_path / "notice.docx"
    source.write_bytes(notice_docx(notice))
    done = subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir",
                           str(tmp_path), str(source)], capture_output=True, text=True,
                          timeout=180)
    pdf = tmp_path / "notice.pdf"
    assert done.returncode == 0 and pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_the_same_notice_gives_the_same_bytes():
    action = real_actions()["talk"]
    notice = build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON,
                          doc_number="市直工委〔2026〕3号")
    assert notice_docx(notice) == notice_docx(notice)
    doc = Document(io.BytesIO(notice_docx(notice)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert "— 1 —" in "".join(p.text for p in section.footer.paragraphs)
    assert "中共某市市直机关工作委员会办公室" in docx_text(notice_docx(notice))
