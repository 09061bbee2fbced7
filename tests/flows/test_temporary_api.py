"""dutyflow's commands start Prefect's temporary server themselves, and only when no API is
configured; it answers, runs flows, and is gone when the process ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys, httpx
from dutyflow.flows import temporary_api
spawned, spawn = [], temporary_api._spawn
temporary_api._spawn = lambda port: spawned.append(spawn(port)) or spawned[-1]
url = temporary_api.start()
out = {"url": url, "spawned": len(spawned), "left_running": [p.poll() is None for p in spawned]}
if url:
    temporary_api.wait_until_ready()
    out["health"] = httpx.get(url + "/health").status_code
    from prefect import flow
    @flow
    def hello() -> int:
        return 7
    out["flow"] = hello()
    pid = temporary_api._process.pid
    temporary_api.stop()
    out["stopped"] = not __import__("pathlib").Path(f"/proc/{pid}").exists() or \\
        open(f"/proc/{pid}/stat").read().split()[2] == "Z"
print(json.dumps(out))
"""


def probe(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    clean.update({"PREFECT_HOME": str(tmp_path / "prefect-home"),
                  "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **env})
    done = subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    import json

    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_no_api_configured_the_server_starts_runs_a_flow_and_stops(tmp_path):
    found = probe(tmp_path)
    assert found["url"].startswith("http://127.0.0.1:") and found["url"].endswith("/api")
    assert found["health"] == 200
    assert found["flow"] == 7
    assert found["stopped"]


def test_an_api_in_the_environment_or_a_profile_is_used_instead(tmp_path):
    from_env = probe(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api")
    assert from_env["url"] is None and from_env["spawned"] == 0
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('active = "office"\n[profiles.office]\n'
                        'PREFECT_API_URL = "http://prefect.example:4200/api"\n', encoding="utf-8")
    from_profile = probe(tmp_path, PREFECT_PROFILES_PATH=str(profiles))
    # the server spawned before the profile was read is stopped, unused
    assert from_profile["url"] is None
    assert from_profile["spawned"] == 1 and from_profile["left_running"] == [False]
