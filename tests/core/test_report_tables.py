"""A report table's declaration refuses what would make it mean two things."""

from __future__ import annotations

import pytest

from dutyflow.core.report_tables import RECTIFICATIONS, TABLES, ColumnSpec, TableSpec


@pytest.fixture(scope="session")
def prefect_api():
    """Overrides tests/conftest.py's server harness: nothing here needs Prefect."""
    yield


def test_a_column_declared_twice_is_refused():
    with pytest.raises(ValueError, match="'item_id' is not declared once"):
        TableSpec("t", ("t",), (ColumnSpec("item_id", ("编号",)), ColumnSpec("item_id", ("序号",))),
                  key=("item_id",))


def test_evidence_naming_no_column_is_refused():
    with pytest.raises(ValueError, match="evidence names no column 'measures_taken'"):
        TableSpec("t", ("t",), (ColumnSpec("item_id", ("编号",)),), key=("item_id",),
                  evidence=("item_id", "measures_taken"))


def test_a_column_stored_under_another_name_is_renamed_for_the_database_and_the_facts():
    assessments = next(t for t in TABLES if t.name == "assessments")
    assert assessments.renames == {"period": "assessed_period"}
    assert "assessed_period" in assessments.stored_columns
    assert "period" not in assessments.stored_columns


def test_only_optional_evidence_is_left_out_when_empty():
    """A blank-allowed column (完成日期 of an open item) is quoted even empty; an optional one
    (延期至, 问题来源, 整改责任人) only where the report gives it."""
    optional = set(RECTIFICATIONS.optional_evidence)
    assert {"extended_to", "source", "responsible"} <= optional
    assert "completed_on" in RECTIFICATIONS.evidence and "completed_on" not in optional
    assert all(not RECTIFICATIONS.column(name).required for name in optional)
