"""Write notices to disk: drafts for review, and numbered final documents (never rewritten)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dutyflow.core.atomic import replace_atomically
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import DocumentFormat
from dutyflow.documents.docx import write_docx
from dutyflow.documents.history import History
from dutyflow.documents.notice import Notice, build_notice, render_html
from dutyflow.documents.stored_notice import notice_data, notice_from_data

_UNSAFE = re.compile(r"[^\w\-.]+")


@dataclass(frozen=True)
class Written:
    docx: Path
    html: Path
    sha256: str


def safe_name(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_") or "document"


def document_number(prefix: str, year: int, number: int) -> str:
    """`市直工委〔2026〕12号`: the series' prefix, year in hexagonal brackets, number."""
    return f"{prefix}〔{year}〕{number}号"


def series_prefix(format: DocumentFormat) -> str:
    """Each format numbers in its own series: letters `市直工委函〔…〕`, 文件 `市直工委〔…〕`."""
    office = settings.office
    return office.letter_prefix if format == DocumentFormat.LETTER else office.issuer_prefix


def write_notice(notice: Notice, folder: Path, stem: str, *, view: bool = True) -> Written:
    """The notice's .docx and its HTML view. A draft (`view` False) gets its content as data
    beside the .docx instead of the view, which `notice_view` lays out when first asked: a
    cycle drafts thousands of notices and a reviewer reads some of them (ARCHITECTURE.md)."""
    folder.mkdir(parents=True, exist_ok=True)
    docx_path, html_path = folder / f"{stem}.docx", folder / f"{stem}.html"
    if view:
        replace_atomically(html_path, render_html(notice).encode("utf-8"))
    else:
        html_path.unlink(missing_ok=True)  # an earlier draft's view
        replace_atomically(html_path.with_suffix(".json"), notice_data(notice))
    data = write_docx(notice, docx_path)
    return Written(docx_path.resolve(), html_path.resolve(), hashlib.sha256(data).hexdigest())


def notice_view(html: Path) -> Path | None:
    """The HTML view at `html`: an issued document's was written with it; a draft's is laid
    out from the data beside it when first asked, and again whenever the draft changed."""
    data = html.with_suffix(".json")
    try:
        drafted = data.stat().st_mtime_ns
    except FileNotFoundError:
        return html if html.is_file() else None
    try:
        if html.stat().st_mtime_ns >= drafted:
            return html
    except FileNotFoundError:
        pass
    try:
        notice = notice_from_data(data.read_bytes())
    except FileNotFoundError:  # redrafted meanwhile: its new view is laid out next time
        return html if html.is_file() else None
    replace_atomically(html, render_html(notice).encode("utf-8"))
    return html


def drafts_folder(period: str, output_dir: Path | None = None) -> Path:
    """Where a period's drafts go: rewritten whenever the case changes."""
    return Path(output_dir or settings.output_dir) / period / "drafts"


def issued_folder(period: str) -> Path:
    """Where a period's issued documents go: never rewritten."""
    return Path(settings.output_dir) / period / "issued"


def write_draft(*, action: Any, org: Any, parent: Any | None, on: date, talk_slot: int = 0,
                output_dir: Path | None = None, history: History | None = None) -> Written:
    notice = build_notice(action=action, org=org, parent=parent, on=on, talk_slot=talk_slot,
                          history=history)
    return write_notice(notice, drafts_folder(action.period, output_dir), safe_name(action.id),
                        view=False)


class NotIssuable(DutyflowError):
    """A document that names no one to send it to: it stays approved until the data is fixed."""


def final_notice(*, action: Any, org: Any, parent: Any | None, on: date, doc_number: str,
                 talk_slot: int = 0, extra: dict[str, Any] | None = None,
                 history: History | None = None) -> Notice:
    notice = build_notice(action=action, org=org, parent=parent, on=on, doc_number=doc_number,
                          talk_slot=talk_slot, extra=extra, history=history)
    refuse_unaddressed(action.id, notice.missing)
    return notice


def refuse_unaddressed(subject: str, missing: tuple[str, ...]) -> None:
    if missing:
        raise NotIssuable(f"{subject}：文书缺少{'、'.join(missing)}，无法印发；补齐后再次印发即可")


def write_final(notice: Notice, period: str) -> Written:
    """An issued document, under its number; never rewritten."""
    stem = f"{notice.doc_number}-{notice.document_id}" if notice.doc_number else notice.document_id
    return write_notice(notice, issued_folder(period), safe_name(stem))
