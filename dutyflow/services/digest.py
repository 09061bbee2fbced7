"""What a run shows people: a markdown summary, a table of actions, a chart of findings."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from dutyflow.core.calendar import calendar_warnings
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import DocumentStatus, measure_name, status_words
from dutyflow.models.accountability import case_lines, finding_counts, organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.reports import quarantined_rows
from dutyflow.reports.validate import column_header
from dutyflow.services.board import Board, follow_up_board
from dutyflow.services.charts import Chart, findings_heatmap


@dataclass(frozen=True)
class Digest:
    """A period's run digest: what the Prefect artifacts and the saved chart show."""

    markdown: str
    table: list[dict[str, Any]]
    chart: Chart


def period_digest(period: str, follow_up: str = "") -> Digest:
    """Read the period's actions, quarantined rows and the year's findings into a digest;
    `follow_up` is the markdown of where the answers stand (services.board)."""
    p = Period.parse(period)
    with session_scope() as session:
        actions = case_lines(session=session, period=period)
        quarantined = quarantined_rows(session=session, period=period)
        names = organization_names(session=session)
        cells = finding_counts(session=session, first_period=str(Period(p.year, "month", 1)),
                               last_period=period)
    chart = findings_heatmap(cells, title=f"{p.year}年各党组织问题数（截至{p.label}）", names=names)
    # the deadlines of this period's documents run past its end: warn of estimated holidays
    calendar = calendar_warnings(p.first_day,
                                 p.last_day + timedelta(days=settings.holiday_warning_days))
    markdown = summary_markdown(period=period, actions=actions, quarantined=quarantined,
                                names=names, chart_uri=svg_data_uri(chart.svg),
                                calendar=calendar)
    if follow_up:
        markdown += "\n\n" + follow_up
    return Digest(markdown, actions_table(actions, names) or [{"id": "", "action": "none"}], chart)


def summary_markdown(*, period: str, actions: Sequence[Any], quarantined: Sequence[Any],
                     names: dict[str, str], chart_uri: str | None = None,
                     calendar: Sequence[str] = ()) -> str:
    """Counts by action type and by rule, the quarantined rows, and links to the drafts;
    first, any year whose holidays were estimated (`calendar`)."""
    live = [a for a in actions if a.status != DocumentStatus.WITHDRAWN]
    by_action = Counter(a.measure for a in live)
    by_rule = Counter(r for a in live for r in a.rule_ids)
    withdrawn = len(actions) - len(live)
    lines = [f"# 党建责任制问责 · {Period.parse(period).label}", "",
             f"问责事项 **{len(live)}** 项（另有 {withdrawn} 项已撤回），"
             f"隔离的错误数据 **{len(quarantined)}** 行。", ""]
    lines += [f"> **注意：** {text}\n" for text in calendar]
    lines += ["| 处置方式 | 数量 |", "| --- | ---: |"]
    lines += [f"| {measure_name(k)}（{k}） | {v} |" for k, v in by_action.most_common()]
    lines += ["", "| 规则 | 事项数 |", "| --- | ---: |"]
    lines += [f"| `{k}` | {v} |" for k, v in by_rule.most_common()]
    if chart_uri:
        lines += ["", "## 各党组织各月问题数", "", f"![findings]({chart_uri})"]
    if quarantined:
        lines += ["", "## 隔离的错误数据", "", "| 文件 | 行 | 列 | 原因 |",
                  "| --- | ---: | --- | --- |"]
        lines += [f"| {q.source_file} {q.sheet} | {q.row_number} | "
                  f"{column_header(q.table_name, q.column)} | "
                  f"{q.reason.replace('|', '/')} |" for q in quarantined[:200]]
        if len(quarantined) > 200:
            lines.append(f"| … | | | 另有 {len(quarantined) - 200} 行 |")
    lines += ["", "## 通知文书", ""]
    for a in live[:100]:
        target = a.document or ""
        lines.append(f"- `{a.id}` {measure_name(a.measure)} · "
                     f"{status_words(a.status)} · [{names.get(a.org_code, a.org_code)}]"
                     f"(file://{target})")
    if len(live) > 100:
        lines.append(f"- …… 另有 {len(live) - 100} 项（`dutyflow actions --period {period}`）")
    return "\n".join(lines)


def actions_table(actions: Sequence[Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Organization codes and counts, not people's names: artifacts are widely visible."""
    return [{"id": a.id, "org_code": a.org_code, "organization": names.get(a.org_code, ""),
             "action": a.measure, "status": a.status, "findings": a.findings,
             "rules": ", ".join(a.rule_ids)} for a in actions]


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def cycle_digest(period: str) -> tuple[Board, Digest, Path]:
    """What a cycle run shows: where the answers stand, the period's digest, and its findings
    chart saved beside the period's documents (out/<period>/findings.svg and .png)."""
    board = follow_up_board(period)
    digest = period_digest(period, follow_up=board.markdown())
    chart = Path(settings.output_dir) / period / "findings.svg"
    chart.parent.mkdir(parents=True, exist_ok=True)
    chart.write_text(digest.chart.svg, encoding="utf-8")
    chart.with_suffix(".png").write_bytes(digest.chart.png)
    return board, digest, chart
