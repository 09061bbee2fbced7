"""One lifecycle for every document a person reviews, and one word for each thing.

Before: a case's notice lived in the case's row (`action`), a 催办 in `chase`, a quarter's
circulars in `circular_review`, the numbers in `issued_document`, and the audit in
`action_event` and `circular_event`; the period's 通报批评 had a number but no review record.
After: the case (`accountability_case`, its measure `measure`) is the judgement and its
follow-up; every reviewed document is a row of `document` (a notice has its case's id), linked
to the cases it concerns in `document_case`; every event of either is in `event`.

Every row is moved, none is guessed: an issued number that belongs to no case, 催办 or
circular stops the upgrade with a message naming it, and (the upgrade being one transaction)
nothing is changed. The audit log's rows keep their time, actor, event and note; a 催办's
events, once written on its case, now name the 催办 itself and the period of the cycle that
drafted it, so `dutyflow audit --period P` shows what P's runs did.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CIRCULAR_KINDS = {"circular-": "quarter_circular", "ranking-": "ranking_circular"}
CHASE_EVENTS = ("chase_drafted", "chase_approved", "chase_rejected", "chase_issued",
                "chase_withdrawn", "refused_chase")
MOVED_CASE_COLUMNS = ("status", "document", "html_document", "reviewer", "decided_at", "note",
                      "decision_ref", "doc_number", "document_sha256", "issued_at", "issued_on")
OLD_APPEND_ONLY = ("action_event", "circular_event", "issued_document")


class Unplaced(RuntimeError):
    """A row the migration cannot place: the upgrade stops and changes nothing."""


def _time() -> Any:
    return sqlmodel.sql.sqltypes.UTCDateTime()


def _create_tables() -> tuple[sa.Table, sa.Table, sa.Table]:
    document = op.create_table(
        "document",
        sa.Column("id", sa.String(140), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period", sa.String(16), nullable=False, index=True),
        sa.Column("org_code", sa.String(64), nullable=True, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(500), nullable=True),
        sa.Column("html_path", sa.String(500), nullable=True),
        sa.Column("reviewer", sa.String(100), nullable=True),
        sa.Column("decided_at", _time(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decision_ref", sa.String(200), nullable=True),
        sa.Column("document_number", sa.String(64), nullable=True, unique=True),
        sa.Column("number_prefix", sa.String(64), nullable=True),
        sa.Column("number_year", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("issued_by", sa.String(100), nullable=True),
        sa.Column("issued_at", _time(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.UniqueConstraint("number_prefix", "number_year", "number", name="uq_document_number"),
        sa.Index("ix_document_period_kind", "period", "kind"),
    )
    links = op.create_table(
        "document_case",
        sa.Column("document_id", sa.String(140), sa.ForeignKey("document.id"), primary_key=True),
        sa.Column("case_id", sa.String(120), sa.ForeignKey("accountability_case.id"),
                  primary_key=True, index=True),
    )
    event = op.create_table(
        "event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(140), nullable=False, index=True),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", _time(), nullable=False),
        sa.Index("ix_event_period", "period", "id"),
    )
    return document, links, event


def _rows(name: str) -> list[dict[str, Any]]:
    """A table's rows, times as aware UTC (SQLite gives them back naive; they were UTC)."""
    table = sa.Table(name, sa.MetaData(), autoload_with=op.get_bind())
    return [{k: _utc(v) for k, v in r._mapping.items()}
            for r in op.get_bind().execute(sa.select(table))]


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _day(moment: Any) -> date | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.date() if isinstance(moment, datetime) else moment


def _numbered(doc: dict[str, Any], issued: dict[str, Any] | None) -> dict[str, Any]:
    """The document's number fields from the row that recorded its issue."""
    if issued is None:
        if doc.get("document_number"):
            raise Unplaced(f"migration 0011: {doc['id']} carries {doc['document_number']} but "
                           "no issued_document row records it; nothing was changed")
        return {**doc, "number_prefix": None, "number_year": None, "number": None}
    if doc.get("document_number") not in (None, issued["doc_number"]):
        raise Unplaced(f"migration 0011: {doc['id']} carries {doc['document_number']} while "
                       f"issued_document records {issued['doc_number']}; nothing was changed")
    return {**doc, "document_number": issued["doc_number"], "number_prefix": issued["prefix"],
            "number_year": issued["year"], "number": issued["number"],
            "sha256": doc.get("sha256") or issued["sha256"], "issued_by": issued["issued_by"],
            "issued_at": doc.get("issued_at") or issued["issued_at"],
            "path": issued["path"], "html_path": issued["html_path"]}


