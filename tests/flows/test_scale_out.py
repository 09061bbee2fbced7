"""Sharded evaluation and drafting on Dask give exactly what one process gives."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from dask.utils import key_split

from dutyflow.core.settings import reload_settings, settings
from dutyflow.flows.cycle import run_cycle
from dutyflow.flows.runners import shard_count
from dutyflow.models.accountability import list_cases
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Finding
from dutyflow.services.shards import assign_shards, subtree_roots

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"


def outcome() -> dict:
    out = Path(settings.output_dir)
    with session_scope() as session:
        actions = sorted((a.id, a.evidence_hash, Path(a.document).name)
                         for a in list_cases(session=session, period="2026-09"))
        findings = sorted((f.id, f.measure, f.text) for f in session.query(Finding))
    drafts = sorted(p.name for p in (out / "2026-09" / "drafts").iterdir())
    return {"actions": actions, "findings": findings, "drafts": drafts}


def cycle_in(folder: Path, monkeypatch, **env: str) -> tuple[dict, int]:
    folder.mkdir()
    monkeypatch.setenv("DUTYFLOW_DATABASE_URL", f"sqlite:///{folder / 'db.sqlite'}")
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(folder / "out"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reload_settings()
    try:
        for month in ("2026-08", "2026-09"):  # two months, so escalation history is involved
            summary = run_cycle(period=month, input_path=SAMPLES / f"{month}-党建报表.xlsx")
        return outcome(), summary.evaluation.shards
    finally:
        for key in env:
            monkeypatch.delenv(key)
        reload_settings()


def test_a_subtree_never_straddles_two_shards():
    orgs = pd.DataFrame({"org_code": ["C1", "C1-A", "C1-A-1", "C2", "C2-A", "C3"],
                         "parent_code": [None, "C1", "C1-A", None, "C2", None]})
    roots = subtree_roots(orgs)
    assert roots.to_dict() == {"C1": "C1", "C1-A": "C1", "C1-A-1": "C1", "C2": "C2",
                               "C2-A": "C2", "C3": "C3"}
    facts = pd.DataFrame({"org_code": ["C1-A-1", "C1-A", "C2-A", "C3", "C1", "C2"]})
    parts = assign_shards(facts, roots, 2)
    assert sorted(sum((list(p["org_code"]) for p in parts), [])) == sorted(facts["org_code"])
    owners = {code: i for i, p in enumerate(parts) for code in p["org_code"]}
    assert owners["C1"] == owners["C1-A"] == owners["C1-A-1"]
    assert owners["C2"] == owners["C2-A"]


def test_dask_shards_give_the_same_findings_actions_and_drafts_as_one_process(tmp_path,
                                                                               monkeypatch):
    single, one = cycle_in(tmp_path / "single", monkeypatch)
    sharded, many = cycle_in(tmp_path / "dask", monkeypatch, DUTYFLOW_DASK_WORKERS="2",
                             DUTYFLOW_SHARDS="4")
    assert one == 1 and many == 4
    assert sharded == single
    assert single["actions"] and single["findings"]


def test_an_existing_cluster_gets_two_shards_per_worker_thread_it_reports(monkeypatch):
    class Client:
        def nthreads(self) -> dict[str, int]:
            return {f"tcp://10.0.0.{i}:4000": 2 for i in range(32)}  # 32 workers, 2 threads

    class Runner:
        client = Client()

    monkeypatch.setenv("DUTYFLOW_DASK_ADDRESS", "tcp://scheduler.example:8786")
    reload_settings()
    try:
        assert shard_count(Runner()) == 128
        monkeypatch.setenv("DUTYFLOW_SHARDS", "10")
        reload_settings()
        assert shard_count(Runner()) == 10  # the setting, when given, wins
    finally:
        monkeypatch.undo()
        reload_settings()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_group(process: subprocess.Popen) -> None:
    """End a process the test started and everything it started (its own session)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


@contextlib.contextmanager
def external_dask(folder: Path, env: dict[str, str], workers: int = 2
                  ) -> Iterator[tuple[str, set[int]]]:
    """A `dask-scheduler` on a free port and `workers` `dask-worker` processes of one thread,
    started as an operator would (the preload the LocalCluster uses, this checkout on
    PYTHONPATH, the run's DUTYFLOW_* settings); (address, the workers' pids). Every process is
    the leader of its own session and is stopped with it, whatever the test did."""
    from distributed import Client

    folder.mkdir()
    address = f"tcp://127.0.0.1:{free_port()}"
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join(paths)}
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> subprocess.Popen:
        with open(folder / f"{name}.log", "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", *args], env=env, cwd=folder,
                                       stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        processes.append(process)
        return process

    try:
        start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
              "--port", address.rsplit(":", 1)[1], "--no-dashboard")
        pids = {start(f"worker-{i}", "distributed.cli.dask_worker", address, "--nthreads", "1",
                      "--no-nanny", "--no-dashboard", "--name", f"external-{i}",
                      "--preload", "dutyflow.flows.dask_preload").pid
                for i in range(workers)}
        with Client(address, timeout=120) as client:
            client.wait_for_workers(workers, timeout=180)
        yield address, pids
    finally:
        for process in reversed(processes):
            stop_group(process)


def test_an_existing_dask_cluster_runs_the_shards_and_gives_what_one_process_gives(
        tmp_path, monkeypatch):
    from distributed import Client, get_task_stream

    single, one = cycle_in(tmp_path / "single", monkeypatch)
    folder = tmp_path / "external"
    run_env = {"DUTYFLOW_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
               "DUTYFLOW_OUTPUT_DIR": str(folder / "out")}
    with external_dask(tmp_path / "cluster", run_env) as (address, worker_pids), \
            Client(address, timeout=60) as client:
        # the scheduler's pool is the test's two processes, not a cluster of the run's own
        assert set(client.run(os.getpid).values()) == worker_pids
        external = set(client.run(os.getpid))  # the two workers' addresses
        with get_task_stream(client=client) as stream:
            # no DUTYFLOW_SHARDS: two shards per worker thread the scheduler reports
            sharded, many = cycle_in(folder, monkeypatch, DUTYFLOW_DASK_ADDRESS=address)
    assert one == 1 and many == 4
    assert sharded == single and single["findings"]
    shard_tasks = [t for t in stream.data if key_split(t["key"]) in {"judge_shard",
                                                                     "render_shard"}]
    # two months, each judged and drafted in 4 shards, all on the external workers, both busy
    assert len(shard_tasks) == 2 * (4 + 4)
    assert {t["worker"] for t in shard_tasks} == external
