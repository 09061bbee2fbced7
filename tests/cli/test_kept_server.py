"""With no Prefect API configured, the commands that run flows keep one local Prefect server
between them: the first starts it, the next reuse it (each still one flow run per cycle, seen
through the server's API), `dutyflow server stop` stops it, and it stops itself when idle."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.processes import command_env, dutyflow
from tests.flows.test_chasing import SAMPLES

KEPT = {"DUTYFLOW_PREFECT_KEEP_SERVER": "true", "DUTYFLOW_PREFECT_SERVER_IDLE_MINUTES": "10"}


def state(tmp_path):
    path = tmp_path / "prefect-home" / "dutyflow-server.json"
    return json.loads(path.read_text()) if path.exists() else None


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return True
        time.sleep(0.2)
    return False


def test_two_runs_share_one_kept_server_and_server_stop_stops_it(tmp_path):
    workbook = str(SAMPLES / "2026-10-党建报表.xlsx")
    try:
        first = dutyflow(tmp_path, "run", "-i", workbook, "-p", "2026-10", **KEPT)
        assert first.returncode == 0, first.stderr
        # a new Prefect home's server takes seconds to start: the wait is explained
        assert "正在启动本地 Prefect 服务" in first.stderr, first.stderr
        kept = state(tmp_path)
        assert kept is not None and kept["url"].startswith("http://127.0.0.1:")
        # the first command has ended; its server answers still
        assert httpx.get(kept["url"] + "/health", timeout=10).status_code == 200
        second = dutyflow(tmp_path, "run", "-i", workbook, "-p", "2026-10", **KEPT)
        assert second.returncode == 0, second.stderr
        assert "报表文件与上次载入的相同" in second.stdout
        assert "Traceback" not in second.stderr
        assert "正在启动" not in second.stderr  # nothing started: nothing to wait for
        assert state(tmp_path) == kept  # the same server: same address, same process
        runs = httpx.post(kept["url"] + "/flow_runs/filter", json={}, timeout=30).json()
        assert sorted((r["name"], r["state_type"]) for r in runs) == [
            ("cycle 2026-10", "COMPLETED"), ("cycle 2026-10", "COMPLETED")]
        status = dutyflow(tmp_path, "server", "status", **KEPT)
        assert f"运行中：{kept['url']}" in status.stdout
    finally:
        stopped = dutyflow(tmp_path, "server", "stop", **KEPT)
    assert stopped.returncode == 0 and "本地 Prefect 服务已停止" in stopped.stdout
    assert gone(kept["pid"], within=30)
    assert state(tmp_path) is None
    try:
        httpx.get(kept["url"] + "/health", timeout=5)
        answered = True
    except httpx.TransportError:
        answered = False
    assert not answered
    again = dutyflow(tmp_path, "server", "stop", **KEPT)
    assert "没有在运行" in again.stdout


USE_ONCE = """
from dutyflow.flows import kept_api, temporary_api
url, started = kept_api.acquire(float(__import__("sys").argv[1]))
temporary_api._url, temporary_api._kept = url, True
temporary_api.wait_until_ready()
kept_api.release()
print(url, started)
"""


def test_the_kept_server_stops_itself_when_idle(tmp_path):
    env = command_env(tmp_path, **KEPT)
    done = subprocess.run([sys.executable, "-c", USE_ONCE, "0.05"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    url, started = done.stdout.split()
    assert started == "True"
    kept = state(tmp_path)
    assert kept is not None and kept["url"] == url
    # idle for 3 s (0.05 minutes): the supervisor, checking every half second, stops it
    assert gone(kept["pid"], within=60)
    assert state(tmp_path) is None


def test_two_commands_starting_together_start_one_server(tmp_path):
    env = command_env(tmp_path, **KEPT)
    both = [subprocess.Popen([sys.executable, "-c", USE_ONCE, "10"], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    try:
        answers = [p.communicate(timeout=300) for p in both]
        assert all(p.returncode == 0 for p in both), [err for _, err in answers]
        urls, started = zip(*(out.split() for out, _ in answers), strict=True)
        assert len(set(urls)) == 1 and sorted(started) == ["False", "True"]
    finally:
        stopped = dutyflow(tmp_path, "server", "stop", **KEPT)
    assert "已停止" in stopped.stdout


def test_a_stale_state_file_naming_another_process_is_not_used(tmp_path):
    """After a reboot the recorded pid may be some other process: a new server starts."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "dutyflow-server.json").write_text(json.dumps(
        {"url": "http://127.0.0.1:9/api", "pid": 1}))
    env = command_env(tmp_path, **KEPT)
    try:
        done = subprocess.run([sys.executable, "-c", USE_ONCE, "10"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        url, started = done.stdout.split()
        assert started == "True" and url != "http://127.0.0.1:9/api"
    finally:
        dutyflow(tmp_path, "server", "stop", **KEPT)


def test_server_stop_is_refused_while_a_command_uses_the_server(tmp_path):
    """A command holds the server (the users lock, shared) while it runs: `server stop` then
    refuses in Chinese and the server keeps answering; once the command is done it stops."""
    import fcntl

    env = command_env(tmp_path, **KEPT)
    done = subprocess.run([sys.executable, "-c", USE_ONCE, "10"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    kept = state(tmp_path)
    try:
        with (tmp_path / "prefect-home" / "dutyflow-server.users").open("a") as users:
            fcntl.flock(users, fcntl.LOCK_SH)  # as a running command holds it
            refused = dutyflow(tmp_path, "server", "stop", **KEPT)
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert "正被其他命令使用" in refused.stderr and "Traceback" not in refused.stderr
            assert httpx.get(kept["url"] + "/health", timeout=10).status_code == 200
    finally:
        stopped = dutyflow(tmp_path, "server", "stop", **KEPT)
    assert "已停止" in stopped.stdout and gone(kept["pid"], within=30)
