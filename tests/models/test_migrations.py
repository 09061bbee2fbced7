"""A database made by the release before the one lifecycle (Alembic 0010, commit e0fb9aa) is
upgraded without losing a row: every case, 催办, circular and number lands in `document`, the
audit reads the same, the guards hold. The fixture and how it was made: tests/fixtures/
release_0010/ (story.sh, expected.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import DatabaseError

from dutyflow.core.settings import reload_settings
from dutyflow.models.db import alembic_config, dispose_engines, get_engine, session_scope
from dutyflow.models.documents import audit_log, case_ids_of
from dutyflow.models.tables import Case, Document, Event
from tests.conftest import scratch_pg_database

FIXTURE = Path(__file__).parents[1] / "fixtures" / "release_0010"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
# copy order for PostgreSQL: parents before the rows that point at them
TABLES = ("ingest_batch", "organization", "meeting", "rectification", "assessment",
          "quarantined_row", "evaluation_run", "finding", "action", "action_event",
          "document_counter", "issued_document", "reviewer_account", "login_attempt",
          "circular_review", "circular_event", "reply", "chase", "ranking_entry")


def _copy_rows(source: str, target: str) -> None:
    """Every row of the old SQLite file into a PostgreSQL database at revision 0010."""
    old, new = sa.create_engine(source), get_engine(target)
    meta = sa.MetaData()
    meta.reflect(new)
    with old.connect() as reading, new.begin() as writing:
        for name in TABLES:
            table = meta.tables[name]
            rows = [dict(r._mapping) for r in reading.execute(sa.text(f"SELECT * FROM {name}"))]
            for row in rows:
                for column in table.columns:
                    value = row.get(column.name)
                    if isinstance(value, str) and isinstance(column.type, sa.JSON):
                        row[column.name] = json.loads(value)
                    elif isinstance(value, str) and isinstance(column.type, sa.DateTime):
                        row[column.name] = datetime.fromisoformat(value)
                    elif isinstance(value, str) and isinstance(column.type, sa.Date):
                        row[column.name] = date.fromisoformat(value)
                    elif isinstance(column.type, sa.Boolean) and value is not None:
                        row[column.name] = bool(value)
            if rows:
                writing.execute(table.insert(), rows)
        for name in ("action_event", "circular_event", "reply", "evaluation_run",
                     "ingest_batch", "meeting", "rectification", "assessment", "quarantined_row",
                     "login_attempt"):  # serial ids go on after the copied ones
            writing.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
    old.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch):
    """The old release's database (a copy), not yet upgraded; its URL."""
    copy = tmp_path / "dutyflow.db"
    shutil.copyfile(FIXTURE / "dutyflow.db", copy)
    source = f"sqlite:///{copy}"
    if request.param == "sqlite":
        url = source
        yield from _using(url, tmp_path, monkeypatch)
        return
    with scratch_pg_database("dutyflow_migration") as url:
        config = alembic_config(url)
        with get_engine(url).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0010")
        _copy_rows(source, url)
        yield from _using(url, tmp_path, monkeypatch)


def _using(url: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", url)
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(tmp_path / "out"))
    reload_settings()
    yield url
    dispose_engines()
    monkeypatch.undo()
    reload_settings()


def test_every_case_chase_circular_and_number_is_moved_into_documents(old_database):
    with session_scope() as session:  # upgrades to the head
        documents = {d.id: d for d in session.query(Document)}
        cases = {c.id: c for c in session.query(Case)}
        links = {d: case_ids_of(session=session, document_id=d) for d in documents}
    counts = EXPECTED["row_counts"]
    criticism = [d for d in EXPECTED["issued_documents"] if d["subject"].startswith("criticism-")]
    assert len(cases) == counts["action"]
    assert len(documents) == counts["action"] + counts["chase"] + counts["circular_review"] \
        + len(criticism)
    for old in EXPECTED["cases"]:
        case, notice = cases[old["id"]], documents[old["id"]]
        assert (case.measure, case.status, case.proposal, case.follow_up) == (
            old["action"], old["status"], old["proposal"], old["follow_up"]), old["id"]
        assert (notice.kind, notice.document_number, notice.reviewer, notice.note,
                notice.decision_ref) == (old["action"], old["doc_number"], old["reviewer"],
                                         old["note"], old["decision_ref"]), old["id"]
        assert str(case.reply_due) == str(old["reply_due"]) and \
            str(notice.issued_on) == str(old["issued_on"]), old["id"]
        assert links[old["id"]] == [old["id"]]
    for old in EXPECTED["chases"]:
        chase = documents[old["id"]]
        assert (chase.kind, chase.status, chase.document_number, str(chase.overdue_since),
                str(chase.reply_due), str(chase.issued_on), chase.period) == (
            "chase", old["status"], old["doc_number"], old["overdue_since"],
            str(old["reply_due"]), str(old["issued_on"]), old["period"]), old["id"]
        assert links[old["id"]] == [old["action_id"]]
    for old in EXPECTED["circular_reviews"]:
        circular = documents[old["subject"]]
        kind = "ranking_circular" if old["subject"].startswith("ranking-") else "quarter_circular"
        assert (circular.kind, circular.status, circular.content_hash,
                circular.document_number) == (kind, old["status"], old["content_hash"],
                                              old["doc_number"]), old["subject"]
    for old in EXPECTED["issued_documents"]:
        issued = documents[old["subject"]]
        assert (issued.status, issued.document_number, issued.number_prefix, issued.number_year,
                issued.number, issued.sha256) == ("issued", old["doc_number"], old["prefix"],
                                                  old["year"], old["number"], old["sha256"])
        assert Path(issued.path).name == old["path"]
    for old in criticism:  # it names the cases whose letters cite it
        named = links[old["subject"]]
        assert named and all(documents[c].kind == "circulated_criticism" for c in named)
        assert documents[old["subject"]].kind == "criticism_circular"


