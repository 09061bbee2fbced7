"""The `ingest_reports` flow: find, read, clean and load a period's report tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import FollowUp, status_words
from dutyflow.models.chases import chase_numbers
from dutyflow.models.db import lock_period, session_scope
from dutyflow.models.followup import reply_targets
from dutyflow.models.reports import TableLoad, current_batch, known_org_codes, load_table
from dutyflow.reports.reading import RawTable, Source, find_sources, read_source
from dutyflow.reports.schemas import TABLES, TableSpec, table_specs
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
    def rows_loaded(self) -> int:
        return sum(t.rows_loaded for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables)

    @property
    def changed(self) -> bool:
        return any(t.outcome != "unchanged" for t in self.tables)

    @property
    def rows_standing(self) -> int:
        return sum(rows for rows, _ in self.standing.values())

    @property
    def quarantined_standing(self) -> int:
        return sum(quarantined for _, quarantined in self.standing.values())

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "tables": [asdict(t) for t in self.tables],
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "quarantined": [asdict(q) for q in self.quarantined],
        }


@task(cache_policy=NO_CACHE)
def find_report_tables(input_path: Path) -> dict[str, list[Source]]:
    """Map each table name to the files or sheets that hold it."""
    grouped: dict[str, list[Source]] = defaultdict(list)
    for source in find_sources(input_path):
        grouped[source.table].append(source)
    return dict(grouped)


@task(cache_policy=NO_CACHE)
def read_report_table(sources: list[Source]) -> list[RawTable]:
    """Read the raw cells of every source of one table."""
    return [read_source(s) for s in sources]


@task(cache_policy=NO_CACHE)
def read_known_orgs() -> set[str]:
    """Organization codes already in the database."""
    with session_scope() as session:
        return known_org_codes(session=session)


@task(cache_policy=NO_CACHE)
def read_known_cases() -> dict[str, CaseRef]:
    """The cases a reply (整改反馈) may name, by id and by document number."""
    with session_scope() as session:
        targets = reply_targets(session=session)
        chased = chase_numbers(session=session)
    refs = []
    for case_id, number, status, follow_up, issued_on in targets:
        awaiting = bool(follow_up) and follow_up != FollowUp.CLOSED
        why = "" if awaiting else (status_words(FollowUp.CLOSED) if follow_up == FollowUp.CLOSED
                                   else f"its notice is {status_words(status)}" if status != "issued"
                                   else "its notice asks for no answer")
        refs.append(CaseRef(case_id, number, awaiting, issued_on, why))
    by_case = {r.case_id: r for r in refs}
    refs += [replace(by_case[case_id], doc_number=number) for number, case_id in chased
             if case_id in by_case]  # the 催办's own number names its case too
    return case_lookup(refs)


@task(cache_policy=NO_CACHE)
def read_table_specs(policy_path: Path | None) -> dict[str, TableSpec]:
    """The input tables, with the meeting types the policy knows (its own declared ones too)."""
    return table_specs(load_policy(policy_path or settings.policy_file).all_meeting_types)


@task(cache_policy=NO_CACHE)
def clean_report_table(raws: list[RawTable], spec: TableSpec, period: str,
                       known_orgs: set[str], known_cases: dict[str, CaseRef] | None = None
                       ) -> CleanTable:
    """Type the cells of one table and quarantine its bad rows."""
    return clean_table(raws, spec, period=Period.parse(period), known_orgs=known_orgs,
                       known_cases=known_cases)


@task(cache_policy=NO_CACHE)
def read_standing(period: str) -> dict[str, tuple[int, int]]:
    """Rows kept and quarantined by each table's current load of the period."""
    with session_scope() as session:
        batches = [current_batch(session=session, period=period, table=spec.name)
                   for spec in TABLES]
    return {b.table_name: (b.rows_loaded, b.rows_quarantined) for b in batches if b is not None}


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def load_period(period: str, tables: list[CleanTable]) -> list[TableLoad]:
    """Write every table of the period in one transaction: all of it, or nothing."""
    loads = []
    with session_scope() as session:
        lock_period(session, f"ingest {period}")
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


@flow(name="ingest-reports", flow_run_name="ingest {period}")
def ingest_reports(period: PeriodParam, input_path: Path, policy_path: Path | None = None
                   ) -> IngestSummary:
    """Ingest a period's reports from a folder or workbook."""
    return ingest_period(str(Period.parse(period)), Path(input_path), policy_path)


def ingest_period(period: str, input_path: Path, policy_path: Path | None) -> IngestSummary:
    """The ingest's tasks, in the calling flow run."""
    logger = get_run_logger()
    specs = read_table_specs(policy_path)
    sources = find_report_tables(Path(input_path))
    known = read_known_orgs()
    cleaned: list[CleanTable] = []
    # Organizations first: rows of the other tables may name organizations new this period.
    for spec in TABLES:
        if spec.name not in sources:
            continue
        # quote(): large inputs, which Prefect would otherwise walk looking for futures
        cases = quote(read_known_cases()) if spec.name == "replies" else None
        table = clean_report_table(quote(read_report_table(sources[spec.name])),
                                   quote(specs[spec.name]), period, quote(known), cases)
        if spec.name == "organizations":
            known = known | set(table.rows["org_code"]) if not table.rows.empty else known
        cleaned.append(table)
        logger.info("%s: %d rows good, %d quarantined", spec.name, len(table.rows),
                    table.rows_quarantined)
    loads = load_period(period, quote(cleaned))
    summary = IngestSummary(
        period=period,
        tables=loads,
        quarantined=[q for t, load in zip(cleaned, loads, strict=True)
                     if load.outcome != "unchanged" for q in t.quarantined],
        skipped_tables=[s.name for s in TABLES if s.name not in sources],
        standing=read_standing(period),
    )
    if summary.tables and not summary.changed:  # a re-run: say what stands, not "0 loaded"
        logger.info("ingest %s: the same files were loaded before, nothing loaded again; the "
                    "period holds %d rows, %d quarantined", period, summary.rows_standing,
                    summary.quarantined_standing)
    else:
        logger.info("ingest %s: %d rows loaded, %d quarantined", period, summary.rows_loaded,
                    summary.rows_quarantined)
    return summary
