"""Lay a Notice out as a Word document in the GB/T 9704-2012 format, writing WordprocessingML
directly from a fixed package skeleton (about a millisecond a notice, byte-for-byte
reproducible; ARCHITECTURE.md says why).

What the standard asks, and where it is done here:
- A4, type area 156 x 225 mm (margins 37/26/35/28 mm), 22 lines of 28 characters: `SECTION`'s
  page and `linesAndChars` grid; 仿宋 三号 body, 小标宋 二号 title, 黑体/楷体 headings.
- 文件格式 (§7.2): the red mark 35 mm below the type area's top, the number centred two lines
  under it, a red rule 4 mm under the number.
- 信函格式 (§10.1): the mark 30 mm from the page's top in the first page's header over a red
  double rule (thick over thin), 170 mm long; the number flush right under it; a red double
  rule (thin over thick) 20 mm above the page's foot; no page number on the first page; a
  版记 of 抄送 only, no rules and no 印发 line.
- §7.3.4-7.3.7: 附件说明 under the body; the signature centred over the date, the date four
  characters from the right, two lines left above them for the seal; the 附注 under the date;
  each attachment on pages of its own, "附件1" at the top left, its title on the third line.
- §7.3.1: the title's lines broken between words, balanced (titles.py), as explicit breaks.
- §7.3.5.5: the last body block, the 附件说明, the seal's lines, signature and date kept
  together (keepNext), so a page never carries the signature alone: body lines come with it.
- §7.4: the 版记 at the foot of the last page (a table in a text box anchored to the bottom
  of the type area: Word and LibreOffice both place it), its first and last rules thick
  (0.35 mm), the rule between them thin (0.25 mm).
- Attachment tables: columns as wide as their content needs (columns.py), rows that never
  split across pages, the header row repeated on each page.
- §7.5: page numbers "— 1 —" in 宋体 四号, odd pages one character from the right, even pages
  one character from the left.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from xml.sax.saxutils import escape

from dutyflow.core.atomic import replace_atomically
from dutyflow.documents.columns import column_widths, crowded
from dutyflow.documents.notice import AttachedPage, Block, Notice
from dutyflow.documents.package import Entry, entry, package

BODY_FONT, TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, NUMBER_FONT = (
    "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体")
BODY, TITLE, SMALL, TABLE, SMALL_TABLE = 32, 44, 28, 24, 21  # half-points: 三号 二号 四号 小四 五号
MARK_MAX = 72  # half-points: the mark is at most 36 pt, smaller when the name is long
LINE = 579  # twentieths of a point: 28.95 pt, 22 lines on the standard's type area
CHAR_SPACE = -849  # 4096ths of a point off 16 pt: a 15.79 pt pitch, 28 characters a line
PITCH = 314  # twips per body character (16 pt less SQUEEZE): indents count in these
SQUEEZE = -6  # twips of character spacing on body text: 15.7 pt a character, 28 a line
NO_SNAP = '<w:snapToGrid w:val="0"/>'
SMALL_CHAR = 280  # twips: one 四号 character (版记, page numbers)
TABLE_CHAR = 240  # twips: one 小四 character (tables)
RED = "C00000"
TYPE_WIDTH = 8844  # twips: 156 mm
WIDE_RULE = 397  # twips each side beyond the type area: the letter's 170 mm rules
DOCUMENT_MARK_SPACE = 1984  # twips: 35 mm from the type area's top to the 文件 mark
THICK, THIN = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm rules
_LATIN = re.compile(r"([0-9A-Za-z][0-9A-Za-z.,:%/\-]*)")  # kept in the odd pieces of a split
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARKUP = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
EMU = 635  # EMUs a twip
OFFICE = "application/vnd.openxmlformats-officedocument.wordprocessingml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# name in the package, content type, relationship type, relationship id
PARTS = (
    ("styles.xml", f"{OFFICE}.styles+xml", "styles", "rId1"),
    ("settings.xml", f"{OFFICE}.settings+xml", "settings", "rId2"),
    ("footer1.xml", f"{OFFICE}.footer+xml", "footer", "rIdOdd"),
    ("footer2.xml", f"{OFFICE}.footer+xml", "footer", "rIdEven"),
    ("header1.xml", f"{OFFICE}.header+xml", "header", "rIdLetterHead"),
    ("footer3.xml", f"{OFFICE}.footer+xml", "footer", "rIdLetterFoot"),
)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{OFFICE}.document.main+xml"/>'
    + "".join(f'<Override PartName="/word/{name}" ContentType="{kind}"/>'
              for name, kind, _, _ in PARTS)
    + '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')

PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>')

DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    + "".join(f'<Relationship Id="{rid}" Type="{REL}/{rel}" Target="{name}"/>'
              for name, _, rel, rid in PARTS)
    + "</Relationships>")

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii="{BODY_FONT}" w:eastAsia="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:cs="{BODY_FONT}"/>\
<w:sz w:val="{BODY}"/><w:szCs w:val="{BODY}"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/>\
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="0" \
w:line="{LINE}" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:rPr>\
<w:sz w:val="{BODY}"/><w:szCs w:val="{BODY}"/></w:rPr></w:style>\
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>\
</w:style></w:styles>"""

