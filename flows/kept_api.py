"""A local Prefect server kept between commands, so the second `dutyflow run` does not wait
for a server to start (8 to 40 s) before its own few seconds of work.

With no API configured the first command that runs a flow starts it in the background: a
small supervisor process (this module run as `python -m dutyflow.flows.kept_api`) that starts
Prefect's server, the same one `temporary_api` starts, and stops it once no command has used
it for `prefect_server_idle_minutes`. Its URL and the supervisor's pid are in
PREFECT_HOME/dutyflow-server.json; PREFECT_HOME/dutyflow-server.lock makes sure two commands
started together start one server, and a command holds PREFECT_HOME/dutyflow-server.users
(shared) while it runs, so the supervisor never stops a server a command is using.
`dutyflow server stop` stops it at once; `DUTYFLOW_PREFECT_KEEP_SERVER=false` goes back to a
server per command.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dutyflow.core.errors import DutyflowError
from dutyflow.flows import temporary_api

_users: IO[str] | None = None  # held (shared lock) while this process may use the server


def _files() -> tuple[Path, Path, Path]:
    home = temporary_api.prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    return (home / "dutyflow-server.json", home / "dutyflow-server.lock",
            home / "dutyflow-server.users")


@contextlib.contextmanager
def _locked(path: Path, mode: int = fcntl.LOCK_EX) -> Iterator[IO[str]]:
    with path.open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a zombie (exited, not yet reaped) is gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    return True


def read_state() -> dict[str, Any] | None:
    """The kept server's URL and supervisor pid, when one is running."""
    state_file = _files()[0]
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = int(state.get("pid", 0))
    return state if _alive(pid) and _is_supervisor(pid) else None


def _is_supervisor(pid: int) -> bool:
    """The pid is still this module's supervisor (after a reboot it may be anyone's)."""
    try:
        return "dutyflow.flows.kept_api" in Path(f"/proc/{pid}/cmdline").read_text(
            errors="replace")
    except OSError:
        return True  # no /proc: trust the pid


def acquire(idle_minutes: float) -> tuple[str, bool]:
    """The kept server's API URL, started now if none runs; and whether this call started it.

    From here until the process ends it counts as a user of the server (not stopped idle)."""
    global _users
    state_file, lock_file, users_file = _files()
    with _locked(lock_file):
        if _users is None:
            _users = users_file.open("a")
            fcntl.flock(_users, fcntl.LOCK_SH)
        state = read_state()
        if state is not None:
            state_file.touch()
            return str(state["url"]), False
        port = temporary_api._free_port()
        log = temporary_api.server_log().open("ab")
        with log:
            supervisor = subprocess.Popen(
                [sys.executable, "-m", "dutyflow.flows.kept_api", str(port),
                 str(idle_minutes * 60)], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)  # outlives this command
        url = f"http://127.0.0.1:{port}/api"
        state_file.write_text(json.dumps({"url": url, "pid": supervisor.pid}),
                              encoding="utf-8")
        return url, True


def alive() -> bool:
    """The kept server this process uses still runs (its supervisor does)."""
    return read_state() is not None


def release() -> None:
    """This command is done with the server: its idle time starts now."""
    global _users
    with contextlib.suppress(OSError):
        _files()[0].touch()
    if _users is not None:
        _users.close()
        _users = None


class ServerInUse(DutyflowError):
    exit_code = 1


def stop() -> bool:
    """Stop the kept server (the supervisor stops Prefect's server); whether one ran. Refused
    while a command uses it: stopping it then would fail that command's flow run."""
    state_file, lock_file, users_file = _files()
    with _locked(lock_file), users_file.open("a") as users:
        state = read_state()
        if state is None:
            state_file.unlink(missing_ok=True)
            return False
        try:  # commands hold this lock shared while they run
            fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerInUse("本地 Prefect 服务正被其他命令使用，请待其运行结束后再停止"
                              "（空闲后它也会自行停止）") from None
        pid = int(state["pid"])
        try:  # the supervisor and the server it started (its session's group)
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        state_file.unlink(missing_ok=True)
        return True


def _supervise(port: int, idle_s: float) -> None:
    """Run Prefect's server until it has been idle `idle_s` seconds or SIGTERM comes."""
    state_file, lock_file, users_file = _files()
    server = temporary_api._spawn(port)

    def finish(*_: Any) -> None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        with contextlib.suppress(OSError, ValueError):
            if json.loads(state_file.read_text(encoding="utf-8")).get("pid") == os.getpid():
                state_file.unlink()
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    interval = min(30.0, max(0.5, idle_s / 6))
    while True:
        time.sleep(interval)
        if server.poll() is not None:
            finish()
        with _locked(lock_file), users_file.open("a") as users:
            try:  # no command holds the server (they hold this lock shared)
                fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            with contextlib.suppress(OSError):
                if time.time() - state_file.stat().st_mtime > idle_s:
                    finish()
            fcntl.flock(users, fcntl.LOCK_UN)


if __name__ == "__main__":
    _supervise(int(sys.argv[1]), float(sys.argv[2]))
