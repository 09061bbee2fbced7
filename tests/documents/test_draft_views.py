"""A draft's HTML view is laid out when first asked, from the content stored beside its .docx:
the same notice the .docx was, never an older one."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile

from dutyflow.documents.docx import document_xml, notice_docx
from dutyflow.documents.files import notice_view, write_notice
from dutyflow.documents.notice import build_notice, render_html
from dutyflow.documents.stored_notice import notice_data, notice_from_data
from tests.documents.test_notices import ISSUED_ON, PARENT, org, real_actions


def notices() -> dict:
    return {kind: build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON, talk_slot=2)
            for kind, action in real_actions().items()}


def test_every_measures_notice_comes_back_from_its_data_as_it_was():
    tables = 0
    for kind, notice in notices().items():
        back = notice_from_data(notice_data(notice))
        assert back == dataclasses.replace(notice, meta={}), kind
        assert render_html(back) == render_html(notice), kind
        tables += sum(b.kind == "table" for a in back.attachments for b in a.blocks)
    assert tables >= 5  # the attachments' tables came back too


def test_a_draft_is_written_without_its_view_and_laid_out_when_asked(tmp_path):
    notice = notices()["talk"]
    written = write_notice(notice, tmp_path, "2026-10-B1", view=False)
    assert written.docx.is_file() and not written.html.exists()
    assert notice_view(written.html) == written.html
    assert written.html.read_text(encoding="utf-8") == render_html(notice)
    laid_out = written.html.stat().st_mtime_ns
    assert notice_view(written.html) == written.html  # kept: not laid out a second time
    assert written.html.stat().st_mtime_ns == laid_out


def test_a_redraft_never_shows_the_earlier_view(tmp_path):
    first, second = notices()["reminder"], notices()["supervision"]
    written = write_notice(first, tmp_path, "2026-10-B1", view=False)
    notice_view(written.html)
    write_notice(second, tmp_path, "2026-10-B1", view=False)
    assert not written.html.exists()  # the earlier view went with the earlier draft
    assert notice_view(written.html).read_text(encoding="utf-8") == render_html(second)
    # a view laid out from older data than the draft's (a reader racing a redraft) is redone
    os.utime(written.html, ns=(1, 1))
    write_notice(first, tmp_path, "2026-10-B1", view=False)
    written.html.write_text("stale", encoding="utf-8")
    os.utime(written.html, ns=(1, 1))
    assert notice_view(written.html).read_text(encoding="utf-8") == render_html(first)


def test_an_issued_document_has_its_view_and_no_data(tmp_path):
    written = write_notice(notices()["reminder"], tmp_path, "市直工委函-2026-10-B1")
    assert written.html.is_file() and not written.html.with_suffix(".json").exists()
    assert notice_view(written.html) == written.html
    assert notice_view(tmp_path / "none.html") is None


def test_the_package_is_a_valid_zip_with_the_body_deflated():
    for kind, notice in notices().items():
        package = zipfile.ZipFile(io.BytesIO(notice_docx(notice)))
        assert package.testzip() is None, kind
        assert package.namelist()[0] == "[Content_Types].xml"
        assert package.read("word/document.xml").decode("utf-8") == document_xml(notice)
        assert package.getinfo("word/document.xml").compress_type == zipfile.ZIP_DEFLATED
        assert notice_docx(notice) == notice_docx(notice)  # the same bytes every time
