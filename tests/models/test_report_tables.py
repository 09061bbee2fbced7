"""The report tables are declared once, in dutyflow.core.report_tables; the SQLModel classes
that store them and the migrations that create them agree with that declaration, so a column
added there and forgotten here (or the reverse) fails a test rather than a run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Boolean, Column, Date, Float, Integer, String, TypeDecorator, inspect
from sqlmodel import SQLModel

from dutyflow.core.report_tables import (
    ASSESSMENTS,
    MEETINGS,
    ORGANIZATIONS,
    RECTIFICATIONS,
    ColumnSpec,
    Kind,
    TableSpec,
)
from dutyflow.models.db import dispose_engines, get_engine, upgrade_database
from dutyflow.models.tables import Assessment, Meeting, Organization, Rectification

STORED_IN: list[tuple[TableSpec, type[SQLModel]]] = [
    (ORGANIZATIONS, Organization), (MEETINGS, Meeting), (RECTIFICATIONS, Rectification),
    (ASSESSMENTS, Assessment)]
IDS = [spec.name for spec, _ in STORED_IN]
# what every stored report row has that no report column fills: its key, the period it was
# reported for, the batch that loaded it, the extra columns kept, when it last changed
BOOKKEEPING = {"id", "period", "batch_id", "extra", "updated_at"}
SQL_TYPES = {Kind.TEXT: String, Kind.CHOICE: String, Kind.PERIOD: String, Kind.INT: Integer,
             Kind.YEAR: Integer, Kind.NUMBER: Float, Kind.DATE: Date, Kind.BOOL: Boolean}


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """Overrides tests/conftest.py's server harness: nothing here needs Prefect."""
    yield


def pairs(spec: TableSpec, model: type[SQLModel]) -> list[tuple[ColumnSpec, Column]]:
    table = model.__table__  # type: ignore[attr-defined]
    return [(column, table.c[column.stored]) for column in spec.columns]


def sql_type(db_column: Column) -> object:
    """The column's SQL type (SQLModel's AutoString decorates a String)."""
    kind = db_column.type
    return kind.impl if isinstance(kind, TypeDecorator) else kind


@pytest.mark.parametrize(("spec", "model"), STORED_IN, ids=IDS)
def test_each_report_table_stores_exactly_its_declared_columns(spec, model):
    stored = set(model.__table__.columns.keys()) - BOOKKEEPING
    assert stored == set(spec.stored_columns)


@pytest.mark.parametrize(("spec", "model"), STORED_IN, ids=IDS)
def test_each_column_is_stored_as_its_declared_kind(spec, model):
    for column, db_column in pairs(spec, model):
        assert isinstance(sql_type(db_column), SQL_TYPES[column.kind]), column.label


@pytest.mark.parametrize(("spec", "model"), STORED_IN, ids=IDS)
def test_a_cell_a_report_may_leave_empty_is_nullable_or_defaulted_and_no_other_is(spec, model):
    for column, db_column in pairs(spec, model):
        if column.may_be_empty:
            assert db_column.nullable or db_column.default is not None, column.label
        else:
            assert not db_column.nullable, column.label


@pytest.mark.parametrize(("spec", "model"), STORED_IN, ids=IDS)
def test_a_text_too_long_for_its_database_column_is_refused_by_the_reader(spec, model):
    """The reader quarantines what the column could not hold (PostgreSQL would fail the whole
    load): a sized text column declares the same `max_length`, unless it names an organization
    (checked against the known ones instead), and every canonical choice fits."""
    for column, db_column in pairs(spec, model):
        length = getattr(sql_type(db_column), "length", None)
        if column.kind is Kind.TEXT and not db_column.foreign_keys:
            assert column.max_length == length, column.label
        if column.kind is Kind.CHOICE:
            assert length is not None, column.label
            assert max(len(v) for v in column.choices.values()) <= length, column.label


def test_the_migrations_create_every_report_column_as_the_models_declare_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    try:
        upgrade_database(url)
        inspector = inspect(get_engine(url))
        for _, model in STORED_IN:
            table = model.__table__  # type: ignore[attr-defined]
            migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
            assert migrated == {c.name: c.nullable for c in table.columns}, table.name
    finally:
        dispose_engines()
