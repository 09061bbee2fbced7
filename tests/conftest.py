"""Harness: a real Prefect API (test harness), and a real database, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from dutyflow.core.settings import reload_settings
from dutyflow.models.db import dispose_engines

# The office every test issues as: the demo's fictional 云川市 (tests of a missing or
# unfinished office file name their own).
OFFICE_FILE = Path(__file__).resolve().parents[1] / "samples" / "office.toml"
PG_SERVER = os.environ.get("DUTYFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session", autouse=True)
def office_file() -> Iterator[Path]:
    """Every test, and every command it runs, speaks for the test office."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DUTYFLOW_OFFICE_FILE", str(OFFICE_FILE))
        # a command the suite runs starts and stops its own Prefect server, leaving none
        # behind (tests/cli/test_kept_server.py tests the kept one)
        patch.setenv("DUTYFLOW_PREFECT_KEEP_SERVER", "false")
        reload_settings()
        yield OFFICE_FILE
    reload_settings()


@pytest.fixture(scope="session", autouse=True)
def prefect_api() -> Iterator[None]:
    """One temporary Prefect server for the whole run; flows execute as real flow runs."""
    from prefect.testing.utilities import prefect_test_harness

    from dutyflow.console import quiet_console

    with prefect_test_harness(server_startup_timeout=120):
        quiet_console()
        yield


@contextmanager
def scratch_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the local PostgreSQL server, dropped afterwards; the test
    skips, naming the URL, when no server answers."""
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER}: {exc.orig}")
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throw-away database on the local PostgreSQL server, dropped at the end."""
    with scratch_pg_database("dutyflow_test") as url:
        yield url



def _wipe(url: str) -> None:
    """Empty every table between tests. TRUNCATE, because the append-only triggers (rightly)
    refuse DELETE on the audit log; the application itself never truncates."""
    from sqlmodel import SQLModel

    from dutyflow.models.db import get_engine, upgrade_database

    upgrade_database(url)
    names = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} CASCADE"))


def _use(url: str, tmp_path, monkeypatch) -> Iterator[str]:
    """Point dutyflow's settings at `url` and a scratch output folder for one test."""
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", url)
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(tmp_path / "out"))
    # LibreOffice takes seconds a run: the PDF tests turn it on where they check the views
    monkeypatch.setenv("DUTYFLOW_PDF_VIEWS", "false")
    reload_settings()
    yield url
    monkeypatch.undo()
    reload_settings()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """The database dutyflow uses in this test: a fresh SQLite file, or the test PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dutyflow.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        _wipe(url)
    yield from _use(url, tmp_path, monkeypatch)


@pytest.fixture
def pg_url(pg_database: str, tmp_path, monkeypatch) -> Iterator[str]:
    """PostgreSQL only, for races that only a server database can show."""
    _wipe(pg_database)
    yield from _use(pg_database, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> Iterator[str]:
    """SQLite only, for tests whose subject is not the database."""
    yield from _use(f"sqlite:///{tmp_path / 'dutyflow.db'}", tmp_path, monkeypatch)
