"""The month's cycle judges the e-ledger's meetings as it judges a workbook's rows: one source
per organization and period (the workbook's rows where it has them), on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from dutyflow.cli import app
from dutyflow.core.settings import reload_settings
from dutyflow.flows.cycle import run_cycle
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Finding, LedgerMeeting, Meeting, Organization
from dutyflow.services.ledger import record_meeting
from dutyflow.services.portal import Scope
from dutyflow.services.reviewers import UNIT, Reviewer
from tests.conftest import scratch_pg_database

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MONTH = "2026-08"
runner = CliRunner()


def sample() -> Path:
    return SAMPLES / f"{MONTH}-党建报表.xlsx"


def without_meetings(out: Path) -> Path:
    """The sample month's workbook less its meetings sheet (组织生活台账)."""
    book = load_workbook(sample())
    for sheet in [s for s in book.sheetnames if "组织生活" in s]:
        book.remove(book[sheet])
    assert len(book.sheetnames) == 3
    path = out / f"{MONTH}-无会议.xlsx"
    book.save(path)
    return path


def outcome() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The month's current findings and its cases, as comparable values."""
    with session_scope() as session:
        findings = {(f.id, f.org_code, f.family, f.subject, f.span, f.rule_id, f.measure,
                     json.dumps(f.facts, sort_keys=True, default=str))
                    for f in session.execute(select(Finding).where(
                        Finding.period == MONTH, Finding.current)).scalars()}
        cases = {(c.id, c.org_code, c.measure, tuple(c.rule_ids), c.evidence_hash)
                 for c in session.execute(select(Case).where(Case.period == MONTH)).scalars()}
    return findings, cases


def stored_meetings() -> list[dict[str, Any]]:
    with session_scope() as session:
        return [{"org_code": m.org_code, "meeting_types": [m.meeting_type],
                 "held_on": m.held_on.isoformat(), "attendees": m.attendees}
                for m in session.execute(select(Meeting).where(Meeting.period == MONTH)
                                         .order_by(Meeting.id)).scalars()]


def record_in_ledger(entries: list[dict[str, Any]]) -> None:
    """Record the entries as the organizations' accounts would (a unit account over all)."""
    with session_scope() as session:
        codes = frozenset(session.execute(select(Organization.org_code)).scalars())
    scope = Scope(Reviewer("台账录入员", "", None, UNIT), "", codes)
    for entry in entries:
        record_meeting(scope, entry)


@contextmanager
def second_database(first_url: str, tmp_path: Path, monkeypatch,
                    name: str = "ledger") -> Iterator[str]:
    """Another empty database of the same kind as the test's, dutyflow pointed at it."""
    if first_url.startswith("sqlite"):
        urls: Any = iter([f"sqlite:///{tmp_path / f'{name}.db'}"])
        context = None
    else:
        context = scratch_pg_database(f"dutyflow_{name}")
        urls = iter([context.__enter__()])
    url = next(urls)
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", url)
    reload_settings()
    try:
        yield url
    finally:
        monkeypatch.setenv("DUTYFLOW_DATABASE_URL", first_url)
        reload_settings()
        if context is not None:
            context.__exit__(None, None, None)


def ledger_sessions() -> int:
    with session_scope() as session:
        return len(list(session.execute(select(LedgerMeeting.id)).scalars()))


def test_the_ledger_alone_and_its_export_are_judged_as_the_same_meetings_in_a_workbook(
        db_url, tmp_path, monkeypatch):
    run_cycle(period=MONTH, input_path=sample())
    from_workbook = outcome()
    meetings = stored_meetings()
    assert meetings and from_workbook[0] and from_workbook[1]
    assert any(f[2] == "meeting" for f in from_workbook[0])

    with second_database(db_url, tmp_path, monkeypatch):
        result = runner.invoke(app, ["ingest", "--period", MONTH,
                                     "--input", str(without_meetings(tmp_path))])
        assert result.exit_code == 0, result.output
        record_in_ledger(meetings)
        assert ledger_sessions() == len(meetings)
        result = runner.invoke(app, ["run", "--period", MONTH])
        assert result.exit_code == 0, result.output
        assert "未给报表文件，按已载入的报表和电子台账评查" in result.output
        from_ledger = outcome()
        assert from_ledger == from_workbook
        # re-running changes nothing
        result = runner.invoke(app, ["run", "--period", MONTH])
        assert result.exit_code == 0, result.output
        assert "新立 0 件" in result.output
        assert outcome() == from_workbook
        # the ledger exported in the workbook layout, for an office working in Excel
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        result = runner.invoke(app, ["ledger", "export", "--period", MONTH,
                                     "--output", str(inbox / "台账导出.xlsx")])
        assert result.exit_code == 0, result.output
        assert f"已导出 {ledger_sessions()} 次组织生活" in result.output
        without_meetings(inbox)

    # ingested into a fresh database beside the rest of the month's reports: the same
    with second_database(db_url, tmp_path, monkeypatch, "exported"):
        run_cycle(period=MONTH, input_path=inbox)
        assert outcome() == from_workbook
        assert ledger_sessions() == 0 and len(stored_meetings()) == len(meetings)


