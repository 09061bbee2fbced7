"""Synthetic but realistic period reports, for the demo, the tests and the benchmarks.

Organizations keep their character across periods (the same seed gives the same branches),
so consecutive months show repeat failures that escalate. `messy=True` adds the faults real
files carry: a merged title row, blank rows, full-width digits, mixed date formats, stray
spaces, an unknown organization, a bad date and a negative count.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import meeting_type_names
from dutyflow.reports.schemas import (
    ASSESSMENTS,
    MEETINGS,
    ORGANIZATIONS,
    RECTIFICATIONS,
    TableSpec,
)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕雪梅文博宇"
UNITS = ("市发展和改革委员会", "市教育局", "市财政局", "市人力资源和社会保障局", "市自然资源局",
         "市生态环境局", "市住房和城乡建设局", "市交通运输局", "市水利局", "市农业农村局",
         "市商务局", "市文化广电旅游局", "市卫生健康委员会", "市应急管理局", "市审计局",
         "市市场监督管理局", "市统计局", "市医疗保障局", "市信访局", "市机关事务管理局")
PROBLEMS = ("“三会一课”记录不规范，会议记录缺少讨论内容", "党费收缴台账不完整",
            "发展党员程序不规范，缺少政治审查材料", "主题党日活动形式单一，与业务结合不紧",
            "支部委员会分工不明确", "谈心谈话开展不经常", "党建阵地建设不达标",
            "意识形态工作责任制落实不到位", "党员教育培训学时不足", "巡察反馈问题整改进度滞后")
MEETING_TYPE_NAMES = meeting_type_names()
SOURCES = ("巡察", "督查", "民主生活会")


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    org_type: str
    parent: str
    secretary: str
    members: int
    groups: int
    profile: str  # good / lapse / chronic / failing


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def organizations(branches: int, seed: int) -> list[Branch]:
    """Committees (党委) per unit, each with its branches (党支部); stable for a seed."""
    rng = random.Random(seed)
    per_unit = 8
    units = max(1, -(-branches // per_unit))
    out: list[Branch] = []
    made = 0
    for u in range(units):
        unit = UNITS[u % len(UNITS)] + ("" if u < len(UNITS) else f"（{u // len(UNITS) + 1}）")
        committee = f"DW{u + 1:04d}"
        out.append(Branch(committee, f"中共{unit}机关委员会", "党委", "", _person(rng),
                          rng.randint(60, 200), 0, "good"))
        for b in range(min(per_unit, branches - made)):
            members = rng.randint(5, 40)
            profile = rng.choices(("good", "lapse", "chronic", "failing"), (75, 15, 7, 3))[0]
            out.append(Branch(f"{committee}-ZB{b + 1:02d}", f"中共{unit}第{b + 1}党支部",
                              "党支部", committee, _person(rng), members,
                              rng.randint(2, 4) if members >= 15 else 0, profile))
            made += 1
    return out


def _meetings(branch: Branch, period: Period, rng: random.Random) -> list[dict]:
    rows = []
    first, last = period.first_day, period.last_day

    def held(kind: str, attendees: int | None = None, day: date | None = None) -> None:
        day = day or first + timedelta(days=rng.randint(0, (last - first).days))
        count = attendees if attendees is not None else max(1, branch.members - rng.randint(0, 3))
        rows.append({"org_code": branch.code, "meeting_type": kind, "held_on": day,
                     "attendees": count})

    miss = {"good": 0.0, "lapse": 0.25, "chronic": 0.9, "failing": 0.6}[branch.profile]
    # chronic branches skip committee meetings; failing ones skip a bit of everything
    if not (branch.profile == "chronic" or rng.random() < miss / 2):
        held("committee_meeting", min(branch.members, rng.randint(3, 7)))
    if rng.random() >= miss / 2:
        held("theme_day")
    for group in range(branch.groups):
        if rng.random() >= miss / 3:  # each group on its own day: no row repeats another
            held("group_meeting", rng.randint(3, 8), first + timedelta(days=7 * group + 1))
    quarter_month = (period.index - 1) % 3
    if quarter_month == 2:
        # quarterly duties are met in the quarter's last month, or missed by failing branches
        if rng.random() >= miss:
            low = branch.profile == "failing" and rng.random() < 0.5
            held("general_meeting", branch.members // 2 if low else None)
        if rng.random() >= miss:
            held("party_lecture")
    if period.index == 12 and rng.random() >= miss:
        held("life_meeting")
    return rows


def _rectifications(branch: Branch, period: Period, rng: random.Random) -> list[dict]:
    rows = []
    for n in range(2):
        # an item keeps its deadline from month to month; only its status moves
        item_rng = random.Random(f"{branch.code}:{n}")
        deadline = date(2026, 6, 15) + timedelta(days=item_rng.randint(0, 150))
        overdue = deadline < period.last_day
        fate = item_rng.random()
        if branch.profile in ("chronic", "failing") and n == 0 and fate < 0.7:
            status, completed = ("整改中" if rng.random() < 0.5 else "未整改"), None  # never fixed
        elif branch.profile == "lapse" and fate < 0.15:
            status, completed = "已整改", None  # "fixed" with nothing to show for it
        elif branch.profile == "lapse" and fate < 0.5 and period.last_day < deadline + timedelta(days=25):
            status, completed = "整改中", None  # fixed about three weeks late
        elif overdue or rng.random() < 0.5:
            status = rng.choice(("已整改", "已销号"))
            completed = min(deadline - timedelta(days=item_rng.randint(0, 20)), period.last_day)
        else:
            status, completed = "整改中", None
        rows.append({"item_id": f"ZG-{branch.code}-{n + 1:02d}", "org_code": branch.code,
                     "description": item_rng.choice(PROBLEMS), "deadline": deadline,
                     "status": status, "completed_on": completed,
                     "source": item_rng.choice(SOURCES), "responsible": branch.secretary})
    return rows


def _assessment(branch: Branch, period: Period, rng: random.Random) -> dict:
    centre = {"good": 88, "lapse": 80, "chronic": 76, "failing": 62}[branch.profile]
    score = max(0.0, min(100.0, round(rng.gauss(centre, 5), 1)))
    total = rng.randint(8, 20)
    share = {"good": 0.95, "lapse": 0.85, "chronic": 0.8, "failing": 0.55}[branch.profile]
    done = min(total, max(0, round(total * rng.uniform(share - 0.1, min(1.0, share + 0.1)))))
    return {"org_code": branch.code, "period": str(period), "score": score,
            "tasks_total": total, "tasks_done": done}


def period_rows(*, period: str, branches: int, seed: int) -> dict[str, list[dict]]:
    """Rows of every table for one period, keyed by table name."""
    p = Period.parse(period)
    orgs = organizations(branches, seed)
    rng = random.Random(f"{seed}:{p}")
    tables: dict[str, list[dict]] = {"organizations": [], "meetings": [], "rectifications": [],
                                     "assessments": []}
    for org in orgs:
        tables["organizations"].append({
            "org_code": org.code, "org_name": org.name, "org_type": org.org_type,
            "parent_code": org.parent, "secretary": org.secretary, "members": org.members,
            "groups": org.groups})
        if org.org_type != "党支部":
            continue
        tables["meetings"].extend(_meetings(org, p, rng))
        tables["rectifications"].extend(_rectifications(org, p, rng))
        tables["assessments"].append(_assessment(org, p, rng))
    return tables


def _messy(tables: dict[str, list[dict]], period: Period, rng: random.Random) -> None:
    """Give the rows the faults real files carry, including a few that must be quarantined."""
    meetings = tables["meetings"]
    for i, row in enumerate(meetings):
        if i % 7 == 0:
            row["held_on"] = f"{row['held_on'].year}年{row['held_on'].month}月{row['held_on'].day}日"
        elif i % 7 == 1:
            d = row["held_on"]
            row["held_on"] = f"{d.year}/{d.month}/{d.day}"
        if i % 11 == 0:
            row["attendees"] = str(row["attendees"]).translate(str.maketrans("0123456789",
                                                                               "０１２３４５６７８９"))
        if i % 13 == 0:
            row["org_code"] = f" {row['org_code']} "
        row["meeting_type"] = MEETING_TYPE_NAMES[row["meeting_type"]]
    day = period.first_day
    meetings.extend([
        {"org_code": "DW9999-ZB99", "meeting_type": "主题党日", "held_on": day, "attendees": 9},
        {"org_code": meetings[0]["org_code"].strip(), "meeting_type": "党课",
         "held_on": "2026年13月45日", "attendees": 12},
        {"org_code": meetings[1]["org_code"].strip(), "meeting_type": "支部委员会会议",
         "held_on": day, "attendees": -3},
    ])


def _write_sheet(workbook: Workbook, spec: TableSpec, sheet_name: str, title: str,
                 rows: list[dict], extra: tuple[str, ...] = ()) -> None:
    sheet = workbook.create_sheet(sheet_name)
    headers = [c.chinese[0] for c in spec.columns] + list(extra)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    keys = [c.name for c in spec.columns] + list(extra)
    for i, row in enumerate(rows):
        sheet.append([row.get(k) for k in keys])
        if i == len(rows) // 2:
            sheet.append([])  # a blank row, as hand-edited sheets have


def write_period_workbook(out: Path, *, period: str, branches: int = 60, seed: int = 7,
                          messy: bool = True) -> Path:
    """Write one period's reports as a workbook with Chinese sheet names and headers."""
    p = Period.parse(period)
    tables = period_rows(period=period, branches=branches, seed=seed)
    if messy:
        _messy(tables, p, random.Random(seed))
    else:
        for row in tables["meetings"]:
            row["meeting_type"] = MEETING_TYPE_NAMES[row["meeting_type"]]
    workbook = Workbook()
    workbook.remove(workbook.active)
    label = p.label
    _write_sheet(workbook, ORGANIZATIONS, "组织", f"{label}党组织名册", tables["organizations"])
    _write_sheet(workbook, MEETINGS, "组织生活", f"{label}组织生活台账", tables["meetings"])
    rect_sheet_rows = [{**r, "问题来源": r.pop("source"), "责任人": r.pop("responsible")}
                       for r in tables["rectifications"]]
    _write_sheet(workbook, RECTIFICATIONS, "整改", f"{label}问题整改台账", rect_sheet_rows,
                 extra=("问题来源", "责任人"))
    _write_sheet(workbook, ASSESSMENTS, "考核", f"{label}党建工作考核结果", tables["assessments"])
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{p}-党建报表.xlsx"
    workbook.save(path)
    return path
