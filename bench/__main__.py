"""The command line: `python -m bench` runs the benchmark and prints its tables."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from typing import Any

from bench.orchestration import BenchError, run, save
from bench.report import render_report
from bench.workers import run_worker
from dutyflow.core.periods import Period

ABOUT = """\
Province-scale benchmark: where a monthly cycle spends its time and memory at N organizations.

    python -m bench --orgs 20000 [--period 2026-12] [--json-out bench-results.json]

What it measures (generation of the input files is not part of any measured figure):

0. `dutyflow run` as a user runs it, in a process of its own: the first run (a new Prefect
   home), a later run, and a later run on a Dask LocalCluster; then side by side with the
   floors below: the direct run, the pandas evaluation, and each stage's ratio to its floor;
1. the real Prefect flow `dutyflow.flows.cycle.run_cycle` on a fresh SQLite database and a
   fresh, server-less Prefect (its ephemeral API), once from an .xlsx workbook and once from a
   folder of CSV files: wall seconds, and each task's and subflow's duration as Prefect
   recorded it; then the same stages called directly (the service functions the tasks
   wrap, in the flows' order, no Prefect), each with its seconds, throughput and peak RSS;
2. durable-rules (`dutyflow.rules.engine`) against the pandas reference and the zen-engine
   decision table on the same facts; the three match sets must be identical, or the benchmark
   fails with exit code 3;
3. the naive design, one Prefect task per organization, on a sample, scaled up to N;
4. Prefect task runs per cycle at two sizes, to show they do not grow with N.

Each measurement runs in its own Python process, so peak RSS (VmHWM, reset per stage where
the kernel allows it; else ru_maxrss) belongs to that measurement alone. The temporary Prefect
server runs in a child process of its own; its RSS is reported beside the client's.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=ABOUT,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=20_000, help="branches (default 20,000)")
    parser.add_argument("--period", default="2026-12",
                        help="a month; December has every duty due (default 2026-12)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default="xlsx,csv",
                        help="input formats, the first also gets evaluate/draft stages")
    parser.add_argument("--dask-workers", type=int, default=2,
                        help="also run `dutyflow run` on a Dask LocalCluster of this many "
                             "workers (0: skip)")
    parser.add_argument("--naive-sample", type=int, default=200,
                        help="organizations in the one-task-per-organization run (0: skip)")
    parser.add_argument("--small-orgs", type=int, default=100,
                        help="a second, small cycle to compare task-run counts (0: skip)")
    parser.add_argument("--history-months", type=int, default=3,
                        help="earlier sample months judged first, for facts with history")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the cProfile of the slowest stage")
    parser.add_argument("--profile-limit", type=int, default=500,
                        help="notices rendered under the profiler when drafting is slowest")
    parser.add_argument("--workdir", help="keep files here (default: a temporary folder, "
                                          "removed unless --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json-out", default="bench-results.json")
    parser.add_argument("--worker", nargs=2, metavar=("NAME", "CONFIG"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(*args.worker)
    if Period.parse(args.period).kind != "month":
        print("error: --period must be a month like 2026-12", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    try:
        run(args, results)
    except BenchError as exc:
        results["error"] = str(exc)
        print(f"\nFAILED: {exc}", file=sys.stderr)
        print(f"files kept in {results.get('config', {}).get('workdir')}", file=sys.stderr)
        return exc.code
    finally:
        results["total_s"] = time.perf_counter() - t0
        results.setdefault("machine", {})["load_average_at_end"] = os.getloadavg()
        save(results, args.json_out)
    if not args.workdir and not args.keep:
        shutil.rmtree(results["config"]["workdir"], ignore_errors=True)
    print()
    print(render_report(results))
    print(f"\ntotal {results['total_s']:.0f} s; JSON written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
