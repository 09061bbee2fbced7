"""Charts people read instead of tables: drawn once with matplotlib, saved as SVG (text kept as
text, so any viewer's Chinese fonts render it) and PNG (for mail and slides).

Backgrounds and ink are explicit: Prefect's dark theme must not swallow dark text."""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure

log = logging.getLogger(__name__)
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC"]
INK, PAPER = "#1f2328", "#ffffff"


@dataclass(frozen=True)
class Chart:
    svg: str
    png: bytes


@cache
def _fonts() -> list[str]:
    found = []
    for name in CJK_FONTS:
        try:
            font_manager.findfont(name, fallback_to_default=False)
            found.append(name)
        except ValueError:
            continue
    if not found:
        log.warning("no Chinese font for the PNG charts (install fonts-noto-cjk); the SVG "
                    "charts are unaffected")
    return [*found, "DejaVu Sans"]


def findings_heatmap(cells: Sequence[tuple[str, str, int]], *, title: str,
                     names: dict[str, str], max_rows: int = 40) -> Chart:
    """One row per organization (most findings first, by name), one column per month."""
    months = sorted({m for _, m, _ in cells})
    totals: Counter[str] = Counter()
    grid: dict[tuple[str, str], int] = {}
    for org, month, count in cells:
        totals[org] += count
        grid[(org, month)] = grid.get((org, month), 0) + count
    orgs = [o for o, _ in totals.most_common(max_rows)]
    values = [[grid.get((o, m), 0) for m in months] for o in orgs] or [[0]]
    peak = max(grid.values(), default=0) or 1
    style: dict[Any, Any] = {"font.family": "sans-serif", "font.sans-serif": _fonts(), "svg.fonttype": "none",
             "text.color": INK, "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
             "axes.edgecolor": "#d1d9e0", "svg.hashsalt": "dutyflow"}
    with rc_context(style):
        # CJK characters are about 0.15 in wide at 10 pt: room for the names and the title
        longest = max((len(names.get(o, o)) for o in orgs), default=4)
        width = max(1.0 + 0.15 * longest + 0.8 * max(1, len(months)), 0.5 + 0.17 * len(title))
        figure = Figure(figsize=(width, 1.4 + 0.3 * max(1, len(orgs))), facecolor=PAPER,
                        layout="constrained")
        axes = figure.add_subplot(facecolor=PAPER)
        axes.imshow(values, cmap="Reds", aspect="auto", vmin=0, vmax=peak)
        columns = months or ["—"]
        rows = [names.get(o, o) for o in orgs] or ["没有问题"]
        axes.set_xticks(range(len(columns)), columns)
        axes.set_yticks(range(len(rows)), rows)
        axes.tick_params(length=0)
        for i, row in enumerate(values if orgs else []):
            for j, count in enumerate(row):
                if count:
                    axes.text(j, i, str(count), ha="center", va="center", fontsize=9,
                              color=PAPER if count > 0.6 * peak else INK)
        figure.suptitle(title, x=0.01, ha="left", fontsize=12)
        figure.text(0.01, 0.005, f"有问题的党组织{len(totals)}个，显示前{len(orgs)}个",
                    fontsize=8, color="#59636e")
        svg, png = io.StringIO(), io.BytesIO()
        figure.savefig(svg, format="svg", facecolor=PAPER, metadata={"Date": None})
        figure.savefig(png, format="png", dpi=120, facecolor=PAPER)
    return Chart(svg.getvalue(), png.getvalue())
