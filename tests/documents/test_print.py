"""Every kind of notice printed by LibreOffice and read back page by page, as a person checks a
document against GB/T 9704 before it is sealed: the fonts the standard names (printed in their
free stand-ins, never a sans-serif), no page carrying only the signature and date, the 版记 at
the foot of the last page, titles broken between words, attachment tables that keep their rows
and columns whatever the text in them."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from docx import Document
from markupsafe import escape

from dutyflow.core.periods import Period
from dutyflow.documents import fonts
from dutyflow.documents.docx import notice_docx
from dutyflow.documents.notice import Notice, build_chase, build_notice, render_html
from dutyflow.documents.pdf import print_pdfs
from dutyflow.documents.titles import word_boundaries
from tests.documents.printed import (
    fonts as embedded_fonts,
)
from tests.documents.printed import (
    has_ink,
    is_signature_only,
    needs_office,
    page_count,
    page_lines,
    pages,
    render_png,
    words,
)
from tests.documents.test_notices import ISSUED_ON, KINDS, PARENT, issued, org, real_actions
from tests.rules.helpers import branch, judge, monthly_duties

OCT = Period.parse("2026-10")
STANDARD_FONTS = {"FandolFang", "FandolSong", "FandolHei"}  # 仿宋 body, 小标宋/宋体, 黑体


def chase_notice() -> Notice:
    """A 催办 of the supervision letter, as the next cycle drafts it once its answer is late."""
    action = real_actions()["supervision"]
    letter = SimpleNamespace(**vars(action), issued_on=date(2026, 11, 2),
                             document_number="市直工委函〔2026〕3号")
    return build_chase(subject="chase-1", chased=[(letter, date(2026, 11, 16))], org=org(),
                       parent=PARENT, working_days=5, warns_of="talk", on=ISSUED_ON,
                       doc_number="市直工委函〔2026〕9号")


def names_of(notice: Notice) -> tuple[str, ...]:
    return (org().org_name, PARENT.org_name, org().secretary, PARENT.secretary)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Notice, Path]]:
    """Each measure's notice and a 催办, printed to PDF in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("printed")
    notices = {kind: issued(kind)[1] for kind in KINDS}
    notices["chase"] = chase_notice()
    for kind, notice in notices.items():
        (folder / f"{kind}.docx").write_bytes(notice_docx(notice))
    assert len(print_pdfs(sorted(folder.glob("*.docx")))) == len(notices)
    return {kind: (notice, folder / f"{kind}.pdf") for kind, notice in notices.items()}


def test_the_font_aliases_name_the_standards_fonts_and_their_free_stand_ins():
    mapping = fonts.substitutes()
    assert mapping["仿宋_GB2312"].family == mapping["仿宋"].family == "FandolFang"
    assert mapping["方正小标宋简体"].family == "FandolSong" and mapping["方正小标宋简体"].bold
    assert mapping["黑体"].family == "FandolHei"
    assert mapping["楷体_GB2312"].family == mapping["楷体"].family == "FandolKai"
    # the .docx keeps the standard's names: Word on an office PC uses the office's own fonts
    styles = notice_docx(issued("talk")[1])
    assert "仿宋_GB2312".encode() in styles and b"Fandol" not in styles


@needs_office
@pytest.mark.parametrize("kind", [*KINDS, "chase"])
def test_every_kind_prints_in_the_standards_fonts_never_in_a_sans(printed, kind):
    if not fonts.installed():
        pytest.skip("the Fandol fonts are not installed (apt-get install texlive-lang-chinese)")
    _, pdf = printed[kind]
    embedded = embedded_fonts(pdf)
    assert {f"{family}-Regular" for family in STANDARD_FONTS} <= embedded, embedded
    assert "FandolSong-Bold" in embedded  # the title's 小标宋
    assert not any("Noto" in name or "Sans" in name or "DejaVu" in name for name in embedded)


