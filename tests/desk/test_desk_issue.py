"""Issuing at the desk (印发): a month is reviewed, issued and followed up at the desk alone.
The same path as `dutyflow issue`: numbers in each series, final files, the reviewer named."""

from __future__ import annotations

from dutyflow.models.db import session_scope
from dutyflow.models.documents import events_of, get_document
from dutyflow.services.review import decide
from tests.desk.test_desk_security import csrf_of, log_in

CASE = "2026-08-DW0002-ZB03"


def test_a_reviewer_issues_the_months_approved_documents_at_the_desk(client):
    decide(document_id=CASE, decision="approve", reviewer="张主任")
    log_in(client)
    queue = client.get("/queue?period=2026-08")
    assert 'id="issue"' in queue.text and "印发 2026-08 已批准的文书" in queue.text
    csrf = csrf_of(queue.text)
    # not confirmed: nothing is numbered, and the reviewer is told why, in Chinese
    refused = client.post("/queue/issue", data={"csrf": csrf, "period": "2026-08",
                                                "back": "period=2026-08"})
    assert refused.status_code == 303
    assert "印发前请勾选“确认印发”" in client.get("/queue?period=2026-08").text
    with session_scope() as session:
        assert get_document(session=session, document_id=CASE).status == "approved"
    issued = client.post("/queue/issue", data={"csrf": csrf, "period": "2026-08",
                                               "confirmed": "1", "back": "period=2026-08"})
    assert issued.headers["location"] == "/queue?period=2026-08"
    shown = client.get("/queue?period=2026-08").text
    assert "已印发 1 份：" in shown and "〔2026〕1号" in shown
    with session_scope() as session:
        document = get_document(session=session, document_id=CASE)
        assert document.status == "issued" and document.document_number.endswith("〔2026〕1号")
        issued_by = [e.actor for e in events_of(session=session, subject=CASE)
                     if e.event == "issued"]
    assert issued_by == ["李审核"]  # the reviewer who pressed 印发, not the system
    # a second press issues nothing twice
    client.post("/queue/issue", data={"csrf": csrf, "period": "2026-08", "confirmed": "1"})
    assert "没有已批准待印发的文书" in client.get("/queue?period=2026-08").text


def test_issuing_without_the_office_settings_is_refused_in_chinese(client, monkeypatch):
    from dutyflow.core.settings import reload_settings

    decide(document_id=CASE, decision="approve", reviewer="张主任")
    monkeypatch.setenv("DUTYFLOW_OFFICE_FILE", "/nonexistent/office.toml")
    reload_settings()
    log_in(client)
    csrf = csrf_of(client.get("/queue?period=2026-08").text)
    client.post("/queue/issue", data={"csrf": csrf, "period": "2026-08", "confirmed": "1"})
    assert "未印发：" in client.get("/queue?period=2026-08").text
    with session_scope() as session:
        assert get_document(session=session, document_id=CASE).status == "approved"


def test_an_issued_documents_pdf_is_shown_in_the_browser_or_saved(client, monkeypatch):
    from datetime import date

    from dutyflow.core.settings import reload_settings
    from dutyflow.services.issuing import issue_approved

    monkeypatch.setenv("DUTYFLOW_PDF_VIEWS", "true")
    reload_settings()
    decide(document_id=CASE, decision="approve", reviewer="张主任")
    assert issue_approved(period="2026-08", on=date(2026, 9, 7), issued_by="张主任").pdfs == 1
    log_in(client)
    page = client.get(f"/documents/{CASE}").text
    assert f'href="/documents/{CASE}/notice.pdf?view=1"' in page and "查看印发的 PDF" in page
    shown = client.get(f"/documents/{CASE}/notice.pdf?view=1")
    assert shown.status_code == 200 and shown.content.startswith(b"%PDF")
    assert shown.headers["content-disposition"].startswith("inline")
    saved = client.get(f"/documents/{CASE}/notice.pdf")
    assert saved.headers["content-disposition"].startswith("attachment")
