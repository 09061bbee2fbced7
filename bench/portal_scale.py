"""The organizations' portal at 20,000 organizations: `python -m bench.portal_scale
--organizations 20000 [--postgresql]` (`make bench-portal`).

A benchmark, not a timed test: fills a fresh database as the desk's benchmark does (N branches
under N/40 units, one month of case notices, four in ten issued, with replies; bench.desk_scale
`fill`), adds what the home page reads beyond that (the month judged, one finding for every
tenth branch, the quarter's ranking as an issued communiqué printed it, a branch's and a
unit's account), serves the desk with uvicorn as `dutyflow desk` does, logs each account in
over HTTP and times its home page (/portal) and inbox (/portal/inbox). Prints the median and
the 95th percentile of each, as a Markdown table for BENCHMARKS.md.
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

from bench.desk_scale import PASSWORD, PERIOD, PG_SERVER, drop_database, fill, timed

QUARTER = "2026-Q4"


def fill_portal(organizations: int) -> tuple[str, str]:
    """The desk benchmark's month, and what the home page reads on top; (branch, unit)."""
    from sqlalchemy import insert, text

    from dutyflow.models.db import session_scope
    from dutyflow.models.tables import EvaluationRun, Finding, RankingEntry, utcnow
    from dutyflow.services.reviewers import add_reviewer

    fill(organizations)
    units = max(1, organizations // 40)
    now = utcnow()
    branch = lambda n: f"DW{n % units:04d}-ZB{n:05d}"  # noqa: E731 (desk_scale's codes)
    findings: list[dict[str, Any]] = [
        {"id": f"bench-{n}", "period": PERIOD, "span": PERIOD, "org_code": branch(n),
         "family": "meeting", "subject": "committee_meeting", "rule_id": "meeting.committee.1",
         "rule_ids": ["meeting.committee.1"], "measure": "reminder",
         "text": "支部委员会会议每月至少召开1次，本月召开0次", "facts": {},
         "policy_version": "bench", "current": True, "found_at": now}
        for n in range(0, organizations, 10)]
    ranked = [(f"DW{u:04d}", "unit") for u in range(units)] + \
        [(branch(n), "branch") for n in range(organizations)]
    entries = [{"quarter": QUARTER, "org_code": code, "group": group, "rank": i + 1,
                "score": 100 - (i % 7), "months": [100, None, None], "findings": 0,
                "listing": None, "document_number": "市直工委〔2026〕1号"}
               for i, (code, group) in enumerate(ranked)]
    with session_scope() as session:
        session.add(EvaluationRun(period=PERIOD, policy_version="bench", finished_at=now))
        for table, rows in ((Finding, findings), (RankingEntry, entries)):
            for at in range(0, len(rows), 5000):
                session.execute(insert(table.__table__), rows[at:at + 5000])  # type: ignore[attr-defined,union-attr]
    with session_scope() as session:  # after the load's commit: ANALYZE sees its rows
        if session.get_bind().dialect.name == "postgresql":
            # a live database has its planner's statistics (autovacuum); a bulk load has none
            # yet, and without them the findings' history query takes seconds, not 0.3 s
            session.execute(text("ANALYZE"))
    mine, unit = branch(8), f"DW{8 % units:04d}"  # an issued notice, awaiting its answer
    add_reviewer(name="支部书记", role="bench", password=PASSWORD, org_code=mine, kind="branch")
    add_reviewer(name="单位党务", role="bench", password=PASSWORD, org_code=unit, kind="unit")
    return mine, unit


def measure(organizations: int, repeat: int, database: str, folder: Path) -> None:
    os.environ["DUTYFLOW_DATABASE_URL"] = database
    os.environ["DUTYFLOW_DESK_SECRET_FILE"] = str(folder / "desk-secret")
    os.environ["DUTYFLOW_OUTPUT_DIR"] = str(folder / "out")
    from dutyflow.core.settings import reload_settings

    reload_settings()
    started = time.perf_counter()
    mine, unit = fill_portal(organizations)
    print(f"{organizations} branches written in {time.perf_counter() - started:.1f} s "
          f"({database.split(':')[0]})")

    import uvicorn

    from dutyflow.desk.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    print(f"| page ({organizations:,} branches, {database.split(':')[0]}) | median ms | p95 ms |"
          "\n| --- | ---: | ---: |")
    for name, who in (("支部书记", f"a branch ({mine})"), ("单位党务", f"a unit of 40 ({unit})")):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            client.post("/login", data={"name": name, "password": PASSWORD,
                                        "csrf": token.group(1)})
            for label, path in (("home page", "/portal"), ("inbox", "/portal/inbox")):
                times = sorted(timed(client, path, repeat))
                p95 = times[int(0.95 * (len(times) - 1))]
                print(f"| {label}, {who} | {statistics.median(times):.0f} | {p95:.0f} |",
                      flush=True)
    server.should_exit = True
    thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--organizations", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgresql", metavar="SERVER", nargs="?", const=PG_SERVER,
                        help=f"a scratch database on this PostgreSQL server ({PG_SERVER}), "
                        "dropped afterwards; default: a fresh SQLite file")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-portal-scale-"))
    if args.postgresql:
        from dutyflow.server import ensure_database

        scratch = f"{args.postgresql}/bench_portal_scale_{os.getpid()}"
        ensure_database(scratch)
        try:
            measure(args.organizations, args.repeat, scratch, folder)
        finally:
            drop_database(scratch)
        return 0
    measure(args.organizations, args.repeat, f"sqlite:///{folder / 'bench.db'}", folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
