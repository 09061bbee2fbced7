"""The quarter's ranking as people read it: a workbook to circulate, a bar chart per group
with the 红黑榜 cut-offs, the units' monthly trend, and a markdown summary for the artifact."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import BOTTOM_LISTINGS, RANKING_GROUPS, Listing
from dutyflow.services.charts import Chart, ranking_bars, score_trend
from dutyflow.services.digest import svg_data_uri
from dutyflow.services.ranking import QuarterRanking

TOP_SHOWN = 10  # rows of each group the markdown shows (the workbook has them all)


@dataclass(frozen=True)
class RankingFiles:
    workbook: Path
    charts: dict[str, Chart] = field(default_factory=dict)  # file stem -> chart
    folder: Path = Path()


def ranking_folder(quarter: str) -> Path:
    return Path(settings.output_dir) / quarter


def ranking_charts(ranking: QuarterRanking) -> dict[str, Chart]:
    """Each group's bars, coloured by the lists the ranking marked (the communiqué's lists)."""
    label = Period.parse(ranking.quarter).label
    charts = {f"{ranking.quarter}-排名-{group}": ranking_bars(
        [(r.rank, r.name, r.score) for r in ranking.group(group)],
        title=f"{label}{RANKING_GROUPS[group]}党建工作考评排名",
        top=sum(1 for r in ranking.group(group) if r.listing == Listing.TOP),
        bottom=sum(1 for r in ranking.group(group) if r.listing in BOTTOM_LISTINGS),
        top_label=Listing.TOP.words, bottom_label=ranking.bottom_listing.words)
        for group in ranking.groups}
    units = ranking.group("unit")
    if units:
        charts[f"{ranking.quarter}-单位月度得分"] = score_trend(
            {r.name: [(m, s) for m, s in zip(ranking.months, r.months, strict=True)
                      if s is not None] for r in units},
            title=f"{label}各直属党组织月度得分", ceiling=ranking.base)
    return charts


def write_ranking_files(ranking: QuarterRanking, folder: Path | None = None) -> RankingFiles:
    """out/<quarter>/<quarter>-考评排名.xlsx and each chart as .svg and .png beside it."""
    folder = folder or ranking_folder(ranking.quarter)
    workbook = ranking.write_xlsx(folder / f"{ranking.quarter}-考评排名.xlsx")
    charts = ranking_charts(ranking)
    for stem, chart in charts.items():
        (folder / f"{stem}.svg").write_text(chart.svg, encoding="utf-8")
        (folder / f"{stem}.png").write_bytes(chart.png)
    return RankingFiles(workbook, charts, folder)


def ranking_markdown(ranking: QuarterRanking, files: RankingFiles) -> str:
    label = Period.parse(ranking.quarter).label
    status = (f"已以 **{ranking.doc_number}** 通报，排名已固定" if ranking.doc_number else
              "未通报：排名随各月重新调度而变化，起草的通报待审核")
    lines = [f"# {label}党建工作考评排名", "", status, "", *(f"- {n}" for n in ranking.notes())]
    for group in ranking.groups:
        rows = ranking.group(group)
        lines += ["", f"## {RANKING_GROUPS[group]}（{len(rows)}个）", "",
                  "| 名次 | 党组织 | 季度得分 | 升降 | 榜单 |", "| ---: | --- | ---: | :---: | --- |"]
        shown = rows[:TOP_SHOWN] + [r for r in rows[TOP_SHOWN:] if r.listing is not None]
        for i, r in enumerate(shown):
            if i and rows.index(shown[i - 1]) != rows.index(r) - 1:
                lines.append("| … | | | | |")
            lines.append(f"| {r.rank} | {r.name} | {r.score_text} | {r.movement_words} | "
                         f"{r.listing_words} |")
    for stem, chart in files.charts.items():
        lines += ["", f"![{stem}]({svg_data_uri(chart.svg)})"]
    lines += ["", f"工作簿：`{files.workbook.resolve()}`；图：`{files.folder.resolve()}`"]
    return "\n".join(lines)
