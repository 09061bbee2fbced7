"""The mid-month warning (月中提醒): on the 20th, from a half-reported month, the duties each
organization has not yet held and the answers soon due, as an artifact and a workbook; it
stores nothing and opens no case."""

from __future__ import annotations

from datetime import date

import pandas as pd
from openpyxl import load_workbook
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import func, select

from dutyflow.flows.notices import issue_notices
from dutyflow.flows.scheduled import mid_month
from dutyflow.models.db import session_scope
from dutyflow.models.tables import Case, Meeting
from dutyflow.services.review import decide
from tests.factories import read_sheet
from tests.flows.test_review_issue import SAMPLES, cycle, office_letters

MIDDLE = date(2026, 9, 15)


def half_reported(folder):
    """September's workbook with only the meetings held by the 15th."""
    from openpyxl import load_workbook as load

    book = load(SAMPLES / "2026-09-党建报表.xlsx")
    sheet = book["组织生活"]
    header = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
                  if "召开日期" in row)
    column = [c.value for c in sheet[header]].index("召开日期")
    for row in range(sheet.max_row, header, -1):
        held = pd.to_datetime(str(sheet.cell(row, column + 1).value), errors="coerce")
        if held is pd.NaT or held.date() > MIDDLE:
            sheet.delete_rows(row)
    folder.mkdir(parents=True)
    book.save(folder / "2026-09-党建报表.xlsx")
    return folder


def counts() -> tuple[int, int]:
    with session_scope() as session:
        return (session.execute(select(func.count()).select_from(Case)).scalar_one(),
                session.execute(select(func.count()).select_from(Meeting)).scalar_one())


MEETINGS = pd.read_excel(SAMPLES / "2026-09-党建报表.xlsx", sheet_name="组织生活", header=1)


def full_month_theme_days() -> pd.DataFrame:
    return MEETINGS[MEETINGS["会议类型"].astype(str).str.contains("主题党日")]


def groups_and_group_meetings() -> tuple[dict[str, int], dict[str, int]]:
    """From the September workbook as reported by the 15th: each branch's 党小组数, and the
    党小组会 it held (an oracle read straight from the file)."""
    orgs = pd.read_excel(SAMPLES / "2026-09-党建报表.xlsx", sheet_name="组织", header=1)
    groups = {str(c).strip(): int(g) for c, g in zip(orgs["组织编码"], orgs["党小组数"],
                                                     strict=True) if g == g and int(g) > 0}
    held: dict[str, int] = {}
    for code, kind, day in zip(*(MEETINGS[c] for c in ("组织编码", "会议类型", "召开日期")),
                               strict=True):
        on = pd.to_datetime(str(day), errors="coerce")
        if "党小组会" in str(kind) and on is not pd.NaT and on.date() <= MIDDLE:
            held[str(code).strip()] = held.get(str(code).strip(), 0) + 1
    return groups, held


def test_a_half_reported_month_warns_of_what_is_not_yet_met(db_url, tmp_path):
    letter = office_letters(cycle())[0]  # August: one letter issued, its answer due 20 Sept
    decide(document_id=letter.id, decision="approve", reviewer="张主任")
    issue_notices(period="2026-08", on=date(2026, 9, 7))
    before = counts()
    folder = half_reported(tmp_path / "inbox" / "2026-09")
    path = mid_month(period="2026-09", input_path=folder, today=date(2026, 9, 18))
    assert counts() == before  # nothing stored, no case opened
    book = load_workbook(path)
    assert book.sheetnames == ["尚未开展的组织生活", "已逾期未反馈的整改", "近期到期的整改反馈",
                               "未计入的数据"]
    not_held = read_sheet(path, "尚未开展的组织生活")
    # a branch that held its theme day only after the 15th is warned; one that held it
    # before is not
    themes = full_month_theme_days()
    held_on = pd.to_datetime(themes["召开日期"].astype(str), errors="coerce")
    late = set(themes[held_on.dt.date > MIDDLE]["组织编码"]) - set(
        themes[held_on.dt.date <= MIDDLE]["组织编码"])
    early = set(themes[held_on.dt.date <= MIDDLE]["组织编码"])
    theme = not_held[not_held["应开展"] == "主题党日"]
    assert late and late <= set(theme["组织编码"])
    assert early and not early & set(theme["组织编码"])
    assert {"直属党组织", "书记", "已开展次数", "应不少于"} <= set(not_held.columns)
    # only duties not yet met: held fewer than required, 党小组会 counted per group
    assert len(not_held) and (not_held["已开展次数"] < not_held["应不少于"]).all()
    groups, held = groups_and_group_meetings()
    group_rows = not_held[not_held["应开展"] == "党小组会"].set_index("组织编码")
    assert len(group_rows)
    for code, row in group_rows.iterrows():
        assert row["应不少于"] == groups[code] and row["已开展次数"] == held.get(code, 0), code
    met = {code for code, n in groups.items() if held.get(code, 0) >= n}
    partly = {code for code, n in groups.items() if 0 < held.get(code, 0) < n}
    assert met and not met & set(group_rows.index)
    assert partly and partly <= set(group_rows.index)  # some held, fewer than their groups
    # the answer due on 20 September is due soon, not overdue
    due = read_sheet(path, "近期到期的整改反馈")
    assert list(due["案件编号"]) == [letter.id] and str(due["反馈期限"][0]).startswith("2026-09-20")
    assert read_sheet(path, "已逾期未反馈的整改").empty
    # the rows left out, in Chinese with the Chinese column headers
    left_out = read_sheet(path, "未计入的数据")
    assert list(left_out.columns) == ["报表", "文件", "工作表", "行号", "列", "内容", "原因"]
    assert set(left_out["列"]) == {"组织编码", "实到人数"}
    assert {"组织编码不存在", "实到人数不能为负数"} == {r.split("：")[0] for r in left_out["原因"]}
    artifact = latest_artifact("dutyflow-warning-2026-09")
    assert "月中提醒" in artifact and "不立案" in artifact
    assert "整改反馈已逾期未报送 **0** 件，今后5个工作日内到期 **1** 件" in artifact
    assert letter.id in artifact

    # five days on, the same answer is overdue and no longer "due soon"
    path = mid_month(period="2026-09", input_path=folder, today=date(2026, 9, 23))
    overdue = read_sheet(path, "已逾期未反馈的整改")
    assert list(overdue["案件编号"]) == [letter.id]
    assert read_sheet(path, "近期到期的整改反馈").empty
    artifact = latest_artifact("dutyflow-warning-2026-09")
    assert "## 已逾期未反馈的整改" in artifact and "## 近期到期的整改反馈" not in artifact


def latest_artifact(key: str) -> str:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[key])))
    return str(max(found, key=lambda a: a.created).data)  # the API outlives each test's database
