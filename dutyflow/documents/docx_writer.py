"""Lay a Notice out as a Word document in the GB/T 9704-2012 format (A4; 仿宋 body, 小标宋 title)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dutyflow.documents.notice import Notice

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
BODY_SIZE, TITLE_SIZE, MARK_SIZE, COPY_SIZE = Pt(16), Pt(22), Pt(36), Pt(14)  # 三号 二号 初号 四号
LINE = Pt(28.95)  # 22 lines a page on the standard's type area
RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, name: str, size: Pt, color: RGBColor | None = None, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    # East Asian text uses the eastAsia font slot; without it Word falls back to a default.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE,
               align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True,
               color: RGBColor | None = None):
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    _font(paragraph.add_run(text), font, size, color)
    return paragraph


def notice_docx(notice: Notice) -> bytes:
    """The notice as .docx bytes."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    core = doc.core_properties
    core.title, core.author, core.subject = notice.title, notice.signature, notice.action_id
    if notice.is_draft:
        _paragraph(doc, f"【草稿 · 待审核 · {notice.action_id}】", align=WD_ALIGN_PARAGRAPH.CENTER,
                   indent=False, color=RED, size=COPY_SIZE)
    _paragraph(doc, notice.issuer_mark, font=TITLE_FONT, size=MARK_SIZE,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED)
    _paragraph(doc, notice.doc_number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "─" * 24, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, color=RED)
    _paragraph(doc, notice.title, font=TITLE_FONT, size=TITLE_SIZE,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, notice.recipient, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    for block in notice.blocks:
        if block.kind == "heading":
            _paragraph(doc, block.text, font=HEADING_FONT)
        elif block.kind == "table":
            table = doc.add_table(rows=len(block.rows), cols=max(len(r) for r in block.rows))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    target = table.cell(r, c).paragraphs[0]
                    _font(target.add_run(cell), HEADING_FONT if r == 0 else BODY_FONT, Pt(12))
        else:
            _paragraph(doc, block.text)
    _paragraph(doc, "")
    _paragraph(doc, notice.signature, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(doc, notice.date_text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    if notice.copy_to:
        _paragraph(doc, "")
        _paragraph(doc, f"抄送：{notice.copy_to}。", size=COPY_SIZE, indent=False,
                   align=WD_ALIGN_PARAGRAPH.LEFT)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_docx(notice: Notice, path: Path) -> bytes:
    data = notice_docx(notice)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".docx.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a reader never sees half a document
    return data
