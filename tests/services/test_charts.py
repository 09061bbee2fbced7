"""The findings chart: organization names, white ground and dark ink on any theme, SVG and PNG."""

from __future__ import annotations

import io

from matplotlib import image

from dutyflow.services.charts import findings_heatmap

CELLS = [("DW01-ZB01", "2026-08", 3), ("DW01-ZB01", "2026-09", 1), ("DW01-ZB02", "2026-09", 2)]
NAMES = {"DW01-ZB01": "中共市教育局第一党支部", "DW01-ZB02": "中共市教育局第二党支部"}


def test_the_chart_names_organizations_and_is_readable_on_a_dark_theme():
    chart = findings_heatmap(CELLS, title="2026年各党组织问题数", names=NAMES)
    assert "中共市教育局第一党支部" in chart.svg and "DW01-ZB01" not in chart.svg
    assert "2026年各党组织问题数" in chart.svg  # text stays text: the viewer's fonts draw it
    assert "fill: #ffffff" in chart.svg and "fill: #1f2328" in chart.svg
    pixels = image.imread(io.BytesIO(chart.png), format="png")
    assert chart.png[:8] == b"\x89PNG\r\n\x1a\n" and pixels.shape[2] in (3, 4)
    assert tuple(pixels[1, 1][:3]) == (1.0, 1.0, 1.0)  # opaque white, not transparent


def test_a_month_without_findings_still_draws_a_chart():
    chart = findings_heatmap([], title="2026年各党组织问题数", names={})
    assert "没有问题" in chart.svg and chart.png[:4] == b"\x89PNG"
