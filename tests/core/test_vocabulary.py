"""The vocabulary is the one place for the domain's words: a meeting type declared in a policy
works with no Python change, and an action kind is one registry entry plus one template."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from dutyflow.core import vocabulary
from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import (
    DOCUMENT_KINDS,
    MEASURE_KINDS,
    Addressee,
    DocumentFormat,
    DocumentKind,
    MeasureKind,
    MeetingType,
)
from dutyflow.documents.docx import notice_docx
from dutyflow.documents.notice import TEMPLATES, TemplateMissing, build_notice, check_templates
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Meeting
from dutyflow.rules.policy import DEFAULT_POLICY, PolicyError, load_policy
from dutyflow.services.casefile import document_path
from tests.factories import MEETING_HEADERS, ORG_HEADERS, org_rows, write_xlsx
from tests.rules.helpers import branch, judge, meeting, monthly_duties

OCT = Period.parse("2026-10")
STUDY = {"key": "study_session", "name": "理论学习中心组学习", "aliases": ["中心组学习"]}


def policy_with(tmp_path: Path, *, types: list[dict], duty: dict | None = None,
                name: str = "policy.yaml") -> Path:
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    data["meeting_types"] = types
    if duty:
        data["meetings"]["duties"].append(duty)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


STUDY_DUTY = {"id": "study_session", "meeting_type": "study_session", "org_types": ["党支部"],
              "frequency": "month", "minimum": 1, "text": "理论学习中心组每月至少集中学习1次",
              "basis": "本市做法"}


def test_a_meeting_type_declared_in_the_policy_is_read_judged_and_named_in_notices(
        sqlite_url, tmp_path):
    policy = policy_with(tmp_path, types=[STUDY], duty=STUDY_DUTY)
    held = [["DW01-ZB01", "中心组学习", date(2026, 10, 12), 15],  # an alias, as a branch types it
            ["DW01-ZB01", "支部委员会会议", date(2026, 10, 9), 5],
            ["DW01-ZB01", "主题党日", date(2026, 10, 15), 18],
            ["DW01-ZB02", "支部委员会会议", date(2026, 10, 20), 3],
            ["DW01-ZB02", "主题党日", date(2026, 10, 21), 8]]
    folder = tmp_path / "reports"
    write_xlsx(folder / "组织.xlsx", {"组织": (ORG_HEADERS, org_rows())})
    write_xlsx(folder / "会议.xlsx", {"会议": (MEETING_HEADERS, held)})

    summary = run_cycle(period="2026-10", input_path=folder, policy_path=policy)

    assert summary.ingest.rows_quarantined == 0  # the declared name is a known meeting type
    with session_scope() as session:
        kinds = {m.org_code: set() for m in session.query(Meeting)}
        for m in session.query(Meeting):
            kinds[m.org_code].add(m.meeting_type)
        actions = {a.org_code: a for a in list_cases(session=session, period="2026-10")}
    assert "study_session" in kinds["DW01-ZB01"]
    # ZB02 held no study session: the declared duty found it, in its own words
    missed = [e for e in actions["DW01-ZB02"].evidence if e["subject"] == "study_session"]
    assert [e["facts"]["meeting_name"] for e in missed] == ["理论学习中心组学习"]
    assert "DW01-ZB01" not in actions or not any(
        e["subject"] == "study_session" for e in actions["DW01-ZB01"].evidence)
    html = document_path(actions["DW01-ZB02"].id, ".html").read_text(encoding="utf-8")
    assert "2026年10月召开理论学习中心组学习0次" in html


def test_a_policy_cannot_give_a_declared_meeting_type_a_name_that_is_already_taken(tmp_path):
    clash = {**STUDY, "aliases": ["党课"]}
    with pytest.raises(PolicyError, match="'党课' already names 'party_lecture'"):
        load_policy(policy_with(tmp_path, types=[clash]))
    with pytest.raises(PolicyError, match="unknown meeting_type 'study_session'"):
        load_policy(policy_with(tmp_path, types=[], duty=STUDY_DUTY, name="undeclared.yaml"))


def test_an_action_kind_is_one_registry_entry_plus_one_template(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "notices" / "written_warning.j2").write_text(
        '{% extends "notices/_base.j2" %}\n'
        "{% block title %}关于对{{ org.org_name }}予以书面警示的通知{% endblock %}\n"
        "{% block body %}\n{% for f in findings %}{{ f.sentence }}\n{% endfor %}{% endblock %}\n",
        encoding="utf-8")
    monkeypatch.setenv("DUTYFLOW_TEMPLATES_DIR", str(templates))
    monkeypatch.setitem(MEASURE_KINDS, "written_warning", MeasureKind("written_warning", "书面警示", 7))
    monkeypatch.setitem(DOCUMENT_KINDS, "written_warning", DocumentKind(
        "written_warning", "书面警示函", DocumentFormat.LETTER, (Addressee.ORGANIZATION,)))
    from dutyflow.core.settings import reload_settings

    reload_settings()
    data = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    data["meetings"]["ladder"] = ["written_warning"]
    policy_path = tmp_path / "warning.yaml"
    policy_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    check_templates()  # the new kind has its template
    _, actions = judge("2026-10", orgs=[branch("B1")],
                       meetings=[meeting("theme_day", OCT.first_day)],
                       policy=load_policy(policy_path))
    assert [a.measure for a in actions] == ["written_warning"]
    org = SimpleNamespace(org_code="B1", org_name="第B1党支部", secretary="李明", org_type="党支部")
    notice = build_notice(action=actions[0], org=org, parent=None, on=date(2026, 11, 2))
    assert notice.title == "关于对第B1党支部予以书面警示的通知"
    assert notice.recipient == "第B1党支部：" and notice.format == "letter"
    assert b"word/document.xml" in notice_docx(notice)
    reload_settings()


def test_the_start_up_check_names_every_document_kind_without_a_template(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "notices" / "talk.j2").unlink()
    (templates / "notices" / "admonishment.j2").unlink()
    (templates / "notices" / "attachments" / "receipt.j2").unlink()
    with pytest.raises(TemplateMissing, match="admonishment, talk, receipt"):
        check_templates(templates)
    check_templates(TEMPLATES)  # the bundled set is complete


def test_every_word_of_the_vocabulary_is_defined_once():
    spellings = [s for t in vocabulary.MEETING_TYPES for s in set(t.spellings)]
    assert len(spellings) == len(set(spellings))
    ranks = [k.rank for k in MEASURE_KINDS.values()]
    assert len(ranks) == len(set(ranks))
    assert vocabulary.extend_meeting_types([MeetingType("x", "某会")])[-1].key == "x"
    assert monthly_duties("B1", OCT)  # the helpers speak the same keys


def test_every_event_the_code_logs_has_words_for_the_audit_trail():
    """The audit trail (desk, portal, `dutyflow audit`) shows each event in Chinese: every event
    name written in the code, and every refused_<verb> it forms, has its words."""
    import re

    root = Path(__file__).resolve().parents[2]
    sources = [p for folder in ("dutyflow", "models", "flows") for p in (root / folder).rglob("*.py")
               if "migrations" not in p.parts]
    named = {m for p in sources for m in re.findall(r'event="([a-z_]+)"', p.read_text("utf-8"))}
    verbs = {m for p in sources for m in re.findall(r'_settle\(case_id, "([a-z]+)"',
                                                     p.read_text("utf-8"))}
    assert {"notified", "ledger_files_added", "accepted"} <= named  # the scan finds them
    logged = named | {f"refused_{v}" for v in verbs | {"approve", "reject"}}
    unworded = sorted(e for e in logged if vocabulary.event_words(e) == e)
    assert not unworded, unworded
