"""Crash safety: a failure at each stage boundary, then a retry, equals a clean run.

Faults are injected by name (dutyflow.core.faults): as an exception in-process, and as a SIGKILL
of a real `dutyflow` process. After the retry: the same actions and ids, the same findings,
no orphan documents, document numbers 1..N with no gap and no repeat.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dutyflow.core.faults import POINTS
from dutyflow.core.settings import reload_settings, settings
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.notices import issue_notices
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Document, Finding
from dutyflow.services.review import decide

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "2026-08-党建报表.xlsx"
ISSUED_ON = date(2026, 11, 22)
APPROVE = 3


def snapshot() -> dict:
    """What a user could observe: actions, findings, numbers, and the files on disk."""
    out = Path(settings.output_dir).resolve()
    with session_scope() as session:
        actions = sorted((a.id, a.status, a.document_number, a.evidence_hash)
                         for a in list_cases(session=session, period="2026-08"))
        findings = sorted(f.id for f in session.query(Finding).filter(Finding.current))
        numbers = sorted(d.number for d in session.query(Document).filter(Document.number.isnot(None)))
    # the output folder's caches (the titles' words, the charts) are not documents; a
    # half-written one is still caught (.tmp)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()
                   and p.suffix in (".docx", ".html", ".json", ".tmp")
                   and not (p.parent.name in (".titles", ".charts") and p.suffix != ".tmp"))
    return {"actions": actions, "findings": findings, "numbers": numbers, "files": files}


def approve_and_issue() -> None:
    """Approve the first APPROVE actions (those still drafts) and issue."""
    with session_scope() as session:
        first = list_cases(session=session, period="2026-08")[:APPROVE]
        drafts = [(a.id, a.proposal) for a in first if a.status == "draft"]
    for action_id, proposal in drafts:
        decide(document_id=action_id, decision="approve", reviewer="张主任",
               decision_ref="工委会议纪要〔2026〕9号" if proposal else "")
    issue_notices(period="2026-08", on=ISSUED_ON)


def use(url: str, out: Path, monkeypatch) -> None:
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", url)
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(out))
    reload_settings()


@pytest.fixture(scope="module")
def clean_state(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as mp:
        use(f"sqlite:///{folder / 'clean.db'}", folder / "out", mp)
        run_cycle(period="2026-08", input_path=SAMPLE)
        approve_and_issue()
        state = snapshot()
    reload_settings()
    assert state["numbers"] == list(range(1, APPROVE + 1))
    return state


@pytest.mark.parametrize("point", POINTS)
def test_an_exception_at_each_stage_then_a_retry_equals_a_clean_run(point, db_url, clean_state,
                                                                     monkeypatch):
    monkeypatch.setenv("DUTYFLOW_FAULT", point)
    if point == "mid_issue":
        run_cycle(period="2026-08", input_path=SAMPLE)
        with pytest.raises(Exception, match="injected fault at mid_issue"):
            approve_and_issue()
    else:
        state = run_cycle(period="2026-08", input_path=SAMPLE, return_state=True)
        assert state.is_failed()
    monkeypatch.delenv("DUTYFLOW_FAULT")
    run_cycle(period="2026-08", input_path=SAMPLE)
    approve_and_issue()
    assert snapshot() == clean_state


def _dutyflow(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI in its own process group; after it ends (or is killed), stop whatever it
    left behind (a killed CLI orphans its ephemeral Prefect server)."""
    log = cwd / "cli.log"
    with open(log, "w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "dutyflow.cli", *args], env=env,
                                   cwd=cwd, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            code = process.wait(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, code, log.read_text(), "")


@pytest.mark.parametrize("point", POINTS)
def test_a_killed_process_at_each_stage_then_a_retry_equals_a_clean_run(point, tmp_path,
                                                                        clean_state, monkeypatch):
    url, out = f"sqlite:///{tmp_path / 'killed.db'}", tmp_path / "out"
    env = {**os.environ, "DUTYFLOW_DATABASE_URL": url, "DUTYFLOW_OUTPUT_DIR": str(out)}
    killed = {**env, "DUTYFLOW_FAULT": point, "DUTYFLOW_FAULT_MODE": "kill"}
    run = ("run", "--input", str(SAMPLE), "--period", "2026-08")
    if point == "mid_issue":
        assert _dutyflow(*run, env=env, cwd=tmp_path).returncode == 0
        use(url, out, monkeypatch)
        with session_scope() as session:
            ids = [(a.id, a.proposal)
                   for a in list_cases(session=session, period="2026-08")][:APPROVE]
        for action_id, proposal in ids:
            decide(document_id=action_id, decision="approve", reviewer="张主任",
                   decision_ref="工委会议纪要〔2026〕9号" if proposal else "")
        reload_settings()
        died = _dutyflow("issue", "--period", "2026-08", env=killed, cwd=tmp_path)
    else:
        died = _dutyflow(*run, env=killed, cwd=tmp_path)
    assert died.returncode == -9, died.stdout[-2000:]
    assert _dutyflow(*run, env=env, cwd=tmp_path).returncode == 0
    use(url, out, monkeypatch)
    approve_and_issue()
    assert snapshot() == clean_state