def test_a_workbook_replaces_the_ledger_for_the_organizations_it_has_rows_for(db_url):
    run_cycle(period=MONTH, input_path=sample())
    before = outcome()
    meetings = stored_meetings()
    covered = {m["org_code"] for m in meetings}
    with session_scope() as session:
        branches = {o.org_code: o for o in session.execute(select(Organization).where(
            Organization.org_type == "党支部")).scalars()}
    # a branch the workbook has rows for and finds wanting: its ledger entries are not counted
    found = {f[1] for f in before[0] if f[2] == "meeting"}
    flooded = sorted(covered & set(branches) & found)[0]
    lots = [{"org_code": flooded, "meeting_types": [t], "held_on": f"{MONTH}-{d:02d}",
             "attendees": branches[flooded].members, "full_members_present": None}
            for t in ("支部委员会会议", "支部党员大会", "党课", "党小组会", "主题党日")
            for d in (3, 10, 17)]
    record_in_ledger(lots)
    run_cycle(period=MONTH, input_path=sample())
    after = outcome()
    assert after == before
    assert flooded in {f[1] for f in after[0] if f[2] == "meeting"}


def test_a_run_with_no_input_and_nothing_stored_is_refused_in_chinese(db_url):
    result = runner.invoke(app, ["run", "--period", MONTH])
    assert result.exit_code == 2, result.output
    assert "2026-08 既没有载入的报表，电子台账也没有记录会议" in result.output
    with session_scope() as session:
        assert not list(session.execute(select(Finding.id)).scalars())


@pytest.mark.parametrize("held_on", [date(2026, 8, 12)])
def test_ledger_entries_count_where_no_workbook_has_rows(db_url, tmp_path, held_on):
    """Without a meetings workbook, an organization's duty is met by its ledger entries: its
    meeting finding goes once they are recorded."""
    run_cycle(period=MONTH, input_path=without_meetings(tmp_path))
    # nothing reported for meetings: no meeting duty judged
    assert not {f for f in outcome()[0] if f[2] == "meeting"}
    with session_scope() as session:
        branch = session.execute(select(Organization).where(
            Organization.org_type == "党支部").order_by(Organization.org_code)).scalars().first()
        assert branch is not None
        code, members = branch.org_code, branch.members
    record_in_ledger([{"org_code": code, "meeting_types": ["主题党日"],
                       "held_on": held_on.isoformat(), "attendees": members}])
    run_cycle(period=MONTH, input_path=without_meetings(tmp_path))
    judged = {f for f in outcome()[0] if f[2] == "meeting"}
    assert judged  # the ledger reported the month: its duties are judged
    assert any(f[3] == "theme_day" for f in judged)
    assert not {f for f in judged if f[1] == code and f[3] == "theme_day"}


def test_the_mid_month_warning_counts_this_months_ledger(db_url, tmp_path):
    """A month not yet reported in a workbook: the meetings recorded in the ledger so far
    count, so a branch that held its theme day is not warned of it; the others are."""
    from dutyflow.flows.scheduled import mid_month
    from tests.factories import read_sheet

    run_cycle(period=MONTH, input_path=sample())
    book = load_workbook(SAMPLES / "2026-09-党建报表.xlsx")
    book.remove(book["组织生活"])
    folder = tmp_path / "inbox" / "2026-09"
    folder.mkdir(parents=True)
    book.save(folder / "2026-09-党建报表.xlsx")

    def theme_day_wanting() -> set[str]:
        path = mid_month(period="2026-09", input_path=folder, today=date(2026, 9, 18))
        not_held = read_sheet(path, "尚未开展的组织生活")
        return set(not_held[not_held["应开展"] == "主题党日"]["组织编码"])

    wanting = theme_day_wanting()
    assert len(wanting) > 1
    held = sorted(wanting)[0]
    with session_scope() as session:
        members = session.get(Organization, held).members  # type: ignore[union-attr]
    record_in_ledger([{"org_code": held, "meeting_types": ["主题党日"],
                       "held_on": "2026-09-10", "attendees": members}])
    assert theme_day_wanting() == wanting - {held}
