"""Engine and session set-up, and schema upgrades through Alembic."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from dutyflow.core.settings import settings

_MIGRATIONS = Path(__file__).parent / "migrations"
_engines: dict[str, Engine] = {}
_upgraded: set[str] = set()
_lock = threading.Lock()


def _normalise_url(url: str) -> str:
    # psycopg 3 is the driver we pin; accept the plain postgresql:// form users write.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: settings), created once per URL."""
    url = _normalise_url(url or settings.database_url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True)
            _engines[url] = engine
        return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str | None = None) -> None:
    """Bring the schema to the latest migration (idempotent; once per process per URL)."""
    url = _normalise_url(url or settings.database_url)
    if url in _upgraded:
        return
    engine = get_engine(url)
    sqlite = url.startswith("sqlite")
    with engine.connect() as connection:
        if sqlite:
            # batch migrations copy a table and drop the old one: SQLite would refuse while
            # other tables point at it, so foreign keys are off for the upgrade only
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
    _upgraded.add(url)


def lock_period(session: Session, name: str) -> None:
    """Serialise writers of one period on PostgreSQL (a transaction-scoped advisory lock).

    SQLite already admits one writer at a time; unique constraints back both up.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(name.encode("utf-8")) - 2**31
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _upgraded.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session whose work commits together at the end, or not at all."""
    upgrade_database(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def bulk_insert(session: Session, table: Any, records: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: by COPY on PostgreSQL (psycopg 3), else
    one executemany INSERT. Each value goes through its column's own bind processing (JSON
    written as SQLAlchemy writes it), so a row reads back the same either way."""
    if not records:
        return
    table = table if isinstance(table, Table) else table.__table__
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        connection.execute(insert(table), list(records))
        return
    import psycopg
    from psycopg import sql

    session.flush()  # what the session holds goes first, as before an INSERT it would
    names = list(dict.fromkeys(name for record in records for name in record))
    # Python-side column defaults, which an INSERT applies to the columns a row leaves out
    defaults = {c.name: c.default for c in table.columns
                if c.name not in names and c.default is not None
                and (c.default.is_scalar or c.default.is_callable)}
    names += list(defaults)
    processors = [table.c[name].type.bind_processor(dialect) for name in names]
    target = sql.Identifier(*([table.schema] if table.schema else []), table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(n) for n in names))
    raw: Any = connection.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for record in records:
                if defaults:
                    record = {**record, **{name: d.arg if d.is_scalar else d.arg(None)
                                           for name, d in defaults.items()}}
                copy.write_row([value if (value := record.get(name)) is None or process is None
                                else process(value)
                                for name, process in zip(names, processors, strict=True)])
    except psycopg.Error as exc:  # raised as SQLAlchemy raises an INSERT's (IntegrityError …)
        raise DBAPIError.instance(f"COPY {table.name}", None, exc, psycopg.Error) from exc
