"""The `ingest_reports` flow: find, read, clean and load a period's report tables.

Each task is one step of `dutyflow.services.ingest`; `ingest_period` is their table of contents."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from dutyflow.core.periods import Period, PeriodParam
from dutyflow.core.report_tables import TableSpec
from dutyflow.models.reports import TableLoad
from dutyflow.reports.reading import RawTable, Source
from dutyflow.reports.validate import CaseRef, CleanTable
from dutyflow.services import ingest
from dutyflow.services.ingest import IngestSummary


@task(cache_policy=NO_CACHE)
def read_table_specs(policy_path: Path | None) -> dict[str, TableSpec]:
    """The input tables, with the meeting types the policy knows (its own declared ones too)."""
    return ingest.read_table_specs(policy_path)


@task(cache_policy=NO_CACHE)
def find_report_tables(input_path: Path) -> dict[str, list[Source]]:
    """Map each table name to the files or sheets that hold it."""
    return ingest.find_report_tables(input_path)


@task(cache_policy=NO_CACHE)
def read_report_table(sources: list[Source]) -> list[RawTable]:
    """Read the raw cells of every source of one table."""
    return ingest.read_report_table(sources)


@task(cache_policy=NO_CACHE)
def read_known_orgs() -> set[str]:
    """Organization codes already in the database."""
    return ingest.read_known_orgs()


@task(cache_policy=NO_CACHE)
def read_known_cases() -> dict[str, CaseRef]:
    """The cases a reply (整改反馈) may name, by id and by document number."""
    return ingest.read_known_cases()


@task(cache_policy=NO_CACHE)
def clean_report_table(raws: list[RawTable], spec: TableSpec, period: str,
                       known_orgs: set[str], known_cases: dict[str, CaseRef] | None = None
                       ) -> CleanTable:
    """Type the cells of one table and quarantine its bad rows."""
    return ingest.clean_report_table(raws, spec, period=period, known_orgs=known_orgs,
                                     known_cases=known_cases)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
def load_period(period: str, tables: list[CleanTable]) -> list[TableLoad]:
    """Write every table of the period in one transaction: all of it, or nothing."""
    return ingest.load_period(period=period, tables=tables)


@flow(name="ingest-reports", flow_run_name="ingest {period}")
def ingest_reports(period: PeriodParam, input_path: Path, policy_path: Path | None = None
                   ) -> IngestSummary:
    """Ingest a period's reports from a folder or workbook."""
    return ingest_period(str(Period.parse(period)), Path(input_path), policy_path)


@task(cache_policy=NO_CACHE)
def read_standing(period: str) -> dict[str, tuple[int, int]]:
    """Rows kept and quarantined by each table's current load of the period."""
    return ingest.read_standing(period)


def ingest_period(period: str, input_path: Path, policy_path: Path | None) -> IngestSummary:
    """The ingest's tasks, in the calling flow run."""
    logger = get_run_logger()
    specs = read_table_specs(policy_path)
    sources = find_report_tables(Path(input_path))
    known = read_known_orgs()
    cleaned: list[CleanTable] = []
    for spec in ingest.loading_order(sources):
        # quote(): large inputs, which Prefect would otherwise walk looking for futures
        cases = quote(read_known_cases()) if ingest.names_cases(spec) else None
        table = clean_report_table(quote(read_report_table(sources[spec.name])),
                                   quote(specs[spec.name]), period, quote(known), cases)
        known = ingest.known_after(known, table)
        cleaned.append(table)
        logger.info("%s: %d rows good, %d quarantined", spec.name, len(table.rows),
                    table.rows_quarantined)
    loads = load_period(period, quote(cleaned))
    summary = ingest.summarise(period, cleaned, loads, read_standing(period))
    if summary.tables and not summary.changed:  # a re-run: say what stands, not "0 loaded"
        logger.info("ingest %s: the same files were loaded before, nothing loaded again; the "
                    "period holds %d rows, %d quarantined", period, summary.rows_standing,
                    summary.quarantined_standing)
    else:
        logger.info("ingest %s: %d rows loaded, %d quarantined", period, summary.rows_loaded,
                    summary.rows_quarantined)
    return summary
