"""Data that cannot turn into body markup: a `|` in a description, a line break in a note, a
leading "#" are text, never a table cell's edge, a new paragraph or a heading.

A notice template writes its body in a line markup (notice.py `parse_body`). Every string the
template receives is first made inert here: the markup's characters become private-use stand-ins
that no template line contains, and `parse_body` turns them back once the lines are read. So
no template has to remember to escape a value, and one that forgets cannot break a table.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# what the body markup reads, and the private-use characters that stand for it in data
STAND_INS = {"|": "\ue000", "#": "\ue001", ">": "\ue002"}
LINE_BREAK = "\ue003"
_NEWLINES = re.compile(r"\r\n|\r|\n")
_INERT = str.maketrans(STAND_INS)
_BACK = str.maketrans({v: k for k, v in STAND_INS.items()})
_PLAIN = (int, float, bool, Decimal, date, datetime, type(None))


def inert(text: str) -> str:
    text = text.translate(_INERT)
    return _NEWLINES.sub(LINE_BREAK, text) if "\n" in text or "\r" in text else text


def restore(text: str, line_break: str = "\n") -> str:
    """The data's own characters back: stand-ins to `|`, `#`, `>`, line breaks to `line_break`."""
    return text.translate(_BACK).replace(LINE_BREAK, line_break)


class _InertView:
    """An object's attributes as the template reads them: strings inert, methods as they are
    (the sandbox checks them as before)."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        return value if callable(value) else inert_data(value)

    def __bool__(self) -> bool:
        return bool(self._target)

    def __eq__(self, other: object) -> bool:
        return bool(self._target == (other._target if isinstance(other, _InertView) else other))

    def __hash__(self) -> int:
        return hash(self._target)

    def __str__(self) -> str:
        return inert(str(self._target))


def inert_data(value: Any) -> Any:
    """`value` with every string in it made inert (dicts, lists, tuples, sets and objects'
    attributes, to any depth); numbers and dates as they are."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, _PLAIN) or callable(value):
        return value
    if isinstance(value, Mapping):
        return {k: inert_data(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*(inert_data(v) for v in value))
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(inert_data(v) for v in value)
    if isinstance(value, _InertView) or not (dataclasses.is_dataclass(value)
                                             or hasattr(value, "__dict__")):
        return value
    return _InertView(value)
