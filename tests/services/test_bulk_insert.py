"""Bulk rows go in by COPY on PostgreSQL and by one INSERT on SQLite, and read back the same."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dutyflow.models.db import (
    bulk_insert,
    get_engine,
    insert_columns,
    read_columns,
    session_scope,
)
from dutyflow.models.tables import Finding, Meeting, Organization


def _organizations(session, count: int) -> None:
    bulk_insert(session, Organization, [
        {"org_code": f"B{i}", "org_name": f"第{i}党支部", "org_type": "党支部", "members": 9,
         "groups": 0, "extra": {}, "updated_at": datetime(2026, 12, 1, tzinfo=UTC)}
        for i in range(count)])  # no secretary: the column's default, as an INSERT gives it


def _finding(i: int, **values) -> dict:
    return {"id": f"2026-12-F{i}", "period": "2026-12", "span": "2026-12", "org_code": f"B{i}",
            "family": "meeting", "subject": "theme_day", "rule_id": "meeting.theme_day.1",
            "rule_ids": ["meeting.theme_day.1"], "measure": "reminder",
            "text": "未按要求开展主题党日；经提醒后仍未落实",
            "facts": {"held": 0.0, "minimum": 1, "note": "引号\"、制表\t与换行\n都原样"},
            "policy_version": "v1", "current": True,
            "found_at": datetime(2026, 12, 3, 8, 0, tzinfo=UTC), "withdrawn_at": None,
            **values}


def test_rows_read_back_as_written(db_url):
    rows = [_finding(i) for i in range(3)] + [_finding(3, current=False, facts={}, rule_ids=[])]
    with session_scope() as session:
        _organizations(session, len(rows))
        bulk_insert(session, Finding, rows)
        bulk_insert(session, Finding, [])  # nothing to write is not an error
    with session_scope() as session:
        stored = {f.id: f for f in session.execute(select(Finding)).scalars()}
    assert set(stored) == {r["id"] for r in rows}
    for row in rows:
        found = stored[row["id"]]
        assert found.facts == row["facts"] and found.rule_ids == row["rule_ids"]
        assert found.text == row["text"] and found.current == row["current"]
        assert found.withdrawn_at is None
    with session_scope() as session:
        assert {o.secretary for o in session.execute(select(Organization)).scalars()} == {""}
    assert get_engine().dialect.name in ("sqlite", "postgresql")


def test_rows_given_column_by_column_read_back_as_rows_given_as_dicts_do(db_url):
    """The ingest loads a report table's columns as pandas holds them; empty JSON values
    (most rows' `extra`) and non-empty ones read back as written, on both databases."""
    rows = [_finding(i, facts={} if i % 2 else {"held": i}) for i in range(4)]
    with session_scope() as session:
        _organizations(session, len(rows))
        insert_columns(session, Finding, {name: [r[name] for r in rows] for name in rows[0]})
        insert_columns(session, Finding, {})  # nothing to write is not an error
    with session_scope() as session:
        stored = {f.id: f.facts for f in session.execute(select(Finding)).scalars()}
    assert stored == {r["id"]: r["facts"] for r in rows}
    with pytest.raises(ValueError, match="different lengths"), session_scope() as session:
        insert_columns(session, Finding, {"id": ["a", "b"], "period": ["2026-12"]})


def test_a_bad_row_fails_the_whole_transaction_and_keeps_nothing(db_url):
    rows = [_finding(i) for i in range(3)]
    # a meeting of an organization that does not exist breaks a foreign key on both databases
    meeting = {"period": "2026-12", "org_code": "NOBODY", "meeting_type": "theme_day",
               "held_on": date(2026, 12, 1), "attendees": 10, "for_year": None, "extra": {},
               "batch_id": None}
    with pytest.raises(IntegrityError), session_scope() as session:
        _organizations(session, len(rows))
        bulk_insert(session, Finding, rows)
        bulk_insert(session, Meeting, [meeting])
    with session_scope() as session:
        assert session.execute(select(Organization)).first() is None
        assert session.execute(select(Finding)).first() is None
        assert session.execute(select(Meeting)).first() is None


def test_columns_read_from_the_cursor_equal_sqlalchemys_rows(db_url):
    with session_scope() as session:
        _organizations(session, 3)
        bulk_insert(session, Finding, [_finding(i, withdrawn_at=None if i else datetime(
            2026, 12, 4, 9, 30, 15, 250, tzinfo=UTC)) for i in range(3)])
    statement = select(Finding.id, Finding.found_at, Finding.withdrawn_at, Finding.facts,
                       Finding.current, Organization.members).join(
        Organization, Organization.org_code == Finding.org_code).order_by(Finding.id)
    with session_scope() as session:
        columns = read_columns(session, statement)
        rows = session.execute(statement).all()
        empty = read_columns(session, statement.where(Finding.id == "none"))
    assert [list(c) for c in zip(*rows, strict=True)] == columns
    assert isinstance(columns[1][0], datetime) and columns[3][0]["note"].startswith("引号")
    assert empty == [[] for _ in range(6)]
