"""Run dutyflow as a service: a Prefect server on PostgreSQL, a process worker, the deployments.

`dutyflow serve` and the end-to-end test both use these functions, so the documented set-up is
the tested one. Every process started here is stopped by `Service.stop()`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings

HOME = Path(__file__).resolve().parents[1]
POOL = "dutyflow-process"


class ServiceError(DutyflowError):
    exit_code = 1


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist yet."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    admin = create_engine(parsed.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": parsed.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def _prefect() -> list[str]:
    return [sys.executable, "-m", "prefect"]


@dataclass
class Service:
    """The processes of a running dutyflow service, by name (server, worker, desk)."""

    api_url: str
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)

    def run(self, *args: str, timeout: float = 300) -> str:
        """A prefect CLI command against this server; its output, or ServiceError."""
        done = subprocess.run([*_prefect(), *args], env=self.env, cwd=HOME, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            raise ServiceError(f"`prefect {' '.join(args)}` failed: "
                               f"{(done.stderr or done.stdout).strip()[-800:]}")
        return done.stdout

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed by the process's end
        process = subprocess.Popen(command, env=self.env, cwd=HOME, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name], self.commands[name] = process, command
        return process

    def restart(self, name: str) -> subprocess.Popen:
        """Stop one process (and its children) and start it again with the same command."""
        _stop_tree(self.processes.pop(name))
        process = self.start(name, self.commands[name])
        if name == "server":
            wait_healthy(self.api_url, process)
        return process

    def stop(self) -> None:
        """Stop everything started here, children included: the worker first (so it does not
        log the server going away), then the desk and the server."""
        for name in ("worker", "desk", *self.processes):
            if name in self.processes:
                _stop_tree(self.processes.pop(name))


def _stop_tree(process: subprocess.Popen, grace: float = 5) -> None:
    """SIGTERM a process and every descendant (flow runs the worker started), SIGKILL what is
    left after `grace` seconds."""
    try:
        tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    for member in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.terminate()
    _, alive = psutil.wait_procs(tree, timeout=grace)
    for member in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(alive, timeout=grace)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)


def wait_healthy(api_url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceError(f"the Prefect server exited with code {process.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise ServiceError(f"the Prefect server at {api_url} did not become healthy in {timeout:.0f} s")


def start_service(*, prefect_db_url: str, dutyflow_db_url: str, port: int, logs: Path,
                  extra_env: dict[str, str] | None = None, worker: bool = True,
                  desk: bool = True) -> Service:
    """Start the server on PostgreSQL, create the work pool, deploy everything, start a worker."""
    logs.mkdir(parents=True, exist_ok=True)
    ensure_database(prefect_db_url)
    ensure_database(dutyflow_db_url)
    api_url = f"http://127.0.0.1:{port}/api"
    # the desk runs in HOME: a relative key file would land there, not where serve was started
    env = {**os.environ, "DUTYFLOW_DESK_SECRET_FILE": str(Path(settings.desk_secret_file).resolve()),
           **(extra_env or {}),
           "PREFECT_API_URL": api_url,
           "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db_url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_API_URL": api_url,
           "DUTYFLOW_HOME": str(HOME),
           "DUTYFLOW_DATABASE_URL": dutyflow_db_url}
    service = Service(api_url=api_url, env=env, logs=logs)
    try:
        server = service.start("server", [*_prefect(), "server", "start", "--host",
                                          "127.0.0.1", "--port", str(port)])
        wait_healthy(api_url, server)
        service.run("work-pool", "create", POOL, "--type", "process", "--overwrite")
        service.run("--no-prompt", "deploy", "--all")
        if worker:
            service.start("worker", [*_prefect(), "worker", "start", "--pool", POOL,
                                     "--limit", str(settings.worker_limit)])
        if desk:
            service.start("desk", [sys.executable, "-m", "dutyflow.cli", "desk"])
    except BaseException:
        service.stop()
        raise
    return service
