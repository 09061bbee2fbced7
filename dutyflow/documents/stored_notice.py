"""A drafted notice's content as data beside its .docx, so its HTML view can be laid out when
someone first asks for it (the review desk) rather than for every draft of a cycle: the view is
laid out from the very Notice the .docx was, so the two never disagree."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from dutyflow.documents.notice import AttachedPage, Block, Notice

_FIELDS = tuple(f.name for f in dataclasses.fields(Notice) if f.name != "meta")


def _block_rows(blocks: tuple[Block, ...]) -> list[tuple[str, str, Any]]:
    return [(b.kind, b.text, b.rows) for b in blocks]


def notice_data(notice: Notice) -> bytes:
    """The notice as JSON (its `meta` is the issuing's business, not the view's: left out).
    Field by field: `dataclasses.asdict` deep-copies every string and cost more than the rest."""
    fields: dict[str, Any] = {name: getattr(notice, name) for name in _FIELDS}
    fields["blocks"] = _block_rows(notice.blocks)
    fields["attachments"] = [(a.label, a.title, _block_rows(a.blocks), a.title_lines)
                             for a in notice.attachments]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _blocks(rows: list[list[Any]]) -> tuple[Block, ...]:
    return tuple(Block(kind, text, tuple(tuple(r) for r in table)) for kind, text, table in rows)


def notice_from_data(data: bytes) -> Notice:
    fields = json.loads(data)
    fields["blocks"] = _blocks(fields["blocks"])
    fields["attachments"] = tuple(AttachedPage(label, title, _blocks(blocks), tuple(lines))
                                  for label, title, blocks, lines in fields["attachments"])
    fields["missing"] = tuple(fields["missing"])
    fields["title_lines"] = tuple(fields["title_lines"])
    return Notice(**fields)
