"""Titles broken into lines as GB/T 9704 §7.3.1 asks: whole words on each line (a Chinese word
segmenter, jieba, finds them), dates, numbers and document numbers never split, the lines
balanced and arranged as a trapezoid or a diamond (梯形或菱形), never with a line ending on a
word that reads on into the next (的, 和, 关于, ...).

The writers print the lines this computes with explicit line breaks, so Word, LibreOffice and
the browser break the title in the same places.

The segmenter's words for a stretch of title are kept in the output folder
(`.titles/words-<key>.json`, the key naming jieba's version and the words added to it): loading
jieba's dictionary costs a second a process, and the stretches between the names kept whole
are the templates' own few (关于对, 同志进行约谈的通知), so a month's drafting mostly finds
them all kept and never loads it."""

from __future__ import annotations

import atexit
import functools
import hashlib
import itertools
import json
import logging
import re
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from dutyflow.core.atomic import replace_atomically
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    DOCUMENT_KINDS,
    ITEM_SOURCES,
    MEASURE_KINDS,
    MEETING_TYPES,
    ORG_TYPE_NAMES,
)
from dutyflow.documents.columns import width

if TYPE_CHECKING:
    import jieba

LINE_CHARS = 20.0  # 二号 (22 pt) characters on the 156 mm type area
# pieces the segmenter must not cut: dates, numbers with their unit, document numbers, Latin
KEEP_WHOLE = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?|第?[一二三四]季度)?"
    r"|[^\s〔]*〔\d{4}〕\d+号"
    r"|\d+(?:\.\d+)?[%个项次天名号月日年季度]*"
    r"|[A-Za-z][A-Za-z0-9\-_.]*")
# a line must not end on these: they read on into the next line
LEADING_WORDS = frozenset(("的", "之", "和", "与", "及", "或", "暨", "对", "为", "在", "将", "把",
                           "向", "从", "等", "关于", "对于", "有关", "以及", "并"))
TOO_MANY_LINES = 4
# compounds of the field a title should not break (the segmenter's dictionary is general)
FIELD_WORDS = ("党建工作", "党建工作责任", "党建工作责任制", "整改台账", "基层党组织", "党组织",
               "组织生活", "逾期整改", "整改事项", "书面检查", "考评排名", "通报批评")


log = logging.getLogger(__name__)


@functools.cache
def _added_words() -> tuple[str, ...]:
    """The field's words the segmenter is given, beyond its own dictionary."""
    return tuple(sorted({*FIELD_WORDS, *ORG_TYPE_NAMES, *ITEM_SOURCES,
                         *(m.name for m in MEETING_TYPES),
                         *(k.name for k in MEASURE_KINDS.values()),
                         *(k.name for k in DOCUMENT_KINDS.values())}))


@functools.cache
def _segmenter() -> jieba.Tokenizer:
    import jieba  # (when a stretch is first cut: a run that finds them all kept never loads it)

    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on stderr
    segmenter = jieba.Tokenizer()
    for name in _added_words():
        segmenter.add_word(name, freq=100_000)
    return segmenter


