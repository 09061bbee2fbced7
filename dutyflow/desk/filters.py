"""The queue's filters as they travel in the desk's addresses and forms: read from a query
string, written back into one, and a document's neighbours in the filtered queue."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from dutyflow.core.vocabulary import DocumentStatus
from dutyflow.models.queue import SORTS, QueueFilter

FILTER_FIELDS = ("period", "unit", "measure", "decided_by", "status", "q", "sort", "desc")


def filter_of(params: Any) -> QueueFilter:
    status = params.get("status", DocumentStatus.DRAFT)
    sort = params.get("sort", "id")
    return QueueFilter(period=params.get("period", ""), unit=params.get("unit", ""),
                       measure=params.get("measure", ""),
                       decided_by=params.get("decided_by", ""),
                       status="" if status == "all" else status, text=params.get("q", ""),
                       sort=sort if sort in SORTS else "id", descending=params.get("desc") == "1")


def query_of(params: Any, **changes: Any) -> str:
    """The queue's query string (its filters), with some fields changed."""
    kept = {k: params.get(k) for k in FILTER_FIELDS if params.get(k)}
    kept.update({k: v for k, v in changes.items() if v is not None})
    return urlencode({k: v for k, v in kept.items() if v not in ("", None)})


def params_of(query: str) -> dict[str, str]:
    return dict(parse_qsl(query))


def plain_query(query: str) -> str:
    """A queue query string sent back by a form, reduced to the known filter fields."""
    params = params_of(query.lstrip("?"))
    return urlencode({k: v for k, v in params.items() if k in (*FILTER_FIELDS, "page") and v})


def neighbours(ids: list[str], document_id: str) -> tuple[str | None, str | None]:
    """The documents before and after this one in the queue's order (the first if it is not
    in the queue any more)."""
    if document_id not in ids:
        return None, ids[0] if ids else None
    at = ids.index(document_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)