@needs_office
@pytest.mark.parametrize("kind", [*KINDS, "chase"])
def test_no_page_carries_only_the_signature_and_date(printed, kind):
    notice, pdf = printed[kind]
    body_pages = pages(pdf)[:len(pages(pdf)) - len(notice.attachments)]
    for number, lines in enumerate(body_pages, start=1):
        assert not is_signature_only(lines, notice), (kind, number, lines)
    # the signature's page carries body text above it
    [signed] = [lines for lines in body_pages if notice.date_text in lines]
    assert signed.index(notice.date_text) >= 3, (kind, signed)


@needs_office
@pytest.mark.parametrize("kind", [k for k in [*KINDS, "chase"] if k != "return_for_correction"])
def test_the_imprint_is_on_the_last_page_below_everything_else(printed, kind):
    notice, pdf = printed[kind]
    last = page_count(pdf)
    placed = words(pdf, last)
    copy_to = [w for w in placed if w.text.startswith("抄送")]
    assert copy_to, (kind, [w.text for w in placed])
    imprint_top = copy_to[0].top
    above = [w for w in placed if w.bottom <= imprint_top]
    assert above, kind  # the page's text stands above the 版记
    imprint = f"抄送：{notice.copy_to}。{notice.printed_by}{notice.date_text}印发"
    below = [w.text for w in placed if w.top > imprint_top + 2 and not w.text.startswith("—")
             and not w.text.isdigit() and w.text not in imprint]
    assert not below, (kind, below)  # nothing under it but its own lines and the page number
    # at the foot: the 版记's top in the lowest fifth of the page (A4: 842 pt)
    assert imprint_top > 842 * 0.7, (kind, imprint_top)
    for page in range(1, last):
        assert not any(line.startswith("抄送") for line in page_lines(pdf, page)), (kind, page)


@pytest.mark.parametrize("kind", [*KINDS, "chase"])
def test_each_title_line_ends_on_a_word_boundary(kind):
    notice = chase_notice() if kind == "chase" else issued(kind)[1]
    lines = notice.title_lines
    assert "".join(lines) == notice.title
    breaks = word_boundaries(notice.title, names_of(notice))
    at = 0
    for line in lines[:-1]:
        at += len(line)
        assert at in breaks, (kind, lines)
    # balanced: no line less than half as long as the longest, dates whole
    assert min(map(len, lines)) * 2 >= max(map(len, lines)), lines
    assert not any(line.endswith(("202", "的")) for line in lines[:-1]), lines


@needs_office
@pytest.mark.parametrize("kind", [*KINDS, "chase"])
def test_the_title_prints_on_the_lines_it_was_broken_into(printed, kind):
    notice, pdf = printed[kind]
    first = page_lines(pdf, 1)
    for line in notice.title_lines:
        assert line in first, (kind, line, first[:8])


def test_a_date_or_a_number_in_a_title_is_never_split():
    from dutyflow.documents.titles import title_lines

    title = "关于中共市教育局第一党支部2026年10月整改台账逾期未完成事项的督办函"
    for width in (12.0, 14.0, 16.0, 20.0):
        lines = title_lines(title, (), width)
        assert any("2026年10月" in line for line in lines), lines
        assert all(len(line) <= width + 4 for line in lines)


@pytest.mark.parametrize("secretary", ["邓玉宇", "王秀英"])
def test_a_persons_name_in_a_title_is_never_split(secretary):
    """The segmenter cuts many a name (邓|玉宇, 王|秀英), and a short organization's talk
    notice would break its title there: the secretary is kept whole on one line, as the
    organization is."""
    notice = build_notice(action=real_actions()["talk"], org=org("中共二矿党委", secretary),
                          parent=PARENT, on=ISSUED_ON, doc_number="市直工委函〔2026〕7号")
    assert len(notice.title_lines) > 1 and "".join(notice.title_lines) == notice.title
    assert any(secretary in line for line in notice.title_lines), notice.title_lines


def overdue_items(count: int, description: str = "党费收缴台账不完整") -> list[dict]:
    return [{"item_id": f"ZG-DW0006-ZB03-{n:02d}", "org_code": "B1", "description": description,
             "deadline": OCT.last_day - timedelta(days=10), "status": "open",
             "completed_on": None, "extended_to": None, "source": "巡察", "responsible": "王五"}
            for n in range(1, count + 1)]


