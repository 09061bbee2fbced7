"""Artifacts on every cycle run: a markdown summary, a table of actions, a findings chart."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy import func, select

from dutyflow.periods import Period
from dutyflow.reporting import actions_table, findings_heatmap_svg, summary_markdown, svg_data_uri
from dutyflow.settings import settings
from models.accountability import list_actions
from models.crud import quarantined_rows
from models.db import session_scope
from models.tables import Finding, Organization


def _key(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())


@task(cache_policy=NO_CACHE)
def publish_artifacts(period: str) -> Path:
    """Create the run's artifacts; the chart is also saved beside the period's documents."""
    p = Period.parse(period)
    with session_scope() as session:
        actions = list_actions(session=session, period=period)
        quarantined = quarantined_rows(session=session, period=period)
        names = dict(session.execute(select(Organization.org_code, Organization.org_name)).all())
        year_start = str(Period(p.year, "month", 1))
        cells = session.execute(
            select(Finding.org_code, Finding.period, func.count())
            .where(Finding.current, Finding.period >= year_start, Finding.period <= period)
            .group_by(Finding.org_code, Finding.period)).all()
    svg = findings_heatmap_svg([(o, m, int(c)) for o, m, c in cells],
                               title=f"{p.year}年各党组织问题数（截至{p.label}）")
    chart = Path(settings.output_dir) / period / "findings.svg"
    chart.parent.mkdir(parents=True, exist_ok=True)
    chart.write_text(svg, encoding="utf-8")
    create_markdown_artifact(
        key=f"dutyflow-summary-{_key(period)}", description=f"dutyflow summary {period}",
        markdown=summary_markdown(period=period, actions=actions, quarantined=quarantined,
                                  names=names, chart_uri=svg_data_uri(svg)))
    create_table_artifact(key=f"dutyflow-actions-{_key(period)}",
                          description=f"accountability actions {period}",
                          table=actions_table(actions, names) or [{"id": "", "action": "none"}])
    return chart