# odd and even pages number differently (§7.5)
SETTINGS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings xmlns:w="{W}">'
            '<w:evenAndOddHeaders/><w:defaultTabStop w:val="420"/></w:settings>')


def _page_number_footer(align: str, indent: str) -> str:
    dash = (f'<w:r><w:rPr><w:rFonts w:ascii="{NUMBER_FONT}" w:eastAsia="{NUMBER_FONT}" '
            f'w:hAnsi="{NUMBER_FONT}"/><w:sz w:val="{SMALL}"/></w:rPr>'
            '<w:t xml:space="preserve">{}</w:t></w:r>')
    number = (f'<w:r><w:rPr><w:rFonts w:ascii="{NUMBER_FONT}" w:hAnsi="{NUMBER_FONT}"/>'
              f'<w:sz w:val="{SMALL}"/></w:rPr>{{}}</w:r>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}">'
            f'<w:p><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:after="113" w:line="240" '
            f'w:lineRule="auto"/><w:ind {indent}/><w:jc w:val="{align}"/></w:pPr>'
            + dash.format("— ")
            + number.format('<w:fldChar w:fldCharType="begin"/>')
            + number.format('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
            + number.format('<w:fldChar w:fldCharType="separate"/>')
            + number.format("<w:t>1</w:t>")
            + number.format('<w:fldChar w:fldCharType="end"/>')
            + dash.format(" —") + "</w:p></w:ftr>")


ODD_FOOTER = _page_number_footer("right", f'w:right="{SMALL_CHAR}"')
EVEN_FOOTER = _page_number_footer("left", f'w:left="{SMALL_CHAR}"')


def _double_rule(side: str, style: str) -> str:
    return (f'<w:pBdr><w:{side} w:val="{style}" w:sz="24" w:space="1" w:color="{RED}"/>'
            f'</w:pBdr>')


def _letter_header(mark: str) -> str:
    """The letter's first-page header: the mark (30 mm from the top) over a red double rule."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr xmlns:w="{W}">'
            + _paragraph(mark, align="center", indent=False, font=TITLE_FONT,
                         size=_mark_size(mark, TYPE_WIDTH), color=RED,
                         line=None)
            + f'<w:p><w:pPr>{_double_rule("bottom", "thickThinSmallGap")}'
              f'<w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/>'
              f'<w:ind w:left="-{WIDE_RULE}" w:right="-{WIDE_RULE}"/></w:pPr></w:p></w:hdr>')


LETTER_FOOTER = (  # the letter's first page: a red double rule 20 mm above the foot, no number
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W}">'
    f'<w:p><w:pPr>{_double_rule("bottom", "thinThickSmallGap")}'
    f'<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
    f'<w:ind w:left="-{WIDE_RULE}" w:right="-{WIDE_RULE}"/></w:pPr></w:p></w:ftr>')


def _section(letter: bool) -> str:
    first = ('<w:headerReference w:type="first" r:id="rIdLetterHead"/>'
             '<w:footerReference w:type="first" r:id="rIdLetterFoot"/>') if letter else ""
    return (f'<w:sectPr>{first}<w:footerReference w:type="default" r:id="rIdOdd"/>'
            '<w:footerReference w:type="even" r:id="rIdEven"/>'
            '<w:pgSz w:w="11906" w:h="16838"/>'
            # a letter's header starts 30 mm from the top: the mark's place (§10.1)
            f'<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" '
            f'w:header="{1701 if letter else 851}" w:footer="1134" w:gutter="0"/>'
            f'{"<w:titlePg/>" if letter else ""}'
            f'<w:docGrid w:type="linesAndChars" w:linePitch="{LINE}" w:charSpace="{CHAR_SPACE}"/>'
            "</w:sectPr>")


def _text(value: str) -> str:
    if _MARKUP.search(value) is None:  # most text has nothing to escape or drop
        return value
    return escape(_ILLEGAL.sub("", value))


def display_width(text: str) -> float:
    """Width in body characters: CJK and full-width take one, ASCII (Arabic numerals) half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _mark_size(mark: str, width: int) -> int:
    """The mark's size in half-points: as large as the standard's 36 pt allows within `width`."""
    chars = max(display_width(mark), 1.0)
    # twips/20 = pt, pt*2 = half-points; 5% spare for a substituted font's wider glyphs
    return int(min(MARK_MAX, 0.95 * width / 10 / chars))


def _run(text: str, *, font: str = BODY_FONT, size: int = BODY, color: str | None = None) -> str:
    """A run; a line break in the text (a table cell's, a description's) breaks the line.
    Numbers, codes and Latin words are runs of their own in an English language tag, body
    text squeezed to 28 characters a line but not them: LibreOffice breaks a number in Chinese
    text anywhere (202/6年, 4/1/0项), one tagged English never."""
    runs = []
    for n, piece in enumerate(_LATIN.split(text)):
        if not piece:
            continue
        # the split keeps the Latin pieces at the odd places
        start = _run_start(font, size, color, n % 2 == 1)
        if "\n" in piece:
            lines = "</w:t><w:br/><w:t xml:space=\"preserve\">".join(
                _text(line) for line in piece.split("\n"))
        else:
            lines = _text(piece)
        runs.append(f'{start}{lines}</w:t></w:r>')
    return "".join(runs)


@functools.cache
def _run_start(font: str, size: int, color: str | None, latin: bool) -> str:
    """A run's opening and properties, up to its text: a handful of combinations, built once."""
    color_xml = f'<w:color w:val="{color}"/>' if color else ""
    squeeze = f'<w:spacing w:val="{SQUEEZE}"/>' if size == BODY and not latin else ""
    lang = '<w:lang w:val="en-US" w:eastAsia="en-US"/>' if latin else ""
    return (f'<w:r><w:rPr><w:rFonts w:ascii="{font}" w:eastAsia="{font}" '
            f'w:hAnsi="{font}"/>{color_xml}{squeeze}<w:sz w:val="{size}"/>'
            f'<w:szCs w:val="{size}"/>{lang}</w:rPr><w:t xml:space="preserve">')


def _paragraph(text: str, *, align: str = "both", indent: bool = True, font: str = BODY_FONT,
               size: int = BODY, color: str | None = None, border: str = "",
               line: int | None = LINE, ind: str = "", before: int = 0,
               page_break: bool = False, keep_next: bool = False) -> str:
    spacing = (f'<w:spacing w:before="{before}" w:line="{line}" w:lineRule="exact"/>' if line
               else f'<w:spacing w:before="{before}" w:line="240" w:lineRule="auto"/>')
    if indent and not ind:
        ind = f'w:firstLineChars="200" w:firstLine="{2 * PITCH}"'
    # Lines keep the grid's pitch by exact spacing, characters the grid's 28 a line by
    # SQUEEZE: LibreOffice gives a character snapped to a grid of CJK fallback fonts one or two
    # cells at random, so text is not snapped; the section still declares the 22 x 28 grid.
    props = (("<w:keepNext/>" if keep_next else "") + ("<w:pageBreakBefore/>" if page_break
             else "") + border + NO_SNAP)
    return (f'<w:p><w:pPr>{props}{spacing}{f"<w:ind {ind}/>" if ind else ""}'
            f'<w:jc w:val="{align}"/></w:pPr>'
            f'{_run(text, font=font, size=size, color=color) if text else ""}</w:p>')


def _blank(count: int = 1) -> str:
    return "".join(_paragraph("") for _ in range(count))


def _table(rows: tuple[tuple[str, ...], ...], *, keep_next: bool = False) -> str:
    """A table whose columns are as wide as their content needs (codes and dates never
    break), whose rows never split across pages and whose header row repeats on each page;
    `keep_next` keeps its last row on the page of what follows."""
    columns = max(len(r) for r in rows)
    # 小四, or 五号 when codes and dates would leave the prose columns too narrow
    size = TABLE if not crowded(rows, TYPE_WIDTH / TABLE_CHAR) else SMALL_TABLE
    share = column_widths(rows, TYPE_WIDTH / (size * 10))
    widths = [int(w * size * 10) for w in share]
    widths[-1] += TYPE_WIDTH - sum(widths)
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = []
    for r, row in enumerate(rows):
        cells = []
        # a row with blanks is a form to fill in: leave room to write
        height = '<w:trHeight w:val="680"/>' if r and any(not c.strip() for c in row) else ""
        header = "<w:tblHeader/>" if r == 0 else ""
        keep = "<w:keepNext/>" if r == 0 or (keep_next and r == len(rows) - 1) else ""
        for c in range(columns):
            text = row[c] if c < len(row) else ""
            font = HEADING_FONT if r == 0 else BODY_FONT
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/>'
                         f'<w:vAlign w:val="center"/></w:tcPr>'
                         f'<w:p><w:pPr>{keep}<w:snapToGrid w:val="0"/>'
                         f'<w:spacing w:line="360" w:lineRule="auto"/>'
                         f'<w:jc w:val="{"center" if r == 0 else "left"}"/></w:pPr>'
                         f'{_run(text, font=font, size=size) if text else ""}</w:p></w:tc>')
        body.append(f"<w:tr><w:trPr><w:cantSplit/>{height}{header}</w:trPr>{''.join(cells)}</w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{TYPE_WIDTH}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
            f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            f"{''.join(body)}</w:tbl>")


