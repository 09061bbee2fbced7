"""The input files a run reads: the sample generator's period as a workbook and as CSV files (not timed)."""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path
from typing import Any


def write_period_csv(folder: Path, *, period: str, branches: int, seed: int) -> Path:
    """The same rows as `write_period_workbook(messy=False)`, as four UTF-8-BOM CSV files."""
    from dutyflow.core.report_tables import (
        ASSESSMENTS,
        MEETINGS,
        ORGANIZATIONS,
        RECTIFICATIONS,
    )
    from dutyflow.services.samples import MEETING_TYPE_NAMES, period_rows

    tables = period_rows(period=period, branches=branches, seed=seed)
    for row in tables["meetings"]:
        row["meeting_type"] = MEETING_TYPE_NAMES[row["meeting_type"]]
    folder.mkdir(parents=True, exist_ok=True)
    layout = ((ORGANIZATIONS, "organizations"), (MEETINGS, "meetings"),
              (RECTIFICATIONS, "rectifications"), (ASSESSMENTS, "assessments"))
    for spec, name in layout:
        keys = [c.name for c in spec.columns]
        with open(folder / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.chinese[0] for c in spec.columns])
            for row in tables[name]:
                writer.writerow(["" if row.get(k) is None else
                                 row[k].isoformat() if isinstance(row.get(k), date) else row[k]
                                 for k in keys])
    return folder


def prepare_inputs(root: Path, *, period: str, branches: int, seed: int,
                   formats: list[str]) -> dict[str, Any]:
    """Each format's input (path, seconds to generate, bytes), written under `root`."""
    from dutyflow.services.samples import write_period_workbook

    out: dict[str, Any] = {}
    if "xlsx" in formats:
        t0 = time.perf_counter()
        path = write_period_workbook(root / "xlsx", period=period, branches=branches, seed=seed,
                                     messy=False)
        out["xlsx"] = {"path": str(path), "generate_s": time.perf_counter() - t0,
                       "bytes": path.stat().st_size}
    if "csv" in formats:
        t0 = time.perf_counter()
        folder = write_period_csv(root / "csv", period=period, branches=branches, seed=seed)
        out["csv"] = {"path": str(folder), "generate_s": time.perf_counter() - t0,
                      "bytes": sum(p.stat().st_size for p in folder.iterdir())}
    return out