def supervision_of(items: list[dict]) -> Notice:
    [case] = judge("2026-10", orgs=[branch("B1")], meetings=monthly_duties("B1", OCT),
                   rectifications=items)[1]
    assert case.measure == "supervision"
    action = SimpleNamespace(id=case.id, period=case.period, org_code=case.org_code,
                             measure=case.measure, evidence=list(case.evidence),
                             proposal=case.proposal)
    return build_notice(action=action, org=org(), parent=PARENT, on=ISSUED_ON,
                        doc_number="市直工委函〔2026〕7号")


FREE_TEXT = ("台账“三会一课”记录|缺页\n" + "党员大会记录不全，" * 31 + "见附件|第2页'原件'")


def test_free_text_with_bars_quotes_and_line_breaks_stays_in_its_cell():
    assert len(FREE_TEXT) >= 300
    notice = supervision_of(overdue_items(2, FREE_TEXT))
    tables = [b for b in notice.blocks if b.kind == "table"]
    [table] = tables
    header, *rows = table.rows
    assert all(len(row) == len(header) for row in rows)
    assert rows[0][header.index("问题描述")] == FREE_TEXT  # whole, its bar and break kept
    paragraphs = [b.text for b in notice.blocks if b.kind != "table"]
    assert not any("缺页" in text for text in paragraphs)  # nothing spilled out of the table
    doc = Document(io.BytesIO(notice_docx(notice)))
    cell = doc.tables[0].rows[1].cells[[c.text for c in doc.tables[0].rows[0].cells]
                                        .index("问题描述")]
    assert cell.text == FREE_TEXT  # the line break a real one in Word (python-docx reads \n)
    html = render_html(notice)
    assert f"<td>{escape(FREE_TEXT)}</td>" in html  # shown with its line break (pre-line)
    assert html.count("<tr") == sum(len(b.rows) for p in [notice, *notice.attachments]
                                    for b in p.blocks if b.kind == "table")


@needs_office
def test_a_sixty_row_table_breaks_between_rows_with_its_header_repeated(tmp_path):
    notice = supervision_of(overdue_items(60))
    path = tmp_path / "sixty.docx"
    path.write_bytes(notice_docx(notice))
    [pdf] = print_pdfs([path])
    sections: list[list[tuple[int, list[str]]]] = [[]]  # the body, then each attachment
    for number, lines in enumerate(pages(pdf), start=1):
        if lines and lines[0].startswith("附件"):
            sections.append([])
        sections[-1].append((number, lines))
    tables = [s for s in sections if any(line.startswith("ZG-DW0006-ZB03-")
                                         for _, lines in s for line in lines)]
    assert len(tables) == 2  # the body's table of overdue items, the 整改情况反馈表
    for section in tables:
        holding = [(n, lines) for n, lines in section
                   if any(line.startswith("ZG-DW0006-ZB03-") for line in lines)]
        assert len(holding) >= 3, "the 60 rows run over several pages"
        seen: dict[str, int] = {}
        for number, lines in holding:
            # the header row (序号, 问题...) above the page's first row
            first_row = next(i for i, line in enumerate(lines)
                             if line.startswith("ZG-DW0006-ZB03-"))
            header = next(i for i, line in enumerate(lines) if line.startswith("序"))
            assert header < first_row and "问题" in "".join(lines[header:first_row]), number
            for line in lines:
                if line.startswith("ZG-DW0006-ZB03-"):
                    code = line[:len("ZG-DW0006-ZB03-00")]
                    assert code not in seen, f"{code} on pages {seen[code]} and {number}"
                    seen[code] = number
        assert len(seen) == 60  # every code whole on one line: the column is wide enough
    # the body's rows whole on their page: each 逾期天数 ("10天") on the page of its code
    for number, lines in tables[0]:
        codes = sum(line.startswith("ZG-DW0006-ZB03-") for line in lines)
        assert "".join(lines).count("10天") >= codes, number


@needs_office
def test_one_page_of_each_kind_renders_to_an_image(printed, tmp_path):
    for kind, (_, pdf) in printed.items():
        png = render_png(pdf, page_count(pdf), tmp_path / f"{kind}.png")
        assert has_ink(png), kind
