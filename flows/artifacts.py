"""Artifacts on every cycle run: a markdown summary (with where the answers stand), a table of
actions, a table of answers per unit, a findings chart (also saved as
out/<period>/findings.svg and .png)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from dutyflow.services.digest import cycle_digest


def artifact_key(text: str) -> str:
    """Prefect artifact keys take lowercase letters, digits and dashes."""
    return "".join(c if c.isalnum() else "-" for c in text.lower())


_key = artifact_key


@task(cache_policy=NO_CACHE)
def publish_artifacts(period: str) -> Path:
    """Create the run's artifacts; the chart is also saved beside the period's documents."""
    board, digest, chart = cycle_digest(period)
    create_markdown_artifact(key=f"dutyflow-summary-{_key(period)}",
                             description=f"dutyflow summary {period}", markdown=digest.markdown)
    create_table_artifact(key=f"dutyflow-actions-{_key(period)}",
                          description=f"accountability actions {period}", table=digest.table)
    if board.lines:
        create_table_artifact(key=f"dutyflow-follow-up-{_key(period)}",
                              description=f"整改反馈跟踪 {period}: per unit", table=board.table())
    return chart
