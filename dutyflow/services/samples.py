"""Synthetic but realistic period reports, for the demo, the tests and the benchmarks.

Organizations keep their character across periods (the same seed gives the same branches),
so consecutive months show repeat failures that escalate. `messy=True` adds the faults real
files carry: a merged title row, blank rows, full-width digits, mixed date formats, stray
spaces, an unknown organization, a bad date and a negative count.

The optional columns are filled as offices fill them: full members a few fewer than members,
a committee where there are 7 or more, the unit's party group; a theme day that was also the
quarter's party lecture as one ledger row (主题党日、党课); the 组织生活会 and 民主评议党员 of a
year, held in its last months or early next year (then with 所属年度); a rectification item's
source, the person responsible and now and then an extension; the secretary's duty-report
rating in December. Each of these draws from its own seeded generator, so the rows the main
generator has always drawn stay the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from dutyflow.core.periods import Period
from dutyflow.core.report_tables import (
    ASSESSMENTS,
    MEETINGS,
    ORGANIZATIONS,
    RECTIFICATIONS,
    TableSpec,
)
from dutyflow.core.vocabulary import ITEM_SOURCES, RATING_NAMES, meeting_type_names

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
SOURCES = ITEM_SOURCES
COMMITTEE_FROM = 7  # full members from which a branch elects a committee (支部工作条例)
# 述职评议等次 by profile: mostly 好 / 较好, a few 一般, rare 差
RATING_WEIGHTS = {"good": (70, 28, 2, 0), "lapse": (35, 55, 10, 0),
                  "chronic": (10, 55, 32, 3), "failing": (5, 40, 45, 10)}
# when a branch holds its yearly meetings: this year's Q4, or early next year
LIFE_MEETING_MONTHS = ((12, 50), (1, 35), (2, 10), (3, 5))  # (month, weight)
MEMBER_REVIEW_MONTHS = ((10, 15), (11, 25), (12, 35), (1, 25))


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
    full_members: int  # 正式党员数: members less the probationary ones
    unit_party_group: str  # 所在单位党组

    @property
    def has_committee(self) -> bool | None:
        """是否设支委会: a branch with 7 or more full members elects one; a 党委 is one."""
        return self.full_members >= COMMITTEE_FROM if self.org_type == "党支部" else None


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
        party_group = f"中共{unit}党组"
        secretary = _person(rng)
        members = rng.randint(60, 200)
        out.append(Branch(committee, f"中共{unit}机关委员会", "党委", "", secretary,
                          members, 0, "good", _full_members(committee, members, seed),
                          party_group))
        for b in range(min(per_unit, branches - made)):
            members = rng.randint(5, 40)
            profile = rng.choices(("good", "lapse", "chronic", "failing"), (75, 15, 7, 3))[0]
            code = f"{committee}-ZB{b + 1:02d}"
            out.append(Branch(code, f"中共{unit}第{b + 1}党支部",
                              "党支部", committee, _person(rng), members,
                              rng.randint(2, 4) if members >= 15 else 0, profile,
                              _full_members(code, members, seed), party_group))
            made += 1
    return out


def _full_members(code: str, members: int, seed: int) -> int:
    """A few probationary members (预备党员) fewer than all members."""
    rng = random.Random(f"{seed}:{code}:full")
    return members - rng.randint(0, 3 if members < 60 else 8)


def _meetings(branch: Branch, period: Period, rng: random.Random, seed: int) -> list[dict]:
    rows: list[dict] = []
    first, last = period.first_day, period.last_day
    extra = random.Random(f"{seed}:{period}:{branch.code}:extra")  # the optional columns' draws

    def held(kind: str, attendees: int | None = None, day: date | None = None,
             draw: random.Random = rng, for_year: int | None = None) -> dict:
        day = day or first + timedelta(days=draw.randint(0, (last - first).days))
        count = attendees if attendees is not None else max(1, branch.members - draw.randint(0, 3))
        row: dict = {"org_code": branch.code, "meeting_type": kind, "held_on": day,
                     "attendees": count}
        if for_year is not None:  # 所属年度, written for a meeting held after its year
            row["for_year"] = for_year
        rows.append(row)
        return row

    miss = {"good": 0.0, "lapse": 0.25, "chronic": 0.9, "failing": 0.6}[branch.profile]
    # chronic branches skip committee meetings; failing ones skip a bit of everything
    if not (branch.profile == "chronic" or rng.random() < miss / 2):
        committee = held("committee_meeting", min(branch.members, rng.randint(3, 7)))
        if not branch.has_committee:  # (drawn all the same: the other rows stay as they were)
            rows.remove(committee)  # a branch without a committee holds no committee meetings
    theme_day = held("theme_day") if rng.random() >= miss / 2 else None
    for group in range(branch.groups):
        if rng.random() >= miss / 3:  # each group on its own day: no row repeats another
            held("group_meeting", rng.randint(3, 8), first + timedelta(days=7 * group + 1))
    quarter_month = (period.index - 1) % 3
    if quarter_month == 2:
        # quarterly duties are met in the quarter's last month, or missed by failing branches
        if rng.random() >= miss:
            low = branch.profile == "failing" and rng.random() < 0.5
            # below quorum: fewer than half of the members with a vote
            held("general_meeting", (branch.full_members - 1) // 2 if low else None)
        if rng.random() >= miss:
            lecture = held("party_lecture")
            if theme_day is not None and extra.random() < 0.3:
                # the lecture was given during the theme day: one ledger row names both
                lecture.update(held_on=theme_day["held_on"], attendees=theme_day["attendees"])
                theme_day["session"] = lecture["session"] = f"{branch.code}:{theme_day['held_on']}"
    yearly: list[dict] = []
    if period.index == 12 and rng.random() >= miss:
        life = held("life_meeting")
        if _yearly_month(branch, period.year, "life", LIFE_MEETING_MONTHS, seed, miss)[0] == 12:
            yearly.append(life)
        else:  # this branch holds it early next year (drawn all the same, as above)
            rows.remove(life)
    elif period.index in (1, 2, 3):
        month, missed = _yearly_month(branch, period.year - 1, "life", LIFE_MEETING_MONTHS,
                                      seed, miss)
        if month == period.index and not missed:  # last year's, held early this year
            yearly.append(held("life_meeting", draw=extra, for_year=period.year - 1))
    if period.index in (10, 11, 12, 1):
        year = period.year - (period.index == 1)
        month, missed = _yearly_month(branch, year, "review", MEMBER_REVIEW_MONTHS, seed, miss)
        if month == period.index and not missed:
            yearly.append(held("member_review", draw=extra,
                               for_year=year if year != period.year else None))
    if len(yearly) == 2 and extra.random() < 0.5:  # 组织生活会 and 民主评议党员 in one session
        life, review = yearly
        review.update(held_on=life["held_on"], attendees=life["attendees"])
        life["session"] = review["session"] = f"{branch.code}:{life['held_on']}"
    return rows


def _yearly_month(branch: Branch, year: int, what: str, months: tuple[tuple[int, int], ...],
                  seed: int, miss: float) -> tuple[int, bool]:
    """The month a branch holds a yearly meeting for `year` (12, or 1-3 of the next year),
    and whether it misses it: the same answer whichever month's rows are being made."""
    rng = random.Random(f"{seed}:{branch.code}:{what}:{year}")
    month = rng.choices([m for m, _ in months], [w for _, w in months])[0]
    return month, rng.random() < miss


