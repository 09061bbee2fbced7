"""The year (年考核): each organization's months rolled up into its annual party-building score
and the record the year-end 考核 and 述职评议 read: findings, cases and their measures, answers,
closures, recurrences, and its places on the quarters' lists. The sum of the daily work, not a
one-off inspection."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import MEASURE_KINDS, Listing, measure_name
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.rankings import judged_months, year_cases, year_listings
from dutyflow.models.scores import month_findings
from dutyflow.rules.policy import Policy
from dutyflow.rules.scoring import mean_score, score_text
from dutyflow.services.charts import Chart, findings_heatmap, score_trend
from dutyflow.services.digest import svg_data_uri
from dutyflow.services.scores import ScoreError, month_scores
from dutyflow.services.workbooks import write_sheets

COUNTS = ("findings", "cases", "replies", "closed", "recurrences", "top", "bottom")
HEADERS = {"org_code": "组织编码", "organization": "组织名称", "kind": "类别",
           "score": "年度得分", "findings": "问题数", "cases": "已印发案件数",
           "measures": "已印发处置措施",
           "replies": "整改反馈", "closed": "销号", "recurrences": "反弹", "top": "红榜次数",
           "bottom": "黑榜次数"}


@dataclass
class OrgYear:
    org_code: str
    name: str
    kind: str  # unit / branch
    unit: str  # its 直属党组织's code
    months: dict[str, float] = field(default_factory=dict)  # judged month -> score
    findings: int = 0
    cases: int = 0
    measures: Counter[str] = field(default_factory=Counter)  # issued measures by kind
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (measure, document number)
    replies: int = 0
    closed: int = 0
    recurrences: int = 0
    top: int = 0
    bottom: int = 0  # confirmed 黑榜 entries
    monthly_findings: list[tuple[str, int]] = field(default_factory=list)

    @property
    def score(self) -> float:
        return mean_score(self.months.values())

    def measures_words(self) -> str:
        """An organization's own issued measures by number (约谈（市直工委函〔2026〕5号）); a
        roll-up of many organizations counts them by kind (约谈3)."""
        if self.numbers:
            return "、".join(f"{measure_name(k)}（{number}）" for k, number in sorted(
                self.numbers, key=lambda kn: (MEASURE_KINDS[kn[0]].rank, kn[1])))
        return "、".join(f"{measure_name(k)}{n}" for k, n in sorted(
            self.measures.items(), key=lambda kv: MEASURE_KINDS[kv[0]].rank))

    def row(self, months: list[str]) -> dict[str, object]:
        return {"org_code": self.org_code, "organization": self.name,
                "kind": "直属党组织" if self.kind == "unit" else "党支部",
                **{f"{Period.parse(m).index}月": self.months.get(m) for m in months},
                "score": self.score, **{k: getattr(self, k) for k in COUNTS[:5]},
                "measures": self.measures_words(),
                "top": self.top, "bottom": self.bottom}


@dataclass(frozen=True)
class YearRecord:
    year: str
    months: list[str]  # the judged months
    orgs: dict[str, OrgYear]

    def units(self) -> list[OrgYear]:
        return sorted((o for o in self.orgs.values() if o.kind == "unit"),
                      key=lambda o: (-o.score, o.org_code))

    def members(self, unit: str) -> list[OrgYear]:
        """The unit, then its branches by score."""
        branches = sorted((o for o in self.orgs.values() if o.unit == unit and o.org_code != unit),
                          key=lambda o: (-o.score, o.org_code))
        return [self.orgs[unit], *branches]

    def rolled_up(self, unit: str) -> OrgYear:
        """A unit with its score and its whole subtree's counts: what it answers for."""
        members = self.members(unit)
        total = OrgYear(unit, members[0].name, "unit", unit, dict(members[0].months))
        for member in members:
            for key in COUNTS:
                setattr(total, key, getattr(total, key) + getattr(member, key))
            total.measures.update(member.measures)
        return total

    def frame(self, orgs: list[OrgYear], headers: dict[str, str] = HEADERS) -> pd.DataFrame:
        rows = [o.row(self.months) for o in orgs]
        total = {"org_code": "合计", **{k: sum(int(r[k]) for r in rows)  # type: ignore[call-overload]
                                       for k in COUNTS}}
        return pd.DataFrame([*rows, total]).rename(columns=headers)

    def write_xlsx(self, path: Path) -> Path:
        """A summary sheet (every unit with its subtree's counts), then one sheet per unit
        (itself and its branches, each with its own)."""
        summary = {k: v + ("（含所属）" if k in COUNTS or k == "measures" else "")
                   for k, v in HEADERS.items()}
        sheets = {"汇总": self.frame([self.rolled_up(u.org_code) for u in self.units()], summary)}
        for unit in self.units():
            sheets[_sheet_name(unit.name, sheets)] = self.frame(self.members(unit.org_code))
        return write_sheets(path, sheets, title=f"{settings.office.issuer_name}"
                            f"{Period.parse(self.year).label}党建工作考核汇总")

    def charts(self) -> dict[str, Chart]:
        label = Period.parse(self.year).label
        units = self.units()
        trend = score_trend({u.name: sorted(u.months.items()) for u in units},
                            title=f"{label}各直属党组织月度得分")
        cells = [(o.unit, m, n) for o in self.orgs.values() for m, n in o.monthly_findings]
        heat = findings_heatmap(cells, title=f"{label}各直属党组织问题数（按月）",
                                names={u.org_code: u.name for u in units})
        return {f"{self.year}-单位月度得分": trend, f"{self.year}-单位问题数": heat}

    def markdown(self, charts: dict[str, Chart], workbook: Path) -> str:
        label = Period.parse(self.year).label
        judged = "、".join(f"{Period.parse(m).index}月" for m in self.months)
        lines = [f"# {label}党建工作考核汇总", "",
                 f"年度得分为已调度月份（{judged}）得分的平均分。", "",
                 "问题、案件、销号、反弹和上榜次数含所属党组织。", "",
                 "| 名次 | 直属党组织 | 年度得分 | 问题数 | 案件数 | 销号 | 反弹 | 红榜 | 黑榜 |",
                 "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        units = self.units()
        for u in units:  # equal scores share a place (1, 1, 3)
            i = 1 + sum(other.score > u.score for other in units)
            t = self.rolled_up(u.org_code)
            lines.append(f"| {i} | {u.name} | {score_text(u.score)} | {t.findings} | {t.cases} | "
                         f"{t.closed} | {t.recurrences} | {t.top} | {t.bottom} |")
        for stem, chart in charts.items():
            lines += ["", f"![{stem}]({svg_data_uri(chart.svg)})"]
        lines += ["", f"工作簿：`{workbook.resolve()}`"]
        return "\n".join(lines)


def _sheet_name(name: str, taken: dict[str, object]) -> str:
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:28]
    candidate, n = clean, 2
    while candidate in taken:
        candidate, n = f"{clean}{n}", n + 1
    return candidate


