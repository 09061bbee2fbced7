"""The wording of a rule's requirement, written from the rule's own numbers.

A policy's `text` may name its thresholds as placeholders, `党建工作考核得分不低于{score_below}分`,
filled from the same rule when it is compiled, so a notice never quotes a number the rule no
longer applies. Formats: `{score_below}` as written (80, 0.5), `{tasks_done_below:%}` as a
percentage (80%), `{quorum:share}` as an office writes a share (半数, 三分之二, else 60%). A text
with numbers written out (the policies before placeholders) still loads when every number it
states is one of its rule's; one that states another number is refused (`text_problems`).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from typing import Any

SHARES = {0.5: "半数", 2 / 3: "三分之二", 1.0: "全体"}
SHARE_WORDS = {"过半数": 0.5, "半数": 0.5, "三分之二": 2 / 3, "全体": 1.0}
CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                  "九": 9, "十": 10}
# a number as a text states it: 70分, 80%, 1次, 一次, 3个月 (not the 一 of 一般 or 统一)
_COUNTER = "次分个天项人名年"
_NUMBER = re.compile(rf"(?P<arabic>\d+(?:\.\d+)?)\s*(?:(?P<percent>%)|[{_COUNTER}])?"
                     rf"|(?P<chinese>[一二两三四五六七八九十]+)[{_COUNTER}]")


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Requirement(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "%":
            return f"{value:.0%}" if _close(round(value * 100), value * 100) else f"{value:.1%}"
        if format_spec == "share":
            word = next((w for share, w in SHARES.items() if _close(share, value)), None)
            return word or self.format_field(value, "%")
        if format_spec:
            raise ValueError(f"unknown format {format_spec!r}")
        return _plain(value)


_FORMATTER = _Requirement()


def placeholders(text: str) -> list[tuple[str, str]]:
    """(name, format) of each placeholder in `text`."""
    return [(name, spec or "") for _, name, spec, _ in _FORMATTER.parse(text) if name is not None]


def literal_parts(text: str) -> str:
    """What `text` says in its own words: the placeholders left out."""
    return "".join(literal for literal, *_ in _FORMATTER.parse(text))


def render(text: str, numbers: Mapping[str, Any]) -> str:
    """The requirement as a notice quotes it: the placeholders filled from `numbers`."""
    return _FORMATTER.vformat(text, (), dict(numbers))


def _chinese(numeral: str) -> int:
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (CHINESE_DIGITS.get(tens, 1)) * 10 + (CHINESE_DIGITS.get(ones, 0))
    return CHINESE_DIGITS.get(numeral, 0)


def stated_numbers(text: str) -> list[tuple[str, float, bool]]:
    """Each number `text` states in its own words: (as written, value, is a share or percent)."""
    said = unicodedata.normalize("NFKC", literal_parts(text))
    found: list[tuple[str, float, bool]] = []
    for match in _NUMBER.finditer(said):
        if match["chinese"]:
            found.append((match[0], float(_chinese(match["chinese"])), False))
        else:
            value = float(match["arabic"])
            found.append((match[0], value / 100 if match["percent"] else value,
                          bool(match["percent"])))
    for word, share in SHARE_WORDS.items():
        if word in said and not (word == "半数" and "过半数" in said):
            found.append((word, share, True))
    return found


def text_problems(text: str, numbers: Mapping[str, Any]) -> list[str]:
    """Why `text` cannot be the requirement of a rule with `numbers` (Chinese; empty: fine):
    a placeholder the rule does not have, or a number stated that is not one of the rule's."""
    problems = []
    try:
        names = placeholders(text)
    except ValueError:
        return ["花括号不成对：占位符写作 {名称}，例如 {score_below}"]
    for name, spec in names:
        if name not in numbers:
            known = "、".join(f"{{{n}}}" for n in numbers) or "（此项没有可用的数字）"
            problems.append(f"没有占位符 {{{name}}}，可用：{known}")
        elif spec not in ("", "%", "share"):
            problems.append(f"{{{name}:{spec}}} 的格式不认识，可用 {{{name}}}、{{{name}:%}}、"
                            f"{{{name}:share}}")
    if problems:
        return problems
    values = [float(v) for v in numbers.values() if isinstance(v, int | float)]
    for written, value, share in stated_numbers(text):
        fits = any(_close(value, v) or (not share and _close(value, v * 100)) for v in values)
        if not fits:
            rule = "、".join(f"{n}: {_plain(v)}" for n, v in numbers.items()
                             if isinstance(v, int | float)) or "无"
            problems.append(f"文字写的是“{written}”，与本条规则的数字（{rule}）不符；"
                            f"请改正，或把数字写成占位符（如 {{{next(iter(numbers), 'minimum')}}}）")
    return problems
