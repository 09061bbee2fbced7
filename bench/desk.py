"""The review desk's speed at a province's month: `python -m bench.desk --cases 5000`.

Fills a fresh database with N cases (organizations under 机关党委 units, one to four findings
each, a tenth proposals), serves the desk with uvicorn as `dutyflow desk` does, logs in over
HTTP and times the pages a reviewer opens: the queue's first, a middle and the last page,
filtered and sorted views, and a case page. Target: every queue page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

TARGET_MS = 300.0
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "bench-password-1"


def fill(cases: int) -> None:
    from sqlalchemy import insert

    from dutyflow.core.vocabulary import MEASURE_KINDS
    from dutyflow.models.db import session_scope
    from dutyflow.models.tables import Case, Organization
    from dutyflow.services.reviewers import add_reviewer

    measures = [k for k in MEASURE_KINDS if k != "return_for_correction"]
    units = max(1, cases // 40)
    orgs: list[dict[str, Any]] = [
        {"org_code": f"DW{u:04d}", "org_name": f"中共市第{u}局机关委员会", "org_type": "党委",
         "parent_code": None, "secretary": f"书记{u}", "members": 300, "extra": {}}
        for u in range(units)]
    actions = []
    for n in range(cases):
        code = f"DW{n % units:04d}-ZB{n:05d}"
        orgs.append({"org_code": code, "org_name": f"中共市第{n % units}局第{n}党支部",
                     "org_type": "党支部", "parent_code": f"DW{n % units:04d}",
                     "secretary": f"支书{n}", "members": 20, "extra": {}})
        measure = measures[n % len(measures)]
        evidence = [{"finding_id": f"f{n}-{i}", "rule_id": "meeting.committee.1",
                     "text": "支部委员会会议每月至少召开1次", "basis": "《中国共产党支部工作条例（试行）》",
                     "facts": {"held": i, "minimum": 1}} for i in range(1 + n % 4)]
        actions.append({"id": f"2026-10-{code}", "period": "2026-10", "org_code": code,
                        "action": measure, "status": "draft",
                        "proposal": MEASURE_KINDS[measure].accountability,
                        "rule_ids": ["meeting.committee.1"], "evidence": evidence,
                        "evidence_hash": f"{n:064d}", "policy_version": "bench"})
    with session_scope() as session:
        session.execute(insert(Organization.__table__), orgs)  # type: ignore[attr-defined]
        session.execute(insert(Case.__table__), actions)  # type: ignore[attr-defined]
    add_reviewer(name="审核员", role="bench", password=PASSWORD)


def timed(client: httpx.Client, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgresql", metavar="SERVER", nargs="?", const=PG_SERVER,
                        help=f"a scratch database on this PostgreSQL server ({PG_SERVER}), "
                        "dropped afterwards; default: a fresh SQLite file")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    if args.postgresql:
        from dutyflow.server import ensure_database

        scratch = f"{args.postgresql}/bench_desk_{os.getpid()}"
        ensure_database(scratch)
        try:
            return measure(args, scratch, folder)
        finally:
            drop_database(scratch)
    return measure(args, f"sqlite:///{folder / 'bench.db'}", folder)


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from dutyflow.models.db import dispose_engines

    dispose_engines()
    parsed = make_url(url)
    admin = create_engine(parsed.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def measure(args: argparse.Namespace, database: str, folder: Path) -> int:
    os.environ["DUTYFLOW_DATABASE_URL"] = database
    os.environ["DUTYFLOW_DESK_SECRET_FILE"] = str(folder / "desk-secret")
    from dutyflow.core.settings import reload_settings

    reload_settings()
    started = time.perf_counter()
    fill(args.cases)
    print(f"{args.cases} cases written in {time.perf_counter() - started:.1f} s "
          f"({os.environ['DUTYFLOW_DATABASE_URL'].split(':')[0]})")

    import uvicorn

    from dutyflow.desk.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    last, units = -(-args.cases // 50), max(1, args.cases // 40)
    pages = {
        "queue, page 1": "/queue",
        f"queue, page {last // 2}": f"/queue?page={last // 2}",
        f"queue, page {last} (last)": f"/queue?page={last}",
        "queue by organization name, descending": "/queue?sort=org&desc=1&page=3",
        "queue by measure's severity": "/queue?sort=measure",
        "queue filtered: one unit, proposals": "/queue?unit=DW0007&decided_by=proposal",
        "queue searched: a name": "/queue?q=第4321党支部",
        "case page (prev / next in the queue)": f"/documents/2026-10-DW{7 % units:04d}-ZB00007",
    }
    failed = False
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"name": "审核员", "password": PASSWORD, "csrf": token})
        print(f"{'page':<44} {'median ms':>10} {'p95 ms':>8}  target < {TARGET_MS:.0f} ms")
        for label, path in pages.items():
            times = sorted(timed(client, path, args.repeat))
            median, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
            ok = p95 < TARGET_MS
            failed |= not ok
            print(f"{label:<44} {median:>10.1f} {p95:>8.1f}  {'ok' if ok else 'SLOW'}")
    server.should_exit = True
    thread.join(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