def test_the_audit_reads_the_same_and_a_chases_events_name_it(old_database):
    def entry(e) -> tuple:
        return (datetime.fromisoformat(e["at"]) if isinstance(e, dict) else e.at,
                *(e[k] if isinstance(e, dict) else getattr(e, k)
                  for k in ("event", "actor", "subject", "note")))

    before = Counter(entry(e) for period in EXPECTED["audit"].values() for e in period)
    with session_scope() as session:
        after = Counter(entry(e) for period in EXPECTED["audit"]
                        for e in audit_log(session=session, period=period))
        chase_periods = {d.id: d.period for d in session.query(Document).filter(
            Document.kind == "chase")}
        total = session.query(Event).count()
    assert total == EXPECTED["row_counts"]["action_event"] + \
        EXPECTED["row_counts"]["circular_event"]
    moved = Counter()
    for (at, event, actor, subject, note), n in before.items():
        chase_id, _, rest = note.partition("：")
        if event.startswith("chase_") or event == "refused_chase":
            moved[(at, event, actor, chase_id, rest)] += n  # now about the 催办 itself
            assert chase_id in chase_periods
        else:
            moved[(at, event, actor, subject, note)] += n
    assert after == moved
    with session_scope() as session:  # and each under the period of the cycle that drafted it
        for chase_id, period in chase_periods.items():
            assert {e.period for e in session.query(Event).filter(Event.subject == chase_id)} \
                <= {period}


def test_after_the_upgrade_the_log_is_append_only_and_issued_documents_frozen(old_database):
    with session_scope() as session:
        issued = session.query(Document).filter(Document.status == "issued").first()
        assert issued is not None
    for statement in ("UPDATE event SET note = 'forged'", "DELETE FROM event",
                      f"UPDATE document SET path = 'x' WHERE id = '{issued.id}'",
                      f"DELETE FROM document WHERE id = '{issued.id}'"):
        with pytest.raises(DatabaseError), session_scope() as session:
            session.execute(sa.text(statement))
    with session_scope() as session:  # a draft may still change
        draft = session.query(Document).filter(Document.status == "draft").first()
        session.execute(sa.text(f"UPDATE document SET note = 'ok' WHERE id = '{draft.id}'"))


def test_a_number_that_belongs_to_nothing_stops_the_upgrade_and_changes_nothing(tmp_path,
                                                                              monkeypatch):
    copy = tmp_path / "dutyflow.db"
    shutil.copyfile(FIXTURE / "dutyflow.db", copy)
    with sqlite3.connect(copy) as raw:
        raw.execute("INSERT INTO issued_document (doc_number, prefix, year, number, subject, "
                    "period, path, html_path, sha256, issued_by, issued_at) VALUES "
                    "('市直工委函〔2026〕99号', '市直工委函', 2026, 99, 'stray-2026-09', "
                    "'2026-09', 'x.docx', 'x.html', '0', 'dutyflow', '2026-10-09 01:00:00')")
    url = f"sqlite:///{copy}"
    for _ in _using(url, tmp_path, monkeypatch):
        with pytest.raises(RuntimeError, match="市直工委函〔2026〕99号.*nothing was changed"), \
                session_scope():
            pass
    with sqlite3.connect(copy) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0010",)
        assert raw.execute("SELECT count(*) FROM action").fetchone() == (
            EXPECTED["row_counts"]["action"],)
