"""The findings chart: organization names, white ground and dark ink on any theme, SVG and PNG."""

from __future__ import annotations

import io

import pytest
from matplotlib import image

from dutyflow.core.settings import reload_settings
from dutyflow.services import drawing
from dutyflow.services.charts import findings_heatmap, ranking_bars, score_trend

CELLS = [("DW01-ZB01", "2026-08", 3), ("DW01-ZB01", "2026-09", 1), ("DW01-ZB02", "2026-09", 2)]
NAMES = {"DW01-ZB01": "中共市教育局第一党支部", "DW01-ZB02": "中共市教育局第二党支部"}


@pytest.fixture(autouse=True)
def output(tmp_path, monkeypatch):
    """Charts are kept in the output folder: a scratch one for each test."""
    monkeypatch.setenv("DUTYFLOW_OUTPUT_DIR", str(tmp_path / "out"))
    reload_settings()
    yield tmp_path / "out"
    monkeypatch.undo()
    reload_settings()


def test_a_chart_drawn_once_is_read_back_and_new_figures_are_drawn(output, monkeypatch):
    first = findings_heatmap(CELLS, title="2026年各党组织问题数", names=NAMES)
    assert len(list((output / ".charts").glob("*.svg"))) == 1

    def no_drawing(*args, **kwargs):
        raise AssertionError("drawn again")

    drawn = drawing.findings_heatmap
    monkeypatch.setattr(drawing, "findings_heatmap", no_drawing)
    # the same figures (and names it does not draw) are read back, byte for byte
    again = findings_heatmap(CELLS, title="2026年各党组织问题数",
                             names={**NAMES, "DW09-ZB09": "另一个支部"})
    assert again == first
    monkeypatch.setattr(drawing, "findings_heatmap", drawn)
    changed = findings_heatmap(CELLS[:2], title="2026年各党组织问题数", names=NAMES)
    assert changed.svg != first.svg and "中共市教育局第二党支部" not in changed.svg
    assert len(list((output / ".charts").glob("*.svg"))) == 2


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


TREND = {"中共市教育局第一党支部": [("2026-07", 92.5), ("2026-08", 95.0)],
         "市财政局党委": [("2026-06", 81.0), ("2026-08", 78.5)],  # no 2026-07: a gap
         "中共市卫生健康委员会机关第二党支部": [("2026-08", 88.0)]}
RANKS = [(1, "市统计局党支部", 97.4), (2, "中共市教育局第一党支部", 91.0), (3, "市文旅局党支部", 85.2),
         (4, "市人民检察院机关党委", 80.7), (5, "市委办公室党支部", 67.5),
         (6, "中共市住房和城乡建设局党组", 61.4)]


def assert_opaque_png(png: bytes) -> None:
    pixels = image.imread(io.BytesIO(png), format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and pixels.shape[2] in (3, 4)
    assert tuple(pixels[1, 1][:3]) == (1.0, 1.0, 1.0) and (pixels.shape[2] == 3 or pixels[1, 1][3] == 1.0)


def test_the_trend_names_every_organization_and_every_month():
    chart = score_trend(TREND, title="2026年各党组织月度得分")
    assert "2026年各党组织月度得分" in chart.svg
    assert all(name in chart.svg for name in TREND)
    assert all(f">{month}</text>" in chart.svg for month in ("6月", "7月", "8月"))
    assert ">0</text>" in chart.svg  # the score axis starts at zero
    assert "fill: #ffffff" in chart.svg and "个单位，显示" not in chart.svg
    assert_opaque_png(chart.png)


def test_months_are_named_as_people_say_them_and_a_new_year_is_named():
    from dutyflow.services.charts import month_labels

    assert month_labels(["2026-08", "2026-12", "2027-01"]) == ["8月", "12月", "2027年1月"]


def test_a_crowded_trend_draws_the_six_highest_and_six_lowest():
    series = {f"第{i}党支部": [("2026-08", 50.0 + i)] for i in range(1, 16)}
    chart = score_trend(series, title="得分趋势")
    assert "共15个单位，显示最高6个和最低6个" in chart.svg
    drawn = {name for name in series if name in chart.svg}
    assert drawn == {f"第{i}党支部" for i in [*range(1, 7), *range(10, 16)]}


def test_a_trend_without_scores_says_so():
    chart = score_trend({}, title="得分趋势")
    assert "没有得分" in chart.svg and "得分趋势" in chart.svg
    assert_opaque_png(chart.png)


def test_the_ranking_marks_the_red_and_black_lists():
    chart = ranking_bars(RANKS, title="2026年8月考核排名", top=2, bottom=2)
    assert "2026年8月考核排名" in chart.svg and all(name in chart.svg for _, name, _ in RANKS)
    assert "红榜（2个）" in chart.svg and "黑榜（2个）" in chart.svg
    assert "fill: #cf222e" in chart.svg and "fill: #24292f" in chart.svg
    assert "97.4" in chart.svg and "61.4" in chart.svg  # each bar carries its score
    assert ">0</text>" in chart.svg  # bars start at zero: their lengths compare as the scores
    assert_opaque_png(chart.png)


def test_lists_that_would_overlap_split_the_rows_between_them():
    chart = ranking_bars(RANKS[:3], title="排名", top=2, bottom=5, top_label="前列", bottom_label="后进")
    assert "前列（2个）" in chart.svg and "后进（1个）" in chart.svg


def test_tied_organizations_share_their_rank_and_scores_print_half_up():
    rows = [(1, "甲党支部", 100.0), (1, "乙党支部", 100.0), (3, "丙党支部", 96.125)]
    chart = ranking_bars(rows, title="排名", top=0, bottom=1)
    assert "1 甲党支部" in chart.svg and "1 乙党支部" in chart.svg and "3 丙党支部" in chart.svg
    assert "96.13" in chart.svg and "96.12" not in chart.svg
    assert "红榜" not in chart.svg  # an empty list draws no cut-off


def test_a_long_ranking_shows_both_ends_around_a_gap():
    rows = [(i, f"第{i}党支部", 100.0 - i / 2) for i in range(1, 101)]
    chart = ranking_bars(rows, title="排名", top=5, bottom=5)
    assert "……" in chart.svg and "第30党支部" in chart.svg and "第71党支部" in chart.svg
    assert "第31党支部" not in chart.svg and "第70党支部" not in chart.svg


def test_ranking_without_rows_still_draws_a_chart():
    chart = ranking_bars([], title="排名", top=5, bottom=5)
    assert "没有得分" in chart.svg and chart.png[:4] == b"\x89PNG"


def test_the_same_scores_draw_the_same_svg():
    assert score_trend(TREND, title="趋势").svg == score_trend(TREND, title="趋势").svg
    assert ranking_bars(RANKS, title="排名", top=2, bottom=2).svg == \
        ranking_bars(RANKS, title="排名", top=2, bottom=2).svg


def test_organizations_without_scores_do_not_count_towards_the_crowd():
    series = {f"第{i}党支部": [("2026-08", 60.0 + i)] if i <= 8 else [] for i in range(1, 15)}
    chart = score_trend(series, title="得分趋势")
    assert "个单位，显示" not in chart.svg and chart.svg.count("第1党支部<") == 1