def _blank(**values: Any) -> dict[str, Any]:
    base = dict(content_hash="", version=1, path=None, html_path=None, reviewer=None,
                decided_at=None, note=None, decision_ref=None, document_number=None, sha256=None,
                issued_by=None, issued_at=None, issued_on=None, overdue_since=None,
                reply_due=None, org_code=None)
    return {**base, **values}


def _documents() -> tuple[list[dict[str, Any]], list[dict[str, str]], dict[str, str]]:
    """Every document and its cases; and each 催办's period, for its events."""
    issued = {r["subject"]: r for r in _rows("issued_document")}
    cases = _rows("action")
    documents: list[dict[str, Any]] = []
    links: list[dict[str, str]] = []
    for case in cases:
        documents.append(_numbered(_blank(
            id=case["id"], kind=case["action"], period=case["period"], org_code=case["org_code"],
            status=case["status"], content_hash=case["evidence_hash"], path=case["document"],
            html_path=case["html_document"], reviewer=case["reviewer"],
            decided_at=case["decided_at"], note=case["note"], decision_ref=case["decision_ref"],
            document_number=case["doc_number"], sha256=case["document_sha256"],
            issued_at=case["issued_at"], issued_on=case["issued_on"],
            created_at=case["created_at"], updated_at=case["updated_at"]),
            issued.pop(case["id"], None)))
        links.append({"document_id": case["id"], "case_id": case["id"]})
    chase_periods = {}
    for chase in _rows("chase"):
        chase_periods[chase["id"]] = chase["period"]
        documents.append(_numbered(_blank(
            id=chase["id"], kind="chase", period=chase["period"], org_code=chase["org_code"],
            status=chase["status"], path=chase["document"], html_path=chase["html_document"],
            reviewer=chase["reviewer"], decided_at=chase["decided_at"], note=chase["note"],
            document_number=chase["doc_number"], sha256=chase["document_sha256"],
            issued_on=chase["issued_on"], overdue_since=chase["overdue_since"],
            reply_due=chase["reply_due"], created_at=chase["created_at"],
            updated_at=chase["updated_at"]), issued.pop(chase["id"], None)))
        links.append({"document_id": chase["id"], "case_id": chase["action_id"]})
    for circular in _rows("circular_review"):
        kind = next((k for p, k in CIRCULAR_KINDS.items() if circular["subject"].startswith(p)),
                    None)
        if kind is None:
            raise Unplaced(f"migration 0011: circular {circular['subject']} is of no known "
                           "kind; nothing was changed")
        record = issued.pop(circular["subject"], None)
        documents.append(_numbered(_blank(
            id=circular["subject"], kind=kind, period=circular["period"],
            status=circular["status"], content_hash=circular["content_hash"],
            path=circular["document"], html_path=circular["html_document"],
            reviewer=circular["reviewer"], decided_at=circular["decided_at"],
            note=circular["note"], document_number=circular["doc_number"],
            # a circular's printed date was not recorded: the day it was issued stands in
            issued_on=_day(record["issued_at"]) if record else None,
            created_at=circular["updated_at"], updated_at=circular["updated_at"]), record))
    # the period's 通报批评 was issued with its letters and had no review record: it was
    # approved as its cases were; its cases are those whose letters cite its number
    circulated: dict[str, list[dict[str, Any]]] = {}
    for event in _rows("action_event"):
        if event["event"] == "circulated" and event["note"].startswith("通报 "):
            circulated.setdefault(event["note"][3:].strip(), []).append(event)
    by_id = {c["id"]: c for c in cases}
    for subject, record in sorted(issued.items()):
        if not subject.startswith("criticism-"):
            raise Unplaced(f"migration 0011: issued document {record['doc_number']} "
                           f"({subject}) belongs to no case, 催办 or circular; nothing was "
                           "changed")
        members = sorted({e["action_id"] for e in circulated.get(record["doc_number"], [])})
        days = sorted({d for m in members if (d := by_id[m]["issued_on"])})
        documents.append(_numbered(_blank(
            id=subject, kind="criticism_circular", period=record["period"], status="issued",
            reviewer=record["issued_by"], decided_at=record["issued_at"],
            issued_on=days[0] if days else _day(record["issued_at"]),
            created_at=record["issued_at"], updated_at=record["issued_at"]), record))
        links += [{"document_id": subject, "case_id": m} for m in members]
    return documents, links, chase_periods


