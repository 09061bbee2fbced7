"""The charts drawn with matplotlib, saved as SVG (text kept as text, so any viewer's Chinese
fonts render it) and PNG (for mail and slides). Called through `services/charts.py`, which
keeps what was drawn: this module (and matplotlib) is imported only to draw a new chart.

Backgrounds and ink are explicit: Prefect's dark theme must not swallow dark text."""

from __future__ import annotations

import io
import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from matplotlib import colormaps, font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from dutyflow.documents import fonts
from dutyflow.rules.scoring import score_text
from dutyflow.services.charts import Chart, month_labels

log = logging.getLogger(__name__)
CHART_FONT = "黑体"  # the standard's font for figures and headings, printed as the PDFs print it
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC"]
INK, PAPER = "#1f2328", "#ffffff"
MUTED, RULE = "#59636e", "#d1d9e0"
RED, BLACK, NEUTRAL = "#cf222e", "#24292f", "#8b9bb4"
CJK_INCH = 0.15  # width of a CJK character at 10 pt: room for names and titles
MAX_LINES = 12


@cache
def _fonts() -> list[str]:
    # the same free fonts LibreOffice prints the documents in (documents/fonts/fonts.conf)
    # (regular faces only: Fandol's bold faces say they are regular, and matplotlib believes it)
    for path in fonts.font_files():
        if "Bold" not in path.stem:
            font_manager.fontManager.addfont(str(path))
    found = []
    for name in [fonts.standard_family(CHART_FONT), *CJK_FONTS]:
        try:
            font_manager.findfont(name, fallback_to_default=False)
            found.append(name)
        except ValueError:
            continue
    if not found:
        log.warning("no Chinese font for the PNG charts (install texlive-lang-chinese); the SVG "
                    "charts are unaffected")
    return [*found, "DejaVu Sans"]


def _style() -> dict[Any, Any]:
    # the salt and fonttype are read at save time, so saving must happen inside rc_context too
    return {"font.family": "sans-serif", "font.sans-serif": _fonts(), "svg.fonttype": "none",
            "text.color": INK, "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
            "axes.edgecolor": RULE, "svg.hashsalt": "dutyflow"}


def _save(figure: Figure) -> Chart:
    svg, png = io.StringIO(), io.BytesIO()
    figure.savefig(svg, format="svg", facecolor=PAPER, metadata={"Date": None})
    figure.savefig(png, format="png", dpi=120, facecolor=PAPER)
    return Chart(svg.getvalue(), png.getvalue())


def _title_width(title: str) -> float:
    return 0.5 + 1.15 * CJK_INCH * len(title)  # the title is drawn at 12 pt


def _nothing(axes: Axes, text: str) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color=MUTED)


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
    with rc_context(_style()):
        longest = max((len(names.get(o, o)) for o in orgs), default=4)
        width = max(1.0 + CJK_INCH * longest + 0.8 * max(1, len(months)), _title_width(title))
        figure = Figure(figsize=(width, 1.4 + 0.3 * max(1, len(orgs))), facecolor=PAPER,
                        layout="constrained")
        axes = figure.add_subplot(facecolor=PAPER)
        axes.imshow(values, cmap="Reds", aspect="auto", vmin=0, vmax=peak)
        columns = month_labels(months) or ["—"]
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
                    fontsize=8, color=MUTED)
        return _save(figure)