def _blocks(blocks: tuple[Block, ...], *, keep_last: bool = False) -> list[str]:
    """The blocks; `keep_last` keeps the last (its last lines, a table its last row) on the
    page of what follows: the signature never stands on a page alone (§7.3.5.5)."""
    parts = []
    for n, block in enumerate(blocks):
        keep = keep_last and n == len(blocks) - 1
        if block.kind == "heading":
            parts.append(_paragraph(block.text, font=HEADING_FONT, keep_next=True))
        elif block.kind == "subheading":
            parts.append(_paragraph(block.text, font=SUBHEADING_FONT, keep_next=True))
        elif block.kind == "table":
            parts.append(_table(block.rows, keep_next=keep))
        else:
            parts.append(_paragraph(block.text, keep_next=keep))
    return parts


def _attachment_note(notice: Notice) -> list[str]:
    """附件说明 (§7.3.4): under the body, two characters in; later names align with the first;
    kept with the signature that follows."""
    lines = notice.attachment_note
    if not lines:
        return []
    first = lines[0] if lines[0].startswith("附件：") else f"附件：{lines[0]}"
    parts = [_paragraph("", keep_next=True), _paragraph(first, align="left", keep_next=True)]
    parts += [_paragraph(line, align="left", indent=False, ind=f'w:left="{5 * PITCH}"',
                         keep_next=True)
              for line in lines[1:]]
    return parts


