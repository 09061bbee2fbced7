"""End to end on a real Prefect server backed by PostgreSQL: deploy, trigger, review, artifacts.

Starts `prefect server`, deploys prefect.yaml, starts a process worker, triggers runs through
the API as a user would from the UI, and stops every process it started.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import psutil
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.deployments import run_deployment
from prefect.flow_runs import resume_flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import create_engine, text

from dutyflow.server import Service, ensure_database, start_service

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
PG = "postgresql://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[tuple[Service, str, Path]]:
    try:
        ensure_database(f"{PG}/test")
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG}: {exc}")
    suffix = uuid.uuid4().hex[:8]
    prefect_db, dutyflow_db = f"prefect_e2e_{suffix}", f"dutyflow_e2e_{suffix}"
    out = tmp_path_factory.mktemp("e2e")
    svc = start_service(prefect_db_url=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{prefect_db}",
                        dutyflow_db_url=f"{PG}/{dutyflow_db}", port=free_port(), logs=out / "logs",
                        extra_env={"DUTYFLOW_OUTPUT_DIR": str(out / "documents"),
                                   "DUTYFLOW_DESK_PORT": str(free_port()),
                                   "DUTYFLOW_DESK_SECRET_FILE": str(out / "desk-secret")})
    try:
        yield svc, f"{PG}/{dutyflow_db}", out
    finally:
        svc.stop()
        admin = create_engine(f"{PG}/test".replace("postgresql://", "postgresql+psycopg://"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in (prefect_db, dutyflow_db):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def trigger(svc: Service, name: str, **parameters) -> UUID:
    with temporary_settings({PREFECT_API_URL: svc.api_url}):
        return run_deployment(name, parameters=parameters, timeout=0).id


def wait_for(svc: Service, run_id: UUID, states: set[str], timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    with temporary_settings({PREFECT_API_URL: svc.api_url}), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state and state.type.value in states:
                return state.type.value
            if state and state.is_final():
                raise AssertionError(f"run ended {state.type.value}: {state.message}; "
                                     f"see {svc.logs}/worker.log")
            time.sleep(2)
    raise AssertionError(f"run {run_id} did not reach {states} in {timeout} s")


def query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_deployments_have_schedules_and_refuse_a_bad_period(service):
    svc, _, _ = service
    listing = svc.run("deployment", "ls")
    for name in ("monthly-cycle", "quarter-circular", "dutyflow-cycle", "review-actions",
                 "issue-notices", "mid-month-warning", "quarter-ranking", "year-roll-up",
                 "send-notifications"):
        assert name in listing
    inspected = svc.run("deployment", "inspect", "monthly-cycle/monthly")
    assert "0 9 5 * *" in inspected and "Asia/Shanghai" in inspected
    warning = svc.run("deployment", "inspect", "mid-month-warning/mid-month-warning")
    assert "0 9 20 * *" in warning and "Asia/Shanghai" in warning
    ranking = svc.run("deployment", "inspect", "quarter-ranking/quarter-ranking")
    assert "0 9 12 1,4,7,10 *" in ranking
    assert "0 9 20 1 *" in svc.run("deployment", "inspect", "year-roll-up/year-roll-up")
    with pytest.raises(Exception, match="does not match"):
        svc.run("deployment", "run", "dutyflow-cycle/cycle", "--param", "period=2026-13",
                "--param", f"input_path={SAMPLES}")


def test_a_manual_run_completes_with_actions_artifacts_and_documents(service):
    svc, db, out = service
    run_id = trigger(svc, "dutyflow-cycle/cycle", period="2026-08",
                     input_path=str(SAMPLES / "2026-08-党建报表.xlsx"))
    assert wait_for(svc, run_id, {"COMPLETED"}) == "COMPLETED"
    actions = query(db, "SELECT id, path FROM document WHERE period = '2026-08'")
    assert actions and all(Path(doc).exists() for _, doc in actions)
    assert all(str(out / "documents") in doc for _, doc in actions)
    with temporary_settings({PREFECT_API_URL: svc.api_url}), get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
    kinds = {a.type for a in artifacts}
    assert {"markdown", "table"} <= kinds
    summary = next(a for a in artifacts if a.type == "markdown")
    assert "隔离的错误数据" in summary.data and "data:image/svg+xml;base64," in summary.data


def test_two_identical_runs_at_once_make_no_duplicates(service):
    svc, db, _ = service
    params = {"period": "2026-09", "input_path": str(SAMPLES / "2026-09-党建报表.xlsx")}
    runs = [trigger(svc, "dutyflow-cycle/cycle", **params) for _ in range(2)]
    for run_id in runs:
        assert wait_for(svc, run_id, {"COMPLETED"}) == "COMPLETED"
    [(total, distinct)] = query(db, "SELECT count(*), count(DISTINCT id) FROM accountability_case "
                                    "WHERE period = '2026-09'")
    assert total == distinct > 0
    [(batches,)] = query(db, "SELECT count(*) FROM ingest_batch WHERE period = '2026-09' "
                             "AND current")
    assert batches == 4
    [(meetings,)] = query(db, "SELECT count(*) FROM meeting WHERE period = '2026-09'")
    [(distinct_meetings,)] = query(db, "SELECT count(*) FROM (SELECT DISTINCT org_code, "
                                       "meeting_type, held_on, attendees FROM meeting "
                                       "WHERE period = '2026-09') m")
    assert meetings == distinct_meetings


def final_state(svc: Service, run_id: UUID, timeout: float = 300):
    deadline = time.monotonic() + timeout
    with temporary_settings({PREFECT_API_URL: svc.api_url}), get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state and state.is_final():
                return state
            time.sleep(2)
    raise AssertionError(f"run {run_id} did not end in {timeout} s")


def test_a_suspended_review_survives_a_server_restart_and_its_decisions_land(service):
    svc, db, _ = service
    pending = [r[0] for r in query(db, "SELECT c.id FROM accountability_case c JOIN document d "
                                       "ON d.id = c.id WHERE c.period = '2026-08' AND "
                                       "d.status = 'draft' AND NOT c.proposal ORDER BY c.id")]
    assert len(pending) >= 3
    run_id = trigger(svc, "review-actions/review", period="2026-08")
    assert wait_for(svc, run_id, {"PAUSED"}) == "PAUSED"
    with temporary_settings({PREFECT_API_URL: svc.api_url}), get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        assert run.state.name == "Suspended"  # no process waits: the worker slot is free
        links = [a.data for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))]
    desk = svc.env["DUTYFLOW_DESK_PORT"]  # a link artifact is markdown: "[text](url)"
    assert any(f"(http://127.0.0.1:{desk}/queue?period=2026-08)" in link for link in links)
    assert any(f"(http://127.0.0.1:{desk}/documents/{pending[0]})" in link for link in links)
    assert httpx.get(f"http://127.0.0.1:{desk}/health", timeout=5).status_code == 200

    # a second review of the same period does not open while this one is open
    second = trigger(svc, "review-actions/review", period="2026-08")
    state = final_state(svc, second)
    assert state.is_completed() and "already open" in state.message

    svc.restart("server")
    svc.restart("worker")
    with temporary_settings({PREFECT_API_URL: svc.api_url}):
        resume_flow_run(run_id, run_input={
            "reviewer": "张主任",
            "decisions": [
                {"document_id": pending[0], "decision": "approve"},
                {"document_id": pending[1], "decision": "reject", "note": "已提交补充材料"},
                {"document_id": pending[2], "decision": "reject"},  # no reason: refused
            ]})
    state = final_state(svc, run_id)
    assert state.is_failed()
    assert "1 decisions refused, 2 recorded" in state.message
    assert f"{pending[2]}: 驳回须写明理由" in state.message
    statuses = dict(query(db, "SELECT id, status FROM document WHERE period = '2026-08'"))
    assert statuses[pending[0]] == "approved" and statuses[pending[1]] == "rejected"
    assert statuses[pending[2]] == "draft"
    events = query(db, f"SELECT event, actor, note FROM event WHERE subject = '{pending[1]}' "
                       "ORDER BY id")
    assert events[-1] == ("rejected", "张主任", "已提交补充材料")


def test_stopping_the_service_stops_its_processes_quickly(service):
    svc, _, _ = service
    pids = {name: p.pid for name, p in svc.processes.items()}
    assert set(pids) == {"server", "worker", "desk"}
    logs = {name: (svc.logs / f"{name}.log").stat().st_size for name in pids}
    started = time.monotonic()
    svc.stop()
    assert time.monotonic() - started < 15
    assert not [pid for pid in pids.values() if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    for name, offset in logs.items():  # what stopping wrote (earlier runs' output is theirs)
        with open(svc.logs / f"{name}.log", "rb") as log:
            log.seek(offset)
            assert b"Traceback" not in log.read(), f"{name}.log"
