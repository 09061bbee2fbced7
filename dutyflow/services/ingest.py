"""Ingesting a period's reports: find, read and clean each table, then load them all in one
transaction.

Plain functions, no Prefect. The ingest flow's tasks are one-line wrappers of these and its
`ingest_period` calls them in order (`flows/ingest.py`); the benchmark's direct run calls the
same functions in the same order, and the mid-month warning reads and cleans through them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import ORGANIZATIONS, REPLIES, TABLES, TableSpec, table_specs
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import CHASE, FollowUp, status_words
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.documents import issued_numbers
from dutyflow.models.followup import reply_targets
from dutyflow.models.reports import TableLoad, current_batch, known_org_codes, load_table
from dutyflow.reports.reading import RawTable, Source, find_sources, read_source
from dutyflow.reports.validate import CaseRef, CleanTable, Quarantine, case_lookup, clean_table
from dutyflow.rules.policy import load_policy


@dataclass
class IngestSummary:
    """What a period's ingest did, table by table, and the rows it quarantined."""

    period: str
    tables: list[TableLoad] = field(default_factory=list)
    quarantined: list[Quarantine] = field(default_factory=list)
    skipped_tables: list[str] = field(default_factory=list)
    # What the period holds after this ingest, table by table: (rows kept, rows quarantined)
    # of its current load, made now or by an earlier run of the same file
    standing: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def rows_standing(self) -> int:
        return sum(rows for rows, _ in self.standing.values())

    @property
    def quarantined_standing(self) -> int:
        return sum(quarantined for _, quarantined in self.standing.values())

    @property
    def rows_loaded(self) -> int:
        return sum(t.rows_loaded for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables)

    @property
    def changed(self) -> bool:
        return any(t.outcome != "unchanged" for t in self.tables)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "tables": [asdict(t) for t in self.tables],
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "quarantined": [asdict(q) for q in self.quarantined],
        }


# ---------------------------------------------------------------------------- reading


def read_table_specs(policy_path: Path | None) -> dict[str, TableSpec]:
    """The input tables, with the meeting types the policy knows (its own declared ones too)."""
    return table_specs(load_policy(policy_path or settings.policy_file).all_meeting_types)


def find_report_tables(input_path: Path) -> dict[str, list[Source]]:
    """Each table found at `input_path` (a folder or a workbook) with the files or sheets
    that hold it."""
    grouped: dict[str, list[Source]] = defaultdict(list)
    for source in find_sources(input_path):
        grouped[source.table].append(source)
    return dict(grouped)


def loading_order(sources: Mapping[str, list[Source]]) -> list[TableSpec]:
    """The tables found, in the order they are cleaned and loaded: organizations first (the
    other tables may name organizations new this period), replies last (they name cases)."""
    return [spec for spec in TABLES if spec.name in sources]


def read_report_table(sources: list[Source]) -> list[RawTable]:
    """The raw cells of every source of one table."""
    return [read_source(s) for s in sources]


# ------------------------------------------------------------------- what rows may name


def read_known_orgs() -> set[str]:
    """Organization codes already in the database."""
    with session_scope() as session:
        return known_org_codes(session=session)


def names_cases(spec: TableSpec) -> bool:
    """Whether the table's rows name cases (the 整改反馈 replies), checked against
    `read_known_cases`."""
    return spec.name == REPLIES.name


def read_known_cases() -> dict[str, CaseRef]:
    """The cases a reply (整改反馈) may name, by id and by document number."""
    with session_scope() as session:
        return known_cases(session=session)


def known_cases(*, session: Session) -> dict[str, CaseRef]:
    """Every case a reply may name, with whether it waits for one (and if not, why not), under
    its id, its notice's number and the numbers of the 催办 letters that chased it."""
    refs = []
    for case_id, number, status, follow_up, issued_on in reply_targets(session=session):
        awaiting = bool(follow_up) and follow_up != FollowUp.CLOSED
        why = "" if awaiting else (status_words(FollowUp.CLOSED) if follow_up == FollowUp.CLOSED
                                   else f"其通知书尚为“{status_words(status)}”" if status != "issued"
                                   else "其通知书不要求反馈")
        refs.append(CaseRef(case_id, number, awaiting, issued_on, why))
    by_case = {r.case_id: r for r in refs}
    refs += [replace(by_case[case_id], doc_number=number)
             for number, case_id in issued_numbers(session=session, kinds=(CHASE,))
             if case_id in by_case]  # the 催办's own number names its case too
    return case_lookup(refs)


# --------------------------------------------------------------------------- cleaning


def clean_report_table(raws: list[RawTable], spec: TableSpec, *, period: str,
                       known_orgs: set[str], known_cases: dict[str, CaseRef] | None = None
                       ) -> CleanTable:
    """Type the cells of one table and quarantine its bad rows."""
    return clean_table(raws, spec, period=Period.parse(period), known_orgs=known_orgs,
                       known_cases=known_cases)


def known_after(known: set[str], table: CleanTable) -> set[str]:
    """The organizations the next tables may name: those known, and those `table` brings."""
    if table.spec_name != ORGANIZATIONS.name or table.rows.empty:
        return known
    return known | set(table.rows["org_code"])


# ---------------------------------------------------------------------------- loading


def load_period(*, period: str, tables: list[CleanTable]) -> list[TableLoad]:
    """Write every table of the period in one transaction: all of it, or nothing."""
    with session_scope() as session:
        lock_period(session, f"ingest {period}")
        return load_tables(session=session, period=period, tables=tables)


def load_tables(*, session: Session, period: str, tables: list[CleanTable]) -> list[TableLoad]:
    """Load each cleaned table, with its quarantined rows, inside the caller's transaction."""
    loads = []
    for table in tables:
        columns = [c.name for c in table.spec.columns] + ["extra"]
        quarantined = [
            {"source_file": q.file, "sheet": q.sheet, "row_number": q.row,
             "column": q.column, "value": q.value, "reason": q.reason}
            for q in table.quarantined
        ]
        loads.append(load_table(
            session=session, period=period, table=table.spec_name,
            rows=table.rows, columns=columns, quarantined=quarantined,
            source_file="; ".join(sorted({s.path.name for s in table.sources})),
            sheet="; ".join(sorted({s.sheet for s in table.sources if s.sheet})),
            checksums=table.checksums, rows_read=table.rows_read,
        ))
    return loads


def summarise(period: str, cleaned: list[CleanTable], loads: list[TableLoad],
              standing: dict[str, tuple[int, int]] | None = None) -> IngestSummary:
    """What the ingest did; the quarantined rows of the tables it loaded (a table unchanged
    since its last load reports none again); what the period holds now."""
    found = {t.spec_name for t in cleaned}
    return IngestSummary(
        period=period,
        tables=loads,
        quarantined=[q for t, load in zip(cleaned, loads, strict=True)
                     if load.outcome != "unchanged" for q in t.quarantined],
        skipped_tables=[s.name for s in TABLES if s.name not in found],
        standing=standing or {},
    )


def read_standing(period: str) -> dict[str, tuple[int, int]]:
    """Rows kept and quarantined by each table's current load of the period."""
    with session_scope() as session:
        batches = [current_batch(session=session, period=period, table=spec.name)
                   for spec in TABLES]
    return {b.table_name: (b.rows_loaded, b.rows_quarantined) for b in batches if b is not None}