def _rectifications(branch: Branch, period: Period, rng: random.Random,
                    seed: int) -> list[dict]:
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
        # the optional columns: who answers for it, and now and then an approved extension
        # (granted shortly before the deadline, shown while the item is still open)
        own = random.Random(f"{seed}:{branch.code}:{n}:item")
        responsible = branch.secretary if own.random() < 0.7 else _person(own)
        extended = deadline + timedelta(days=own.randint(30, 75)) if own.random() < 0.2 else None
        if status not in ("未整改", "整改中") or period.last_day < deadline - timedelta(days=10):
            extended = None
        rows.append({"item_id": f"ZG-{branch.code}-{n + 1:02d}", "org_code": branch.code,
                     "description": item_rng.choice(PROBLEMS), "deadline": deadline,
                     "status": status, "completed_on": completed,
                     "source": item_rng.choice(SOURCES), "responsible": responsible,
                     "extended_to": extended})
    return rows


def _assessment(branch: Branch, period: Period, rng: random.Random, seed: int) -> dict:
    centre = {"good": 88, "lapse": 80, "chronic": 76, "failing": 62}[branch.profile]
    score = max(0.0, min(100.0, round(rng.gauss(centre, 5), 1)))
    total = rng.randint(8, 20)
    share = {"good": 0.95, "lapse": 0.85, "chronic": 0.8, "failing": 0.55}[branch.profile]
    done = min(total, max(0, round(total * rng.uniform(share - 0.1, min(1.0, share + 0.1)))))
    row: dict = {"org_code": branch.code, "period": str(period), "score": score,
                 "tasks_total": total, "tasks_done": done}
    if period.index == 12:  # the secretary's duty report is rated at the year's end
        rating = random.Random(f"{seed}:{branch.code}:rating:{period.year}").choices(
            list(RATING_NAMES.values()), RATING_WEIGHTS[branch.profile])[0]
        row["duty_report_rating"] = rating
    return row