def score_trend(series: Mapping[str, Sequence[tuple[str, float]]], *, title: str,
                floor: float | None = None, ceiling: float = 100) -> Chart:
    """One line per organization over the months; a month without a score is a gap in its line.

    Past 12 lines nobody can tell the colours apart, so only the 6 highest and 6 lowest by the
    latest score are drawn. The legend lists them from the highest latest score down."""
    scores = {name: dict(points) for name, points in series.items()}
    months = sorted({m for by_month in scores.values() for m in by_month})
    drawn = sorted((n for n in scores if scores[n]),
                   key=lambda n: (-scores[n][max(scores[n])], n))
    crowded = len(drawn) > MAX_LINES
    if crowded:
        drawn = drawn[:MAX_LINES // 2] + drawn[-(MAX_LINES // 2):]
    elif len(scores) <= MAX_LINES:  # an organization without scores still gets its legend entry
        drawn += [n for n in scores if not scores[n]]
    # tab20 pairs a dark and a light shade of each hue: all dark ones first, then the light
    tab20 = colormaps["tab20"]
    colours = [tab20(i) for i in [*range(0, 20, 2), *range(1, 20, 2)]]
    markers = ["o", "s", "^", "D", "v", "P"]
    with rc_context(_style()):
        longest = max((len(n) for n in drawn), default=4)
        column = 0.6 + 0.9 * CJK_INCH * longest  # legend text is 9 pt
        width = min(max(6.4, 1.2 + 0.6 * len(months), _title_width(title), column + 0.4), 14.0)
        ncols = max(1, min(len(drawn), int((width - 0.3) // column)))
        legend_rows = math.ceil(len(drawn) / ncols) if months else 0
        figure = Figure(figsize=(width, 3.8 + 0.26 * legend_rows), facecolor=PAPER,
                        layout="constrained")
        axes = figure.add_subplot(facecolor=PAPER)
        figure.suptitle(title, x=0.01, ha="left", fontsize=12)
        if not months:
            _nothing(axes, "没有得分")
            return _save(figure)
        for i, name in enumerate(drawn):
            ys = [scores[name].get(m, math.nan) for m in months]  # NaN breaks the line
            axes.plot(range(len(months)), ys, label=name, color=colours[i % len(colours)],
                      marker=markers[i % len(markers)], markersize=5, linewidth=1.6,
                      linestyle="-" if i < 10 else "--", clip_on=False)
        values = [v for n in drawn for v in scores[n].values()]
        top = max(ceiling, *values)
        # from zero: a scale cut at 86 makes a two-point gap look like a fall (the floor
        # stays a line to read against)
        axes.set_ylim(min(0.0, *values), top)
        if floor is not None:
            axes.axhline(floor, color=MUTED, linestyle=":", linewidth=1)
        axes.set_xlim(-0.5, len(months) - 0.5)  # half a column of room for the end labels
        axes.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10], integer=True))
        tight = width / len(months) < 0.65
        axes.set_xticks(range(len(months)), month_labels(months), rotation=45 if tight else 0,
                        ha="right" if tight else "center", fontsize=9)
        axes.grid(axis="y", color=RULE, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(length=0)
        if crowded:
            axes.set_title(f"共{len(scores)}个单位，显示最高{MAX_LINES // 2}个和最低{MAX_LINES // 2}个",
                           loc="right", fontsize=8, color=MUTED)
        figure.legend(loc="outside lower center", ncols=ncols, fontsize=9, frameon=False)
        return _save(figure)


def ranking_bars(rows: Sequence[tuple[int, str, float]], *, title: str, top: int, bottom: int,
                 bottom_label: str = "黑榜", top_label: str = "红榜") -> Chart:
    """One bar per organization in rank order (rank, name, score), rank 1 at the top; the first
    `top` are the red list and the last `bottom` the black list, each under or over a dashed
    cut-off line: the caller passes the lists' lengths as the ranking marked them, so the chart
    colours exactly the organizations the communiqué lists. Tied organizations share a rank.
    When the lists would overlap the black list is shortened, and its label counts what is drawn.

    Past 60 rows only the first and last 30 (or the whole lists, if longer) are drawn."""
    n = len(rows)
    top_n = max(0, min(top, n))
    bottom_n = max(0, min(bottom, n - top_n))  # an organization is on one list only
    shown = list(range(n))
    if n > 60:
        head, tail = max(30, top_n), max(30, bottom_n)
        if head + tail < n:
            shown = [*range(head), -1, *range(n - tail, n)]  # -1 is the "……" row
    labels = [f"{rows[i][0]} {rows[i][1]}" if i >= 0 else "……" for i in shown]
    with rc_context(_style()):
        longest = max((len(label) for label in labels), default=4)
        # plot area, plus room right of it for the score labels and the list labels
        width = max(1.0 + CJK_INCH * longest + 4.5 + 0.13 * max(len(top_label), len(bottom_label)) + 1.4,
                    _title_width(title))
        figure = Figure(figsize=(width, 1.3 + 0.28 * max(1, len(shown))), facecolor=PAPER,
                        layout="constrained")
        axes = figure.add_subplot(facecolor=PAPER)
        figure.suptitle(title, x=0.01, ha="left", fontsize=12)
        if not rows:
            _nothing(axes, "没有得分")
            return _save(figure)
        bars = [(y, i) for y, i in enumerate(shown) if i >= 0]
        fills = [RED if i < top_n else BLACK if i >= n - bottom_n else NEUTRAL for _, i in bars]
        axes.barh([y for y, _ in bars], [rows[i][2] for _, i in bars], color=fills, height=0.7)
        for y, i in bars:
            axes.text(rows[i][2], y, f" {score_text(rows[i][2])}", va="center", fontsize=8,
                      clip_on=False)
        # from zero, so bar lengths compare as the scores do
        axes.set_xlim(min(0.0, *(score for _, _, score in rows)),
                      max(100.0, *(score for _, _, score in rows)))
        axes.set_ylim(len(shown) - 0.5, -0.5)  # rank 1 at the top
        axes.set_yticks(range(len(shown)), labels, fontsize=10)
        axes.tick_params(axis="y", length=0)
        axes.spines[["top", "right"]].set_visible(False)
        # each list's label sits on its own side of its line, so the two never collide, even
        # when the lists meet; right of the plot, clear of the score labels
        cuts = []
        if top_n:
            cuts.append((shown.index(top_n - 1) + 0.5, RED, f"{top_label}（{top_n}个）", "bottom", 2))
        if bottom_n:
            cuts.append((shown.index(n - bottom_n) - 0.5, BLACK, f"{bottom_label}（{bottom_n}个）",
                         "top", -2))
        for at, colour, text, side, lift in cuts:
            axes.axhline(at, color=colour, linestyle="--", linewidth=1)
            axes.annotate(text, xy=(1, at), xycoords=("axes fraction", "data"), xytext=(24, lift),
                          textcoords="offset points", ha="left", va=side, fontsize=9, color=colour)
        return _save(figure)
