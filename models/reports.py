"""Data access for report tables. Sessions are keyword-only; bulk statements, no per-row ORM."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, update
from sqlmodel import Session

from dutyflow.core.report_tables import TABLES_BY_NAME
from dutyflow.models.db import bulk_insert, insert_columns
from dutyflow.models.followup import add_table_replies
from dutyflow.models.tables import (
    Assessment,
    IngestBatch,
    Meeting,
    Organization,
    QuarantinedRow,
    Rectification,
    Reply,
    utcnow,
)

PERIOD_TABLES: dict[str, Any] = {
    "meetings": Meeting,
    "rectifications": Rectification,
    "assessments": Assessment,
}


@dataclass(frozen=True)
class TableLoad:
    """What loading one table did: `loaded` (first time), `replaced`, or `unchanged`."""

    table: str
    outcome: str
    rows_loaded: int
    rows_quarantined: int
    batch_id: int | None


def table_checksum(checksums: list[str]) -> str:
    return hashlib.sha256("".join(sorted(checksums)).encode()).hexdigest()


def known_org_codes(*, session: Session) -> set[str]:
    return set(session.execute(select(Organization.org_code)).scalars())


def current_batch(*, session: Session, period: str, table: str) -> IngestBatch | None:
    statement = select(IngestBatch).where(
        IngestBatch.period == period, IngestBatch.table_name == table, IngestBatch.current
    )
    return session.execute(statement).scalars().first()


def _columns(rows: pd.DataFrame, columns: list[str], renames: dict[str, str]
             ) -> dict[str, list[Any]]:
    """The rows' columns as lists of plain Python values, missing ones None, under the
    table's column names (pandas' to_dict was most of a load's time)."""
    frame = rows[columns].astype(object).where(rows[columns].notna(), None)
    return {renames.get(c, c): frame[c].tolist() for c in columns}


def _records(rows: pd.DataFrame, columns: list[str], renames: dict[str, str]) -> list[dict]:
    """The rows as dicts, for the tables loaded row by row (organizations, replies)."""
    values = _columns(rows, columns, renames)
    return [dict(zip(values, row, strict=True)) for row in zip(*values.values(), strict=True)]


def load_table(
    *,
    session: Session,
    period: str,
    table: str,
    rows: pd.DataFrame,
    columns: list[str],
    quarantined: list[dict[str, Any]],
    source_file: str,
    sheet: str,
    checksums: list[str],
    rows_read: int,
) -> TableLoad:
    """Load one table of a period inside the caller's transaction; a corrected file replaces."""
    checksum = table_checksum(checksums)
    previous = current_batch(session=session, period=period, table=table)
    if previous is not None and previous.checksum == checksum:
        return TableLoad(table, "unchanged", 0, 0, previous.id)
    if previous is not None:
        previous.current = False
        session.add(previous)
        session.flush()  # the partial unique index admits the new batch only once this is off
    batch = IngestBatch(
        period=period, table_name=table, source_file=source_file[:500], sheet=sheet[:200],
        checksum=checksum, rows_read=rows_read, rows_loaded=len(rows),
        rows_quarantined=len({(q["source_file"], q["sheet"], q["row_number"])
                              for q in quarantined}),
    )
    session.add(batch)
    session.flush()
    renames = TABLES_BY_NAME[table].renames
    if table in ("organizations", "replies"):
        records = _records(rows, columns, renames)
        for record in records:
            record["batch_id"] = batch.id
        if table == "organizations":
            _upsert_organizations(session=session, records=records)
        else:  # answers to cases, kept with them (and never replaced)
            add_table_replies(session=session, records=records,
                              source=f"{source_file} [{sheet}]" if sheet else source_file)
    else:
        model = PERIOD_TABLES[table]
        session.execute(delete(model).where(model.period == period))
        # column by column, COPY or one executemany: the ORM's bulk path costs several times
        # more per row, and rows built as dicts only to be taken apart again most of the rest
        insert_columns(session, model, {**_columns(rows, columns, renames),
                                        "batch_id": [batch.id] * len(rows),
                                        "period": [period] * len(rows)})
    bulk_insert(session, QuarantinedRow, [
        {**q, "batch_id": batch.id, "period": period, "table_name": table} for q in quarantined])
    return TableLoad(table, "replaced" if previous else "loaded", len(rows),
                     batch.rows_quarantined, batch.id)


def _upsert_organizations(*, session: Session, records: list[dict[str, Any]]) -> None:
    existing = known_org_codes(session=session)
    now = utcnow()
    for record in records:
        record["updated_at"] = now
        record["groups"] = record.get("groups") or 0
        record["parent_code"] = record.get("parent_code") or None
    updates = [r for r in records if r["org_code"] in existing]
    inserts = [r for r in records if r["org_code"] not in existing]
    if inserts:
        bulk_insert(session, Organization, inserts)
    if updates:
        session.execute(update(Organization), updates)


def quarantined_rows(*, session: Session, period: str) -> list[QuarantinedRow]:
    """Quarantined rows of the period's current batches."""
    statement = (
        select(QuarantinedRow)
        .join(IngestBatch, IngestBatch.id == QuarantinedRow.batch_id)
        .where(QuarantinedRow.period == period, IngestBatch.current)
        .order_by(QuarantinedRow.table_name, QuarantinedRow.source_file, QuarantinedRow.row_number)
    )
    return list(session.execute(statement).scalars())


def count_rows(*, session: Session, table: str, period: str | None = None) -> int:
    from sqlalchemy import func

    if table == "replies":  # answers kept with their cases, whatever period brought them
        return int(session.execute(select(func.count()).select_from(Reply)).scalar_one())
    model = PERIOD_TABLES.get(table, Organization)
    statement = select(func.count()).select_from(model)
    if period is not None and table in PERIOD_TABLES:
        statement = statement.where(model.period == period)
    return int(session.execute(statement).scalar_one())
