"""Prefect's temporary API server, started the moment a command knows it will run a flow.

With no API configured, Prefect starts its temporary server when the first flow run asks for
a client: it imports the whole server package into this process (about 3 s) and then waits,
idle, while the server process imports it again and opens its database (about 5 s). Started
here instead, before this process imports pandas, SQLAlchemy and the flows, the server starts
on the other core while this one works, and this process never imports the server. It is the
same server Prefect would start (same command, same settings, same database under
PREFECT_HOME), stopped when the process exits; or, by default, the local one kept between
commands (dutyflow.flows.kept_api), started by the first and reused by the next.

The server's own output goes to PREFECT_HOME/dutyflow-server.log, never to the terminal: under
load its shutdown logs a cancelled in-memory consumer (`asyncio.CancelledError ...
Consumer.run()`), which a user would read as a crash after the command's own output.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from dutyflow.core.errors import DutyflowError

STARTUP_TIMEOUT_S = 120
SAY_WAITING_AFTER_S = 2.0
WAITING_WORDS = "正在启动本地 Prefect 服务（首次使用需建立其数据库，约十几秒）{kept}……"
KEPT_WORDS = "，启动后保留给之后的命令沿用"
_stack = ExitStack()
_process: subprocess.Popen[bytes] | None = None
_url: str | None = None
# True once the server is being stopped: Prefect's background services then only report the
# server going away, which dutyflow.console keeps off the console
stopping = False
_kept = False  # the server is the local one kept between commands (dutyflow.flows.kept_api)
_started = False  # this process started it (a reused one is already up)
# True once this process used a local server it started or reused: only then is a refused
# connection Prefect's workers report the local server going away, not a real API's failure
local = False


class ServerDidNotStart(DutyflowError):
    exit_code = 1


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prefect_home() -> Path:
    """PREFECT_HOME as Prefect reads it from the environment, without importing Prefect."""
    return Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()


def server_log() -> Path:
    """Where the server started here writes its own output (appended, one file)."""
    return prefect_home() / "dutyflow-server.log"


def _spawn(port: int, **extra_env: str) -> subprocess.Popen[bytes]:
    """Prefect's own command for its temporary server (prefect.server.api.server), found
    without importing Prefect: the server reads the same settings (environment, profile).
    Its output goes to `server_log()`, not to the terminal of the command that started it."""
    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
           "PREFECT__SERVER_FINAL": "1", **extra_env}
    log = server_log()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.origin).parents[1]),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "error", "--lifespan", "on"], env=env,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)


def start() -> str | None:
    """Start the temporary server unless an API is configured; its API URL, or None.

    The server is spawned before this process imports Prefect (a second); if Prefect's
    settings then name an API after all (a profile, a .env file), it is stopped unused."""
    global _process, _url, _kept, _started, local
    if _url is not None:
        return _url
    if os.environ.get("PREFECT_API_URL"):
        return None
    from dutyflow.core.settings import settings as dutyflow_settings

    process: subprocess.Popen[bytes] | None = None
    if dutyflow_settings.prefect_keep_server:
        from dutyflow.flows import kept_api

        url, started = kept_api.acquire(dutyflow_settings.prefect_server_idle_minutes)
    else:
        port, started = _free_port(), True
        process, url = _spawn(port), f"http://127.0.0.1:{port}/api"
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        if process is not None:
            process.kill()
            process.wait()
        elif started:
            kept_api.stop()
        return None
    _process, _kept, _started = process, process is None, started
    atexit.register(stop)
    _url, local = url, True
    # Heartbeats let a lasting server find runs that crashed; this one ends with the process,
    # and stopping each run's heartbeat thread waits up to a second.
    _stack.enter_context(temporary_settings(updates={PREFECT_API_URL: _url,
                                                     PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))
    return _url


def wait_until_ready() -> None:
    """Block until the server started or found by `start` answers (nothing to wait for
    otherwise)."""
    if _url is None:
        return
    import httpx
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    # at least two minutes: a new Prefect home's database is created and migrated on the first
    # run (15 to 20 s here, more on a slow disk), past Prefect's own default of 20 s
    deadline = time.monotonic() + max(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value(),
                                      STARTUP_TIMEOUT_S)
    said = time.monotonic() + SAY_WAITING_AFTER_S
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if said and _started and time.monotonic() > said:  # a wait a person notices
                print(WAITING_WORDS.format(kept=KEPT_WORDS if _kept else ""),
                      file=sys.stderr, flush=True)
                said = 0.0
            if _process is not None and _process.poll() is not None:
                raise ServerDidNotStart(f"本地 Prefect 服务启动失败（退出码 "
                                        f"{_process.returncode}），详见其日志 {server_log()}")
            if _kept and not _kept_alive():
                raise ServerDidNotStart(f"本地 Prefect 服务在就绪前已停止，详见其日志 "
                                        f"{server_log()}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{_url}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.05)
    raise ServerDidNotStart(f"本地 Prefect 服务（{_url}）未能在规定时间内就绪，详见其日志 "
                            f"{server_log()}")


def _kept_alive() -> bool:
    from dutyflow.flows import kept_api

    return kept_api.alive()


def stop() -> None:
    """Send what Prefect still holds (logs, events), then stop the server (a kept one is
    left running, its idle time starting now)."""
    global _process, _url, _kept, stopping
    if _kept:
        from dutyflow.flows import kept_api

        with contextlib.suppress(Exception):
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=5)
            EventsWorker.drain_all(timeout=5)
        kept_api.release()
        _kept = False
    if _process is not None:
        with contextlib.suppress(Exception):
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all(timeout=5)
            EventsWorker.drain_all(timeout=5)
        stopping = True  # dutyflow.console keeps what Prefect's workers say now off the console
        _process.terminate()
        try:
            _process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _process.kill()
            _process.wait()
    _process, _url = None, None
    _stack.close()
