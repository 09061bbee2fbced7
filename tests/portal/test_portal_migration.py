"""Migration 0015 on a database with reviewers already in it, SQLite and PostgreSQL: they stay
reviewers, decide and log in as before; the new columns and tables come and go cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from dutyflow.core.settings import reload_settings
from dutyflow.models.db import alembic_config, dispose_engines, get_engine
from tests.conftest import scratch_pg_database


def _upgrade(url: str, revision: str) -> None:
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _downgrade(url: str, revision: str) -> None:
    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _check(url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _upgrade(url, "0014")
    with get_engine(url).begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO reviewer_account (name, role, org_code, password_hash, active, "
            "created_at, updated_at) VALUES ('老审核', '审核员', NULL, NULL, TRUE, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    _upgrade(url, "0015")
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", url)
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(tmp_path / "out"))
    reload_settings()
    from dutyflow.services.reviewers import find_reviewer, new_token, token_holder

    reviewer = find_reviewer("老审核")
    assert reviewer is not None and reviewer.kind == "reviewer"
    token = new_token(name="老审核")
    assert token_holder(token).name == "老审核"
    inspector = sa.inspect(get_engine(url))
    assert {"document_receipt", "ledger_meeting"} <= set(inspector.get_table_names())
    dispose_engines()
    _downgrade(url, "0014")
    inspector = sa.inspect(get_engine(url))
    assert "document_receipt" not in inspector.get_table_names()
    assert "kind" not in {c["name"] for c in inspector.get_columns("reviewer_account")}
    with get_engine(url).begin() as conn:
        assert conn.execute(sa.text("SELECT name FROM reviewer_account")).scalars().all() == ["老审核"]
    dispose_engines()
    _upgrade(url, "0015")  # and up again: re-running is safe
    dispose_engines()


def test_0015_keeps_reviewers_and_goes_both_ways_on_sqlite(tmp_path, monkeypatch):
    _check(f"sqlite:///{tmp_path / 'old.db'}", monkeypatch, tmp_path)
    reload_settings()


def test_0015_keeps_reviewers_and_goes_both_ways_on_postgresql(tmp_path, monkeypatch):
    with scratch_pg_database("dutyflow_portal_migration") as url:
        _check(url, monkeypatch, tmp_path)
    reload_settings()