def year_record(*, year: str, policy: Policy) -> YearRecord:
    p = Period.parse(year)
    if p.kind != "year":
        raise ScoreError(f"the roll-up covers a year like 2026, not {year}")
    months = [str(Period(p.year, "month", m)) for m in range(1, 13)]
    with session_scope() as session:
        judged = judged_months(session=session, months=months)
        if not judged:
            raise ScoreError(f"no month of {year} has been judged yet: run its months first")
        names = organization_names(session=session)
        findings = {m: month_findings(session=session, period=m) for m in judged}
        cases = year_cases(session=session, months=months)
        listings = year_listings(session=session, year=p.year)
    orgs: dict[str, OrgYear] = {}
    for month in judged:
        scored = month_scores(period=month, policy=policy)
        for org, score in scored.scores.items():
            record = orgs.setdefault(org, OrgYear(org, names.get(org, org), score.kind,
                                                  scored.units.get(org, org)))
            record.months[month] = score.score
            record.kind = score.kind
    monthly: dict[str, Counter[str]] = {}
    for month, rows in findings.items():
        for org, _, _, _, recurrence in rows:
            if org in orgs:
                orgs[org].findings += 1
                orgs[org].recurrences += bool(recurrence)
                monthly.setdefault(org, Counter())[month] += 1
    for org, measure, replies, closed, number in cases:
        if org in orgs:
            orgs[org].cases += 1
            orgs[org].measures[measure] += 1
            if number:
                orgs[org].numbers.append((measure, number))
            orgs[org].replies += replies
            orgs[org].closed += closed
    for org, listing in listings:
        if org in orgs:
            orgs[org].top += listing == Listing.TOP
            orgs[org].bottom += listing == Listing.CONFIRMED
    for org, counts in monthly.items():
        orgs[org].monthly_findings = sorted(counts.items())
    return YearRecord(str(p), judged, orgs)


def year_workbook_path(year: str) -> Path:
    return Path(settings.output_dir) / year / f"{year}-党建工作考核.xlsx"
