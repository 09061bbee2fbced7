"""Text clean-up that real report files need: full-width forms, traditional characters, stray spaces."""

from __future__ import annotations

import re
import unicodedata

# Traditional forms of the characters that appear in headers and coded values. Only the
# vocabulary dutyflow matches on is converted; names and descriptions are kept as typed.
_TRADITIONAL = str.maketrans(
    "組織編碼稱類級書記黨員數會議開實問題時狀態責務銷號總課單層間確認據項報導幹參與屬",
    "组织编码称类级书记党员数会议开实问题时状态责务销号总课单层间确认据项报导干参与属",
)
# Control characters (NUL above all) have no place in a report and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOTE = re.compile(r"[（(【\[].*?[）)】\]]")
_SPACE = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def fold(text: str) -> str:
    """NFKC-fold (full-width digits and letters become ASCII), drop control characters, trim."""
    return strip_controls(unicodedata.normalize("NFKC", text)).replace("\u3000", " ").strip()


def vocabulary_key(text: object) -> str:
    """The form used to match headers, table names and coded values in either language."""
    folded = fold(str(text)).translate(_TRADITIONAL).lower()
    folded = _NOTE.sub("", folded).replace("*", "").replace("：", "").replace(":", "")
    folded = _SPACE.sub(" ", folded).strip()
    if folded.isascii():
        folded = folded.replace("-", "_").replace(" ", "_")
    else:
        folded = folded.replace(" ", "")
    return folded


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not fold(value)
