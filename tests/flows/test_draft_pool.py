"""Without Dask a month's notices are drafted on every core: processes forked from a fork
server draft exactly what the cycle's own process would (the same bytes), as the caller's
settings say, including what was set in the process rather than the environment."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date
from pathlib import Path

from dutyflow.core.settings import settings
from dutyflow.flows.cycle import run_cycle
from dutyflow.services.draft_pool import (
    MIN_PER_PROCESS,
    draft_on_cores,
    processes_for,
    warm_up,
)
from dutyflow.services.drafting import plan_drafts
from tests.conftest import OFFICE_FILE
from tests.flows.test_chasing import SAMPLES

ON = date(2026, 11, 2)


def bodies(drafts: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Each draft's document.xml (the text, title lines and tables), by case."""
    return {case: hashlib.sha256(zipfile.ZipFile(docx).read("word/document.xml")).hexdigest()
            for case, (docx, _) in drafts.items()}


def test_processes_draft_what_one_process_drafts(sqlite_url, tmp_path, monkeypatch):
    from sqlalchemy import update

    from dutyflow.models.db import session_scope
    from dutyflow.models.tables import Document

    monkeypatch.setattr(settings, "drafting_processes", 1)
    run_cycle(period="2026-10", input_path=SAMPLES / "2026-10-党建报表.xlsx", on=ON)
    with session_scope() as session:  # every draft counts as missing: plan them all again
        session.execute(update(Document).where(Document.period == "2026-10").values(path=None))
    [items] = plan_drafts(period="2026-10", shards=1, on=ON)
    assert len(items) >= 9
    # an office named in this process only (no environment variable says it): the processes
    # must sign as it too
    office = tmp_path / "office.toml"
    office.write_text(OFFICE_FILE.read_text(encoding="utf-8").replace(
        '"中共云川市委市直机关工作委员会"   # 落款署名', '"中共云川市委直属机关工作委员会"'),
        encoding="utf-8")
    monkeypatch.setattr(settings, "office_file", office)
    monkeypatch.setattr(settings, "_office", None)
    here = draft_on_cores(items, on=ON, output_dir=tmp_path / "one", processes=1)
    counts: list[int] = []  # what the progress artifact is told, part by part
    there = draft_on_cores(items, on=ON, output_dir=tmp_path / "three", processes=3,
                           drafted=counts.append)
    assert len(counts) > 1 and counts == sorted(counts) and counts[-1] == len(items)
    assert list(there) == list(here) == [i.action.id for i in items]  # the caller's order
    assert bodies(there) == bodies(here)
    signed = zipfile.ZipFile(next(iter(there.values()))[0]).read("word/document.xml")
    assert "中共云川市委直属机关工作委员会".encode() in signed
    assert all(Path(docx).parent == tmp_path / "three" / "2026-10" / "drafts"
               for docx, _ in there.values())


def test_the_cycle_drafts_on_the_processes_it_is_given(sqlite_url, monkeypatch):
    monkeypatch.setenv("DUTYFLOW_DRAFTING_PROCESSES", "2")
    monkeypatch.setattr(settings, "drafting_processes", 2)
    summary = run_cycle(period="2026-10", input_path=SAMPLES / "2026-10-党建报表.xlsx", on=ON)
    assert summary.drafted >= 9
    from dutyflow.models.accountability import list_cases
    from dutyflow.models.db import session_scope

    with session_scope() as session:
        cases = list_cases(session=session, period="2026-10")
    assert len(cases) == summary.drafted
    assert all(c.document and Path(c.document).is_file() for c in cases)
    again = run_cycle(period="2026-10", input_path=SAMPLES / "2026-10-党建报表.xlsx", on=ON)
    assert again.drafted == 0  # a re-run changes nothing


def test_a_few_notices_are_drafted_in_the_process_itself(monkeypatch):
    monkeypatch.setattr(settings, "drafting_processes", 0)
    assert processes_for(MIN_PER_PROCESS - 1) == 1
    assert processes_for(0) == 1
    assert 1 <= processes_for(100 * MIN_PER_PROCESS) <= 8
    monkeypatch.setattr(settings, "drafting_processes", 3)
    assert processes_for(2) == 2 and processes_for(1000) == 3


def test_the_fork_server_starts_early_only_for_a_month_that_will_use_it(monkeypatch):
    monkeypatch.setattr(settings, "drafting_processes", 0)
    assert not warm_up(300)  # a city's month: drafted in the cycle's own process
    monkeypatch.setattr(settings, "drafting_processes", 1)
    assert not warm_up(200_000)  # told to draft in one process
    monkeypatch.setattr(settings, "drafting_processes", 2)
    assert warm_up(20_000)