def _signature(notice: Notice) -> list[str]:
    """§7.3.5.1: the date four characters from the right, the signature centred over it, two
    lines above them for the seal, which covers both."""
    date_width = display_width(notice.date_text)
    offset = 4 + (date_width - display_width(notice.signature)) / 2
    signature_right = max(0, round(offset * PITCH))
    # kept with each other and the 附注, so a page never holds the signature alone (§7.3.5.5)
    blank = _paragraph("", keep_next=True)
    return [
        blank, blank,
        _paragraph(notice.signature, align="right", indent=False, keep_next=True,
                   ind=f'w:right="{signature_right}"'),
        _paragraph(notice.date_text, align="right", indent=False, keep_next=bool(notice.annotation),
                   ind=f'w:right="{4 * PITCH}"'),
    ]


def _attachment_pages(pages: tuple[AttachedPage, ...]) -> list[str]:
    """§7.3.7: each attachment on a new page, its label top left in 黑体, title on line three."""
    parts = []
    for page in pages:
        parts.append(_paragraph(page.label, align="left", indent=False, font=HEADING_FONT,
                                page_break=True))
        parts.append(_blank())
        parts.append(_paragraph("\n".join(page.title_lines or (page.title,)), align="center",
                                indent=False, font=TITLE_FONT, size=TITLE, line=None))
        parts.append(_blank())
        parts.extend(_blocks(page.blocks))
    return parts


