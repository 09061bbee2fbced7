"""Read a printed PDF back as a person checks it against GB/T 9704: page by page (pdftotext),
the fonts it embeds (pdffonts), where words sit on the page (pdftotext -bbox), a page as an
image (pdftoppm)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from dutyflow.documents.notice import Notice

needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are not installed (.ci/run installs them)")
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def page_count(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))


def page_lines(pdf: Path, page: int) -> list[str]:
    """A page's text lines, spaces removed (pdftotext spaces out CJK and digits)."""
    text = _run("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-")
    return [line.replace(" ", "") for line in text.splitlines() if line.strip()]


def pages(pdf: Path) -> list[list[str]]:
    return [page_lines(pdf, n) for n in range(1, page_count(pdf) + 1)]


def fonts(pdf: Path) -> set[str]:
    """The embedded fonts' names, subset prefixes (ABCDEF+) removed."""
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    return {row.split()[0].split("+")[-1] for row in rows if row.strip()}


@dataclass(frozen=True)
class Word:
    text: str
    top: float
    bottom: float


def words(pdf: Path, page: int) -> list[Word]:
    """The words of a page with their vertical place (points from the top)."""
    out = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    return [Word(html.unescape(m.group(3)), float(m.group(1)), float(m.group(2)))
            for m in re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                 r'yMax="([\d.]+)">([^<]*)</word>', out)]


def closing_lines(notice: Notice) -> set[str]:
    """What may stand under the body without being body text: the 附件说明, the signature,
    the date, the 附注 and the 版记."""
    lines = {notice.signature, notice.date_text, notice.annotation,
             f"抄送：{notice.copy_to}。", notice.printed_by, f"{notice.date_text}印发",
             f"{notice.printed_by}{notice.date_text}印发", *notice.attachment_note}
    lines |= {f"附件：{line}" for line in notice.attachment_note}
    return {line.replace(" ", "") for line in lines if line}


def is_signature_only(lines: list[str], notice: Notice) -> bool:
    """A page whose text is only signature, date, contact line (and 附件说明, 版记, number)."""
    closing = closing_lines(notice)
    joined = "".join(line for line in lines if not PAGE_NUMBER.match(line))
    for known in sorted(closing, key=len, reverse=True):
        joined = joined.replace(known, "")
    return bool(lines) and not joined.strip()


def render_png(pdf: Path, page: int, out: Path) -> Path:
    """One page as a PNG (to look at; the test run keeps it under its tmp folder)."""
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-f", str(page), "-l", str(page), "-png",
                    "-singlefile", str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def has_ink(png: Path) -> bool:
    from PIL import Image

    with Image.open(png) as image:
        lowest, _ = image.convert("L").getextrema()
    return lowest < 128
