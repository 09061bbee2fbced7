"""Charts people read instead of tables, kept once drawn: the same figures asked for again (a
re-run of a cycle, the year's report, a ranking redrafted) are read back from the output
folder's `.charts/`, not drawn again, and matplotlib is not even imported. The drawing is in
`services/drawing.py`; a change to it, or to matplotlib, draws every chart anew (both are part
of the key)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from dutyflow.core.atomic import replace_atomically
from dutyflow.core.settings import settings

log = logging.getLogger(__name__)
DRAWING = Path(__file__).with_name("drawing.py")


@dataclass(frozen=True)
class Chart:
    svg: str
    png: bytes


@functools.cache
def _drawing_version() -> str:
    return hashlib.sha256(DRAWING.read_bytes() + metadata.version("matplotlib").encode()
                          ).hexdigest()


def _kept(name: str, **arguments: Any) -> Chart:
    """The chart `drawing.<name>` draws from `arguments`: read back if it was drawn before."""
    key = hashlib.sha256(json.dumps([name, _drawing_version(), arguments], sort_keys=True,
                                    ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
    folder = Path(settings.output_dir) / ".charts"
    svg, png = folder / f"{key[:40]}.svg", folder / f"{key[:40]}.png"
    try:
        return Chart(svg.read_text(encoding="utf-8"), png.read_bytes())
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    from dutyflow.services import drawing

    chart: Chart = getattr(drawing, name)(**arguments)
    try:  # the SVG last: a chart whose SVG is there is whole
        folder.mkdir(parents=True, exist_ok=True)
        replace_atomically(png, chart.png)
        replace_atomically(svg, chart.svg.encode("utf-8"))
    except OSError as exc:  # a read-only output folder: the chart is drawn each time
        log.warning("chart not kept in %s: %s", folder, exc)
    return chart


def findings_heatmap(cells: Sequence[tuple[str, str, int]], *, title: str,
                     names: dict[str, str], max_rows: int = 40) -> Chart:
    """One row per organization (most findings first, by name), one column per month."""
    shown = {org for org, _, _ in cells}  # the key carries the names drawn, not every name
    return _kept("findings_heatmap", cells=[list(c) for c in cells], title=title,
                 names={o: n for o, n in names.items() if o in shown}, max_rows=max_rows)


def score_trend(series: Mapping[str, Sequence[tuple[str, float]]], *, title: str,
                floor: float | None = None, ceiling: float = 100) -> Chart:
    """One line per organization over the months (drawing.score_trend)."""
    return _kept("score_trend", series={k: [list(p) for p in v] for k, v in series.items()},
                 title=title, floor=floor, ceiling=ceiling)


def ranking_bars(rows: Sequence[tuple[int, str, float]], *, title: str, top: int, bottom: int,
                 bottom_label: str = "黑榜", top_label: str = "红榜") -> Chart:
    """One bar per organization in rank order (drawing.ranking_bars)."""
    return _kept("ranking_bars", rows=[list(r) for r in rows], title=title, top=top,
                 bottom=bottom, bottom_label=bottom_label, top_label=top_label)


def month_labels(months: Sequence[str]) -> list[str]:
    """2026-08 as 8月; the year named where it changes within the chart (2027年1月)."""
    labels, year = [], months[0][:4] if months else ""
    for month in months:
        if len(month) != 7 or month[4] != "-":
            labels.append(month)
            continue
        labels.append(f"{int(month[5:])}月" if month[:4] == year else
                      f"{month[:4]}年{int(month[5:])}月")
        year = month[:4]
    return labels