def _imprint_table(notice: Notice) -> tuple[str, int]:
    """The 版记's lines as a one-column table (抄送 over the 印发 line; in a 文件 the first and
    last rules thick, the one between thin; a letter's without rules, §10.1) and its height
    in twips."""
    ruled = bool(notice.printed_by)
    rows: list[tuple[list[str], int, int]] = []
    if notice.copy_to:
        rows.append(([f"抄送：{notice.copy_to}。"], THICK, THIN if notice.printed_by else THICK))
    if notice.printed_by:
        rows.append(([notice.printed_by, f"{notice.date_text}印发"],
                     THIN if notice.copy_to else THICK, THICK))
    edge = '<w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>'
    trs, lines = [], 0
    for parts, top, bottom in rows:
        label = 3 if parts[0].startswith("抄送：") else 0  # later lines align after 抄送：
        per_line = (TYPE_WIDTH - (2 + label) * SMALL_CHAR) // SMALL_CHAR
        lines += max(1, math.ceil((display_width(parts[0]) - label) / per_line))
        borders = (edge.format(side="top", size=top) + edge.format(side="bottom", size=bottom)
                   if ruled else '<w:top w:val="nil"/><w:bottom w:val="nil"/>')
        tabs = (f'<w:tabs><w:tab w:val="right" w:pos="{TYPE_WIDTH - 2 * SMALL_CHAR}"/></w:tabs>'
                if len(parts) > 1 else "")
        runs = _run(parts[0], size=SMALL) + "".join(
            "<w:r><w:tab/></w:r>" + _run(part, size=SMALL) for part in parts[1:])
        trs.append(
            f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr>'
            f'<w:tcW w:w="{TYPE_WIDTH}" w:type="dxa"/><w:tcBorders>{borders}'
            '<w:left w:val="nil"/><w:right w:val="nil"/></w:tcBorders></w:tcPr>'
            f'<w:p><w:pPr>{NO_SNAP}{tabs}<w:spacing w:before="40" w:after="40" w:line="240" '
            f'w:lineRule="auto"/><w:ind w:left="{SMALL_CHAR * (1 + label)}" '
            f'w:right="{SMALL_CHAR}" w:hanging="{SMALL_CHAR * label}"/><w:jc w:val="left"/>'
            f"</w:pPr>{runs}</w:p></w:tc></w:tr>")
    table = (f'<w:tbl><w:tblPr><w:tblW w:w="{TYPE_WIDTH}" w:type="dxa"/><w:jc w:val="center"/>'
             '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
             '<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
             f'<w:tblGrid><w:gridCol w:w="{TYPE_WIDTH}"/></w:tblGrid>{"".join(trs)}</w:tbl>')
    # a 四号 line at single spacing is about 18 pt (360 twips), plus each row's 2 pt margins
    return table, lines * 360 + len(rows) * 80 + 40


def _imprint(notice: Notice) -> str:
    """The 版记 (§7.4) at the foot of the last page: its table in a text box anchored to the
    bottom of the type area, text kept above it. Word and LibreOffice both place an anchored
    box (LibreOffice ignores a paragraph frame's bottom alignment and a floating table's)."""
    if not notice.copy_to and not notice.printed_by:
        return ""
    table, height = _imprint_table(notice)
    cx, cy = TYPE_WIDTH * EMU, height * EMU
    return (
        f'<w:p><w:pPr>{NO_SNAP}<w:spacing w:line="20" w:lineRule="exact"/></w:pPr><w:r><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        'relativeHeight="251659264" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="0">'
        '<wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
        '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:wrapTopAndBottom/><wp:docPr id="1" name="版记"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln>'
        f'</wps:spPr><wps:txbx><w:txbxContent>{table}<w:p><w:pPr><w:spacing w:line="20" '
        'w:lineRule="exact"/></w:pPr></w:p></w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" '
        'anchor="b" anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData>'
        "</a:graphic></wp:anchor></w:drawing></w:r></w:p>")


