"""Engine and session set-up, and schema upgrades through Alembic."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, event, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from dutyflow.core.settings import settings

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"
_engines: dict[str, Engine] = {}
_upgraded: set[str] = set()
_upgrading = threading.Lock()
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
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str | None = None) -> None:
    """Bring the schema to the latest migration (idempotent; once per process per URL)."""
    url = _normalise_url(url or settings.database_url)
    if url in _upgraded:
        return
    with _upgrading:  # a desk's first requests may come at once: one upgrade, the rest wait
        if url not in _upgraded:
            _upgrade(url)


def newest_revision() -> str:
    """The newest migration's revision id: its file name's number (0015_....py is "0015"),
    read from the folder, so the check below needs neither Alembic nor the migrations' code."""
    return max(p.name.split("_", 1)[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _at_head(engine: Engine) -> bool:
    """The database's stored revision is the newest one (no table yet: it is not)."""
    try:
        with engine.connect() as connection:
            stored = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:
        return False
    return list(stored) == [newest_revision()]


def _upgrade(url: str) -> None:
    engine = get_engine(url)
    # a database already at the newest revision (every command after the first) skips Alembic:
    # importing it and reading every migration costs a read-only command more than its work
    if _at_head(engine):
        _upgraded.add(url)
        return
    from alembic import command

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


def _bound(values: Sequence[Any], process: Any) -> list[Any]:
    """A column's values through its bind processor; a value seen before is not processed
    again (a period's dates, an org type: a few hundred distinct values in 100,000 rows)."""
    if process is None:
        return list(values)
    seen: dict[Any, Any] = {}
    out = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        # 1, 1.0 and True are equal but not the same value; an empty JSON {} or [] is common
        key = (type(value), value if not isinstance(value, dict | list) or value else ())
        try:
            bound = seen[key]
        except KeyError:
            bound = seen[key] = process(value)
        except TypeError:  # unhashable (a JSON column's dicts and lists)
            bound = process(value)
        out.append(bound)
    return out


def _bound_rows(table: Table, dialect: Any, columns: Mapping[str, Sequence[Any]], count: int
                ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The rows as the driver receives them: every column given, plus the columns with a
    Python-side default (which an INSERT applies to the columns a row leaves out), each value
    through its column's own bind processing (JSON, dates, booleans as SQLAlchemy writes
    them), column by column."""
    names = list(columns)
    defaults = {c.name: c.default for c in table.columns
                if c.name not in columns and c.default is not None
                and (c.default.is_scalar or c.default.is_callable)}
    def processor(name: str) -> Any:  # the dialect's own (a generic Date has none on SQLite)
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    bound = [_bound(columns[name], processor(name)) for name in names]
    bound += [_bound([d.arg if d.is_scalar else d.arg(None) for _ in range(count)],
                     processor(name)) for name, d in defaults.items()]
    return names + list(defaults), list(zip(*bound, strict=True))


def bulk_insert(session: Session, table: Any, records: Sequence[dict[str, Any]]) -> None:
    """Insert many rows, given as dicts (a column a record leaves out is None, or its
    default when no record names it): see insert_columns."""
    if not records:
        return
    names = list(dict.fromkeys(name for record in records for name in record))
    insert_columns(session, table, {name: [record.get(name) for record in records]
                                    for name in names})


def insert_columns(session: Session, table: Any, columns: Mapping[str, Sequence[Any]]) -> None:
    """Insert many rows, given column by column (each the same length), in the session's
    transaction, on the driver's fast path: COPY on PostgreSQL (psycopg 3), one executemany
    of plain tuples on SQLite; the rows read back as an ORM or Core INSERT would have written
    them, and a failure is raised as SQLAlchemy raises an INSERT's (IntegrityError …). The
    Core insert's own per-row parameter handling cost four times the database's work, and
    rows built as dicts only to be taken apart again most of the rest."""
    counts = {len(values) for values in columns.values()}
    if len(counts) > 1:
        raise ValueError(f"columns of different lengths for {table}: {sorted(counts)}")
    count = counts.pop() if counts else 0
    if not count:
        return
    table = table if isinstance(table, Table) else table.__table__
    connection = session.connection()
    dialect = connection.dialect
    fast = (dialect.name, dialect.driver) in (("postgresql", "psycopg"), ("sqlite", "pysqlite"))
    if not fast:
        names = list(columns)
        connection.execute(insert(table), [dict(zip(names, row, strict=True))
                                           for row in zip(*columns.values(), strict=True)])
        return
    session.flush()  # what the session holds goes first, as before an INSERT it would
    names, rows = _bound_rows(table, dialect, columns, count)
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    listed = ", ".join(quote(n) for n in names)
    raw: Any = connection.connection.driver_connection
    error = dialect.loaded_dbapi.Error
    try:
        if dialect.name == "postgresql":
            with raw.cursor() as cursor, \
                    cursor.copy(f"COPY {target} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor = raw.cursor()
            try:
                cursor.executemany(f"INSERT INTO {target} ({listed}) VALUES "
                                   f"({', '.join('?' for _ in names)})", rows)
            finally:
                cursor.close()
    except error as exc:
        raise DBAPIError.instance(f"bulk insert into {table.name}", None, exc, error) from exc


def read_columns(session: Session, statement: Any) -> list[list[Any]]:
    """A SELECT's result as columns of plain values, read from the driver's cursor and each
    column through its type's result processing once per distinct value (a period's dates as
    SQLite stores them: a few hundred strings in 100,000 rows). Row objects, built and
    processed value by value, cost more than the query."""
    connection = session.connection()
    result = connection.execute(statement)
    cursor = result.cursor
    rows = cursor.fetchall()
    # the driver's type code per column: some processors depend on it (numerics on PostgreSQL)
    coltypes = [d[1] for d in cursor.description]
    result.close()
    dialect = connection.dialect
    columns = [list(values) for values in zip(*rows, strict=True)] if rows else \
        [[] for _ in statement.selected_columns]
    return [_bound(values, column.type.dialect_impl(dialect).result_processor(dialect, coltype))
            for column, coltype, values in zip(statement.selected_columns, coltypes, columns,
                                               strict=True)]
