"""Column widths of a table from its content, as a browser lays out an automatic table: each
column at least as wide as its longest unbreakable piece (a 问题编号 such as ZG-DW0006-ZB03-01,
a date, a number with its unit), the room left shared out by how much more each column holds.

Widths are in character widths (a CJK character is one, an ASCII character half); the writers
turn them into twips or percentages."""

from __future__ import annotations

import functools
import math
import re

# what must not break: runs of Latin letters, digits and their punctuation; dates; numbers
# with their unit (45天, 80%, 3项)
UNBREAKABLE = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|[0-9A-Za-z][0-9A-Za-z\-_./:%.,]*[天项次个分%]?")
HEADER_LINES = 2  # a header may take two lines, never more
PADDING = 1.5  # cell margins (0.9 of a 小四 character) and room for rounding
FILL_IN = 8.0  # a column left blank to be filled in by hand: room to write


@functools.lru_cache(maxsize=65536)
def width(text: str) -> float:
    """Width in characters: CJK and full-width one, ASCII half, capitals and % three quarters
    (as the proportional Latin of the free 仿宋 prints them; 仿宋_GB2312's are narrower), and
    a quarter more where Latin meets CJK (the renderers space them apart)."""
    wide = [ord(c) >= 0x2E80 for c in text]
    meets = sum(a != b for a, b in zip(wide, wide[1:], strict=False))
    return 0.25 * meets + sum(0.75 if (c.isupper() and c.isascii()) or c in "%@&" else
                              0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _longest_piece(text: str) -> float:
    pieces = [width(m.group()) for m in UNBREAKABLE.finditer(text)]
    return max([*pieces, 1.0 if text else 0.0])


@functools.lru_cache(maxsize=1024)
def _bounds(rows: tuple[tuple[str, ...], ...]) -> tuple[list[float], list[float]]:
    """Each column's least width (its longest unbreakable piece) and most (its longest line)."""
    columns = max((len(r) for r in rows), default=1)
    cells = [[(r[c] if c < len(r) else "") for r in rows] for c in range(columns)]
    least, most = [], []
    for column in cells:
        header, *body = column
        lines = [line for cell in body for line in cell.split("\n")]
        low = max([math.ceil(width(header) / HEADER_LINES),
                   *(_longest_piece(line) for line in lines)], default=1.0)
        high = max([width(header), *(width(line) for line in lines)], default=1.0)
        if not any(line.strip() for line in lines):  # a form's column: room to write in
            low, high = width(header), max(FILL_IN, width(header))
        least.append(low + PADDING)
        most.append(max(high, low) + PADDING)
    return least, most


def crowded(rows: tuple[tuple[str, ...], ...], total: float) -> bool:
    """Whether the columns' unbreakable pieces leave prose less than a fifth of the width."""
    return sum(_bounds(rows)[0]) > 0.8 * total


def column_widths(rows: tuple[tuple[str, ...], ...], total: float) -> list[float]:
    """Widths (in characters, adding up to `total`) for the columns of `rows`; the first row is
    the header."""
    least, most = _bounds(rows)
    if sum(least) >= total:  # too many columns for the page: shrink all alike
        return [total * w / sum(least) for w in least]
    if sum(most) <= total:  # everything fits on one line: spread the room out
        return [total * w / sum(most) for w in most]
    room, wants = total - sum(least), [h - lo for lo, h in zip(least, most, strict=True)]
    return [lo + room * want / sum(wants) for lo, want in zip(least, wants, strict=True)]