@functools.cache
def _words_key() -> str:
    """What the kept words depend on: jieba's version (its dictionary) and the words added."""
    return hashlib.sha256(json.dumps([metadata.version("jieba"), _added_words()],
                                     ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


@functools.lru_cache(maxsize=16)
def _words_file(output_dir: str) -> Path:
    return Path(output_dir) / ".titles" / f"words-{_words_key()}.json"


_kept_words: dict[Path, dict[str, tuple[str, ...]]] = {}
_new_words: dict[Path, dict[str, tuple[str, ...]]] = {}
_lock = threading.Lock()


def _known(path: Path) -> dict[str, tuple[str, ...]]:
    known = _kept_words.get(path)
    if known is None:
        known = _kept_words[path] = {k: tuple(v) for k, v in _known_on_disk(path).items()}
    return known


def keep_words() -> None:
    """Write the stretches cut since the last call beside those kept (another process's
    included): a cache, so a write that fails or races another only costs a later cut."""
    with _lock:
        fresh = {path: dict(words) for path, words in _new_words.items() if words}
        _new_words.clear()
    for path, words in fresh.items():
        try:
            merged = {**_known_on_disk(path), **{k: list(v) for k, v in words.items()}}
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_atomically(path, json.dumps(merged, ensure_ascii=False,
                                                sort_keys=True).encode("utf-8"))
        except OSError as exc:  # a read-only output folder: stretches are cut each time
            log.warning("title words not kept in %s: %s", path, exc)


def _known_on_disk(path: Path) -> dict[str, list[str]]:
    """The words kept in `path`; none when it is missing or not ours (then cut anew)."""
    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


atexit.register(keep_words)


def _kept(title: str, names: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """The spans kept whole, leftmost first: each of `names` that fits a line (the longest
    where two start together), else a date, number, document number or Latin word. Found by
    plain search, not a pattern compiled per title (that cost more than the segmenting)."""
    fitting = sorted((n for n in set(names) if n and width(n) <= LINE_CHARS and n in title),
                     key=len, reverse=True)
    at = 0
    while True:
        best: tuple[int, int] | None = None
        for name in fitting:
            start = title.find(name, at)
            if start >= 0 and (best is None or start < best[0]):
                best = (start, start + len(name))
        kept = KEEP_WHOLE.search(title, at)
        if kept and (best is None or kept.start() < best[0]):
            best = kept.span()
        if best is None:
            return
        yield best
        at = best[1]


def _cut(text: str) -> tuple[str, ...]:
    """The segmenter's words of a stretch between kept spans: the same few stretches (关于,
    落实党建工作责任有关问题的提醒函) recur in every title of a kind, the names between them
    differ. Kept once cut (keep_words)."""
    path = _words_file(str(settings.output_dir))  # (a hot path: a path per output folder)
    known = _known(path)
    words = known.get(text)
    if words is None:
        words = known[text] = tuple(_segmenter().lcut(text, HMM=True))
        with _lock:
            _new_words.setdefault(path, {})[text] = words
    return words


def words(title: str, names: tuple[str, ...] = ()) -> list[str]:
    """The title's words in order: the segmenter's, with dates, numbers and `names` (the
    organizations the document is about) kept whole."""
    pieces: list[str] = []
    at = 0
    for start, end in _kept(title, names):
        pieces += _cut(title[at:start]) if start > at else ()
        pieces.append(title[start:end])
        at = end
    if at < len(title):
        pieces += _cut(title[at:])
    return [p for p in pieces if p]


def word_boundaries(title: str, names: tuple[str, ...] = ()) -> set[int]:
    """Offsets in `title` where a line may break."""
    return set(itertools.accumulate(len(w) for w in words(title, names)))


def _cost(lines: list[str], widths: list[float]) -> float:
    if max(widths) > LINE_CHARS:
        return float("inf")
    mean = sum(widths) / len(widths)
    cost = sum((w - mean) ** 2 for w in widths)
    falling = all(a >= b for a, b in itertools.pairwise(widths))
    rising = all(a <= b for a, b in itertools.pairwise(widths))
    middle = max(widths[1:-1], default=0.0)
    diamond = len(widths) >= 3 and middle >= max(widths[0], widths[-1])
    if not (falling or rising or diamond):
        cost += 100.0  # neither a trapezoid nor a diamond
    if not falling:
        cost += 1.0  # upper lines longer than lower ones read best, all else equal
    for line in lines[:-1]:
        if line.endswith(tuple(LEADING_WORDS)):
            cost += 50.0
    return cost


def _splits(pieces: list[str], count: int) -> Iterator[tuple[list[str], list[float]]]:
    """Every way to cut the pieces into `count` lines that each fit (a line too long costs
    infinity: it is never built)."""
    text = "".join(pieces)
    sizes = list(itertools.accumulate((width(p) for p in pieces), initial=0.0))
    offsets = list(itertools.accumulate((len(p) for p in pieces), initial=0))
    for cuts in itertools.combinations(range(1, len(pieces)), count - 1):
        edges = list(itertools.pairwise((0, *cuts, len(pieces))))
        widths = [sizes[b] - sizes[a] for a, b in edges]
        if max(widths) <= LINE_CHARS:
            yield [text[offsets[a]:offsets[b]] for a, b in edges], widths


@functools.lru_cache(maxsize=4096)
def title_lines(title: str, names: tuple[str, ...] = (),
                line_chars: float = LINE_CHARS) -> tuple[str, ...]:
    """The title's lines: as few as fit, whole words on each (and each of `names`, when it
    fits a line), balanced and symmetrical."""
    if width(title) <= line_chars or not title:
        return (title,)
    pieces = words(title, names)
    least = int(-(-width(title) // line_chars))
    best: tuple[float, list[str]] = (float("inf"), [title])
    for count in range(least, min(least + 1, TOO_MANY_LINES, len(pieces)) + 1):
        for lines, widths in _splits(pieces, count):
            cost = _cost(lines, widths) + 20.0 * (count - least)  # a line more only if much better
            if cost < best[0]:
                best = (cost, lines)
    return tuple(best[1])
