"""The segmenter's words are kept in the output folder once cut: a later process breaks the
same titles in the same places without loading jieba's dictionary (a second a process), and a
damaged file only costs cutting again."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.cli.processes import command_env

TITLES = [("关于对中共二矿党委书记王秀英同志进行约谈的通知", ("中共二矿党委", "王秀英")),
          ("关于督促中共市人力资源和社会保障局（市公务员局）第三党支部完成逾期整改事项的督办函",
           ("中共市人力资源和社会保障局（市公务员局）第三党支部",))]
SCRIPT = f"""
import json, sys
from dutyflow.documents.titles import title_lines
lines = [title_lines(title, names) for title, names in {TITLES!r}]
print(json.dumps({{"lines": lines, "jieba": "jieba" in sys.modules}}, ensure_ascii=False))
"""  # the words are written at exit, as a command's are


def broken(tmp_path) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=command_env(tmp_path),
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_later_process_breaks_titles_the_same_without_loading_jieba(tmp_path):
    first = broken(tmp_path)
    assert first["jieba"]
    [kept] = (tmp_path / "out" / ".titles").glob("words-*.json")
    words = json.loads(kept.read_text(encoding="utf-8"))
    assert words["同志进行约谈的通知"] == ["同志", "进行", "约谈", "的", "通知"]
    assert not any("王秀英" in stretch for stretch in words)  # the name was kept whole
    again = broken(tmp_path)
    assert again == {"lines": first["lines"], "jieba": False}
    assert any("王秀英" in line for line in first["lines"][0])


def test_a_damaged_words_file_is_cut_again_and_rewritten(tmp_path):
    first = broken(tmp_path)
    [kept] = (tmp_path / "out" / ".titles").glob("words-*.json")
    kept.write_text("{not json", encoding="utf-8")
    again = broken(tmp_path)
    assert again == {"lines": first["lines"], "jieba": True}
    assert "关于对" in json.loads(kept.read_text(encoding="utf-8"))
