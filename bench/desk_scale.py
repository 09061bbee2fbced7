"""The review desk at 5,000 and 50,000 documents: `python -m bench.desk_scale --documents 5000`.

A benchmark, not a timed test: fills a fresh database with one month of N case notices (N
branches under N/40 units; six in ten drafts, the rest approved, rejected or issued; the issued
ones awaiting, answered or closed, with their replies and the reviewer's decisions in the audit
log), serves the desk with uvicorn as `dutyflow desk` does, logs in over HTTP and times the
pages a reviewer opens: the queue, a document page (a draft, and an issued case with its
reply), the 反馈跟踪 view (all units, one unit) and 我的工作. Prints the median and the 95th
percentile of each, as a Markdown table for BENCHMARKS.md.
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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "bench-password-1"
REVIEWER = "审核员"
PERIOD = "2026-10"


def fill(documents: int) -> None:
    """N organizations, cases and notices of one month, replies and decisions, in bulk."""
    from sqlalchemy import insert

    from dutyflow.core.vocabulary import MEASURE_KINDS
    from dutyflow.models.db import session_scope
    from dutyflow.models.tables import Case, Document, Event, Organization, Reply, utcnow
    from dutyflow.services.reviewers import add_reviewer

    measures = [k for k in MEASURE_KINDS if k != "return_for_correction"]
    units = max(1, documents // 40)
    now, today = utcnow(), date.today()
    orgs: list[dict[str, Any]] = [
        {"org_code": f"DW{u:04d}", "org_name": f"中共市第{u}局机关委员会", "org_type": "党委",
         "parent_code": None, "secretary": f"书记{u}", "members": 300, "extra": {}}
        for u in range(units)]
    cases, notices, replies, events = [], [], [], []
    for n in range(documents):
        code = f"DW{n % units:04d}-ZB{n:05d}"
        case_id = f"{PERIOD}-{code}"
        orgs.append({"org_code": code, "org_name": f"中共市第{n % units}局第{n}党支部",
                     "org_type": "党支部", "parent_code": f"DW{n % units:04d}",
                     "secretary": f"支书{n}", "members": 20, "extra": {}})
        measure = measures[n % len(measures)]
        status = {6: "approved", 7: "rejected", 8: "issued", 9: "issued"}.get(n % 10, "draft")
        issued = status == "issued"
        answer = (n // 10) % 4 if issued else None  # 0 awaiting, 1 overdue, 2 answered, 3 closed
        due = today + timedelta(days=20) if answer == 0 else today - timedelta(days=5)
        cases.append({
            "id": case_id, "period": PERIOD, "org_code": code, "measure": measure,
            "proposal": MEASURE_KINDS[measure].accountability,
            "rule_ids": ["meeting.committee.1"],
            "evidence": [{"finding_id": f"f{n}-{i}", "rule_id": "meeting.committee.1",
                          "text": "支部委员会会议每月至少召开1次",
                          "basis": "《中国共产党支部工作条例（试行）》", "facts": {"held": i}}
                         for i in range(1 + n % 4)],
            "evidence_hash": f"{n:064d}", "policy_version": "bench",
            "reply_due": due if issued else None, "reply_days": 10 if issued else None,
            "follow_up": ("closed" if answer == 3 else "awaiting_reply") if issued else None,
            "replied_on": today - timedelta(days=2) if answer == 2 else None,
            "created_at": now, "updated_at": now})
        decided = status != "draft"
        notices.append({
            "id": case_id, "kind": measure, "period": PERIOD, "org_code": code, "status": status,
            "content_hash": f"{n:064d}", "version": 2 if decided else 1,
            "reviewer": REVIEWER if decided else None,
            "decided_at": now - timedelta(days=n % 10) if decided else None,
            "note": "材料不全" if status == "rejected" else None,
            "document_number": f"市直工委函〔2026〕{n + 1}号" if issued else None,
            "number_prefix": "市直工委函" if issued else None, "number_year": 2026 if issued else None,
            "number": n + 1 if issued else None, "issued_on": today - timedelta(days=30) if issued else None,
            "issued_by": REVIEWER if issued else None, "created_at": now, "updated_at": now})
        events.append({"subject": case_id, "period": PERIOD, "event": "opened",
                       "actor": "dutyflow", "note": "", "at": now - timedelta(days=30)})
        if decided:
            events.append({"subject": case_id, "period": PERIOD,
                           "event": "approved" if status != "rejected" else "rejected",
                           "actor": REVIEWER, "note": "", "at": now - timedelta(days=n % 10)})
        if answer in (2, 3):
            replies.append({"case_id": case_id, "received_on": today - timedelta(days=2),
                            "measures": "已补开支部委员会会议", "completed": True, "note": "",
                            "files": [], "source": "bench", "recorded_at": now})
    with session_scope() as session:
        for table, rows in ((Organization, orgs), (Case, cases), (Document, notices),
                            (Reply, replies), (Event, events)):
            for at in range(0, len(rows), 5000):
                session.execute(insert(table.__table__), rows[at:at + 5000])  # type: ignore[attr-defined,union-attr]
    add_reviewer(name=REVIEWER, role="bench", password=PASSWORD)


def timed(client: httpx.Client, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return times


def measure(documents: int, repeat: int, database: str, folder: Path) -> None:
    os.environ["DUTYFLOW_DATABASE_URL"] = database
    os.environ["DUTYFLOW_DESK_SECRET_FILE"] = str(folder / "desk-secret")
    os.environ["DUTYFLOW_OUTPUT_DIR"] = str(folder / "out")
    from dutyflow.core.settings import reload_settings

    reload_settings()
    started = time.perf_counter()
    fill(documents)
    print(f"{documents} documents written in {time.perf_counter() - started:.1f} s "
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
    units = max(1, documents // 40)
    drafts = -(-documents * 6 // 10 // 50)
    pages = {
        "queue, page 1": "/queue",
        f"queue, page {drafts // 2} of {drafts}": f"/queue?page={drafts // 2}",
        "queue, one unit": f"/queue?unit=DW{7 % units:04d}",
        "document page: a draft": f"/documents/{PERIOD}-DW{7 % units:04d}-ZB00007",
        "document page: issued, its reply": f"/documents/{PERIOD}-DW{29 % units:04d}-ZB00029",
        "反馈跟踪, all units": f"/followup?period={PERIOD}",
        "反馈跟踪, one unit": f"/followup?period={PERIOD}&unit=DW{7 % units:04d}",
        "我的工作": "/mine",
    }
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"name": REVIEWER, "password": PASSWORD, "csrf": token})
        print(f"| page ({documents:,} documents) | median ms | p95 ms |\n| --- | ---: | ---: |")
        for label, path in pages.items():
            times = sorted(timed(client, path, repeat))
            p95 = times[int(0.95 * (len(times) - 1))]
            print(f"| {label} | {statistics.median(times):.0f} | {p95:.0f} |", flush=True)
    server.should_exit = True
    thread.join(timeout=10)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgresql", metavar="SERVER", nargs="?", const=PG_SERVER,
                        help=f"a scratch database on this PostgreSQL server ({PG_SERVER}), "
                        "dropped afterwards; default: a fresh SQLite file")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-desk-scale-"))
    if args.postgresql:
        from dutyflow.server import ensure_database

        scratch = f"{args.postgresql}/bench_desk_scale_{os.getpid()}"
        ensure_database(scratch)
        try:
            measure(args.documents, args.repeat, scratch, folder)
        finally:
            drop_database(scratch)
        return 0
    measure(args.documents, args.repeat, f"sqlite:///{folder / 'bench.db'}", folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