def _events(chase_periods: dict[str, str]) -> list[dict[str, Any]]:
    events = []
    for event in _rows("action_event"):
        subject, period, note = event["action_id"], event["period"], event["note"]
        if event["event"] in CHASE_EVENTS:
            chase_id, _, rest = note.partition("：")
            if chase_id not in chase_periods:
                raise Unplaced(f"migration 0011: event {event['id']} ({event['event']}) names "
                               f"no 催办 ({note[:60]}); nothing was changed")
            subject, period, note = chase_id, chase_periods[chase_id], rest
        events.append({"subject": subject, "period": period,
                       "event": event["event"], "actor": event["actor"], "note": note,
                       "at": event["at"], "_order": (0, event["id"])})
    for event in _rows("circular_event"):
        events.append({"subject": event["subject"], "period": event["period"],
                       "event": event["event"], "actor": event["actor"], "note": event["note"],
                       "at": event["at"], "_order": (1, event["id"])})
    events.sort(key=lambda e: (_aware(e["at"]), e["_order"]))
    for event in events:
        del event["_order"]
    return events


def _aware(moment: Any) -> Any:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return _utc(moment)


def _drop_old_triggers(pg: bool) -> None:
    for table in OLD_APPEND_ONLY:
        if pg:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def _create_triggers(pg: bool) -> None:
    """The audit log is append-only; an issued document never changes and is never deleted."""
    if pg:
        op.execute("CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON event "
                   "FOR EACH ROW EXECUTE FUNCTION dutyflow_append_only()")
        op.execute("""
            CREATE OR REPLACE FUNCTION dutyflow_issued_frozen() RETURNS trigger AS $$
            BEGIN
                IF OLD.status = 'issued' THEN
                    RAISE EXCEPTION 'dutyflow: issued document % never changes; % refused',
                        OLD.id, TG_OP USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("CREATE TRIGGER document_issued_frozen BEFORE UPDATE OR DELETE ON document "
                   "FOR EACH ROW EXECUTE FUNCTION dutyflow_issued_frozen()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER event_no_{verb.lower()} BEFORE {verb} ON event BEGIN "
                   f"SELECT RAISE(ABORT, 'dutyflow: event is append-only; {verb} refused'); END")
        op.execute(f"CREATE TRIGGER document_issued_no_{verb.lower()} BEFORE {verb} ON document "
                   f"WHEN OLD.status = 'issued' BEGIN SELECT RAISE(ABORT, 'dutyflow: an issued "
                   f"document never changes; {verb} refused'); END")


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    documents, links, chase_periods = _documents()
    events = _events(chase_periods)
    _drop_old_triggers(pg)
    op.rename_table("action", "accountability_case")
    document, link, event = _create_tables()
    op.bulk_insert(document, documents)
    op.bulk_insert(link, links)
    op.bulk_insert(event, events)
    for table in ("circular_event", "circular_review", "chase", "action_event",
                  "issued_document"):
        op.drop_table(table)
    with op.batch_alter_table("accountability_case") as batch_op:
        batch_op.alter_column("action", new_column_name="measure")
        for column in MOVED_CASE_COLUMNS:
            batch_op.drop_column(column)
    with op.batch_alter_table("finding") as batch_op:
        batch_op.alter_column("action", new_column_name="measure")
    with op.batch_alter_table("reply") as batch_op:
        batch_op.alter_column("action_id", new_column_name="case_id")
    with op.batch_alter_table("ranking_entry") as batch_op:
        batch_op.alter_column("doc_number", new_column_name="document_number")
    _create_triggers(pg)


def downgrade() -> None:
    raise RuntimeError("migration 0011 moved every case, 催办 and circular into one documents "
                       "table and is not undone in place: restore the database backup taken "
                       "before the upgrade")