def _head(notice: Notice) -> list[str]:
    """The 版头: by format (a plain form has none)."""
    if notice.format == "letter":  # the mark and its rule are in the first page's header
        return [_paragraph(notice.doc_number, align="right", indent=False), _blank()]
    if notice.format == "document":
        return [
            _paragraph(notice.mark, align="center", indent=False, font=TITLE_FONT,
                       size=_mark_size(notice.mark, TYPE_WIDTH), color=RED, line=None,
                       before=DOCUMENT_MARK_SPACE if not notice.is_draft else
                       DOCUMENT_MARK_SPACE - LINE),
            _blank(2),
            # the red rule 4 mm under the number (a paragraph border, 11 pt below its text)
            _paragraph(notice.doc_number, align="center", indent=False, border=(
                f'<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="11" w:color="{RED}"/>'
                "</w:pBdr>")),
            _blank(2),
        ]
    return []


def document_xml(notice: Notice) -> str:
    parts = []
    if notice.is_draft:
        banner = f"【草稿（未编号、未印发）· {notice.document_id}】"
        if notice.missing:
            banner += f"缺：{'、'.join(notice.missing)}"
        parts.append(_paragraph(banner, align="center", indent=False, size=SMALL, color=RED))
    parts.extend(_head(notice))
    # §7.3.1: the lines broken at word boundaries, balanced (documents/titles.py)
    parts.append(_paragraph("\n".join(notice.title_lines or (notice.title,)), align="center",
                            indent=False, font=TITLE_FONT, size=TITLE, line=None))
    parts.append(_blank())
    parts.append(_paragraph(notice.recipient, align="left", indent=False))
    parts.extend(_blocks(notice.blocks, keep_last=True))
    parts.extend(_attachment_note(notice))
    parts.extend(_signature(notice))
    if notice.annotation:  # §7.3.6: two characters in, the line under the date
        parts.append(_paragraph(notice.annotation, align="left"))
    parts.extend(_attachment_pages(notice.attachments))
    # the 版记's anchor ends the document (a tiny paragraph when there is none)
    parts.append(_imprint(notice) or '<w:p><w:pPr><w:spacing w:line="20" '
                 'w:lineRule="exact"/></w:pPr></w:p>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}" xmlns:r="{R}" {DRAWING}><w:body>{"".join(parts)}'
            f"{_section(notice.is_letter)}</w:body></w:document>")


def core_xml(notice: Notice) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{_text(notice.title)}</dc:title>"
            f"<dc:subject>{_text(notice.document_id)}</dc:subject>"
            f"<dc:creator>{_text(notice.signature)}</dc:creator></cp:coreProperties>")


@functools.cache
def _fixed_entries() -> tuple[Entry, ...]:
    """The parts every document has as they are, laid out once per process."""
    return (entry("[Content_Types].xml", CONTENT_TYPES), entry("_rels/.rels", PACKAGE_RELS),
            entry("word/_rels/document.xml.rels", DOCUMENT_RELS), entry("word/styles.xml", STYLES),
            entry("word/settings.xml", SETTINGS), entry("word/footer1.xml", ODD_FOOTER),
            entry("word/footer2.xml", EVEN_FOOTER), entry("word/footer3.xml", LETTER_FOOTER))


@functools.lru_cache(maxsize=16)
def _letter_header_entry(mark: str) -> Entry:
    return entry("word/header1.xml", _letter_header(mark))


def notice_docx(notice: Notice) -> bytes:
    """The notice as .docx bytes (the same notice always gives the same bytes). Only the body
    is deflated: a compressor costs more to set up than the few hundred bytes of each fixed
    part save; level 1, since level 6 took three times as long for a fifth fewer bytes."""
    return package((*_fixed_entries(),
                    entry("word/document.xml", document_xml(notice), deflate=True),
                    _letter_header_entry(notice.mark),
                    entry("docProps/core.xml", core_xml(notice))))


def write_docx(notice: Notice, path: Path) -> bytes:
    data = notice_docx(notice)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, data)
    return data
