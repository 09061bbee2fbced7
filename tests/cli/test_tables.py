"""The CLI prints its lists as tables whose Chinese columns line up, and off a terminal (a
pipe, a file, a test) as plain text a script can split: nothing wrapped, cut or coloured."""

from __future__ import annotations

from rich.cells import cell_len

from dutyflow.cli._tables import RIGHT, print_table

HEADERS = ["案件编号", "组织", "措施", ("问题", RIGHT), "状态"]
ROWS = [("2026-08-DW0002-ZB03", "中共市教育局第3党支部", "提醒", 2, "草稿，待审核"),
        ("2026-08-DW0004-ZB02", "中共市人力资源和社会保障局第2党支部", "约谈", 12,
         "已印发，待整改反馈")]


def starts_at(line: str, text: str) -> int:
    """The display column (a Chinese character is two wide) where `text` begins."""
    return cell_len(line[:line.index(text)])


def test_chinese_columns_line_up_by_display_width(capsys):
    print_table(HEADERS, ROWS)
    header, rule, *rows = capsys.readouterr().out.splitlines()
    assert set(rule) == {"─"} and len(rows) == 2
    assert starts_at(header, "措施") == starts_at(rows[0], "提醒") == starts_at(rows[1], "约谈")
    assert starts_at(header, "状态") == starts_at(rows[0], "草稿") == starts_at(rows[1], "已印发")
    # figures are right-aligned: they end where their header ends
    assert starts_at(header, "问题") + cell_len("问题") == starts_at(rows[0], " 2 ") + 2 \
        == starts_at(rows[1], " 12 ") + 3

def test_off_a_terminal_a_long_row_is_neither_wrapped_nor_cut_nor_coloured(capsys):
    reasons = "；".join(["支部委员会会议每月至少召开1次"] * 40)
    print_table(["编号", "原因", "草稿"], [("2026-08-DW0002-ZB03", reasons, None)],
                title="待审核")
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "待审核" and len(lines) == 4
    assert lines[3].split() == ["2026-08-DW0002-ZB03", reasons]  # the empty cell: nothing
    assert "\x1b[" not in out and all(line == line.rstrip() for line in lines)


def test_a_cell_is_text_never_markup(capsys):
    print_table(["文件", "工作表"], [("组织生活台账.xlsx", "[bold]组织生活[/bold]")])
    assert "[bold]组织生活[/bold]" in capsys.readouterr().out