def period_rows(*, period: str, branches: int, seed: int) -> dict[str, list[dict]]:
    """Rows of every table for one period, keyed by table name, with the values typed as a
    report carries them. Meetings are one row per type held, as the database holds them; the
    types held in one session share a `session` key (`ledger_rows` writes them as one row)."""
    p = Period.parse(period)
    orgs = organizations(branches, seed)
    rng = random.Random(f"{seed}:{p}")
    tables: dict[str, list[dict]] = {"organizations": [], "meetings": [], "rectifications": [],
                                     "assessments": []}
    for org in orgs:
        committee = org.has_committee
        tables["organizations"].append({
            "org_code": org.code, "org_name": org.name, "org_type": org.org_type,
            "parent_code": org.parent, "secretary": org.secretary, "members": org.members,
            "groups": org.groups, "full_members": org.full_members,
            "has_committee": None if committee is None else "是" if committee else "否",
            "unit_party_group": org.unit_party_group})
        if org.org_type != "党支部":
            continue
        tables["meetings"].extend(_meetings(org, p, rng, seed))
        tables["rectifications"].extend(_rectifications(org, p, rng, seed))
        tables["assessments"].append(_assessment(org, p, rng, seed))
    return tables


def ledger_rows(meetings: list[dict]) -> list[dict]:
    """The meetings as an office writes its ledger: Chinese type names, and one row for the
    types held in one session (主题党日、党课), where `period_rows` has one row per type."""
    out: list[dict] = []
    sessions: dict[str, dict] = {}
    for row in meetings:
        name = MEETING_TYPE_NAMES[row["meeting_type"]]
        session = row.get("session")
        if session is not None and session in sessions:
            sessions[session]["meeting_type"] += "、" + name
            continue
        written = {k: v for k, v in row.items() if k != "session"} | {"meeting_type": name}
        if session is not None:
            sessions[session] = written
        out.append(written)
    return out


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
        if row.get("for_year") is not None and i % 2 == 0:
            row["for_year"] = f"{row['for_year']}年"
    day = period.first_day
    meetings.extend([
        {"org_code": "DW9999-ZB99", "meeting_type": "主题党日", "held_on": day, "attendees": 9},
        {"org_code": meetings[0]["org_code"].strip(), "meeting_type": "党课",
         "held_on": "2026年13月45日", "attendees": 12},
        {"org_code": meetings[1]["org_code"].strip(), "meeting_type": "支部委员会会议",
         "held_on": day, "attendees": -3},
    ])


def _write_sheet(workbook: Workbook, spec: TableSpec, sheet_name: str, title: str,
                 rows: list[dict]) -> None:
    """The table under its Chinese headers; an optional column only where a row fills it."""
    sheet = workbook.create_sheet(sheet_name)
    columns = [c for c in spec.columns
               if c.required or any(row.get(c.name) is not None for row in rows)]
    headers = [c.chinese[0] for c in columns]
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    keys = [c.name for c in columns]
    for i, row in enumerate(rows):
        sheet.append([row.get(k) for k in keys])
        if i == len(rows) // 2:
            sheet.append([])  # a blank row, as hand-edited sheets have


def write_period_workbook(out: Path, *, period: str, branches: int = 60, seed: int = 7,
                          messy: bool = True) -> Path:
    """Write one period's reports as a workbook with Chinese sheet names and headers."""
    p = Period.parse(period)
    tables = period_rows(period=period, branches=branches, seed=seed)
    tables["meetings"] = ledger_rows(tables["meetings"])
    if messy:
        _messy(tables, p, random.Random(seed))
    workbook = Workbook()
    workbook.remove(workbook.active)
    label = p.label
    _write_sheet(workbook, ORGANIZATIONS, "组织", f"{label}党组织名册", tables["organizations"])
    _write_sheet(workbook, MEETINGS, "组织生活", f"{label}组织生活台账", tables["meetings"])
    _write_sheet(workbook, RECTIFICATIONS, "整改", f"{label}问题整改台账", tables["rectifications"])
    _write_sheet(workbook, ASSESSMENTS, "考核", f"{label}党建工作考核结果", tables["assessments"])
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{p}-党建报表.xlsx"
    workbook.save(path)
    return path
