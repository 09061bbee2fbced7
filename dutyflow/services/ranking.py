"""The quarter's ranking (季通报, 红黑榜): each organization's quarter from its month scores,
ranked by the policy, with its movement since the previous quarter; the communiqué's figures;
the ranking as published; and the bottom list's correction windows, settled as they end.

What a communiqué printed is kept (`ranking_entry`) and never recomputed: a later re-run of a
month changes the scores, not what was circulated.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from dutyflow.core.calendar import add_working_days
from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    BOTTOM_LISTINGS,
    MEASURE_KINDS,
    RANKING_CIRCULAR,
    RANKING_GROUPS,
    TAKEN,
    DocumentStatus,
    Listing,
    circular_subject,
    measure_name,
)
from dutyflow.documents.wording import chinese_date
from dutyflow.models.accountability import finding_counts, organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.documents import get_document, log_event
from dutyflow.models.issuing import quarter_cases
from dutyflow.models.rankings import (
    due_for_settling,
    judged_months,
    publish_ranking,
    published_ranking,
    uncorrected,
)
from dutyflow.models.statistics import quarter_months
from dutyflow.models.tables import RankingEntry
from dutyflow.rules.policy import Policy
from dutyflow.rules.ranking import Entry, rank_quarter
from dutyflow.rules.scoring import mean_score, score_text
from dutyflow.services.circulars import failure_words
from dutyflow.services.scores import ScoreError, month_scores, organization_units
from dutyflow.services.workbooks import write_sheets

PROBLEMS_SHOWN = 2  # a bottom-list entry's most serious failures, as the communiqué names them


def correction_deadline(on: date, days: int) -> date | None:
    """The last day to correct a bottom-list entry published on `on`: `days` working days
    later (None: no window). The communiqué, the workbook, the chart and the published
    ranking all take the date from here."""
    return add_working_days(on, days) if days else None


@dataclass(frozen=True)
class Ranked:
    """One organization's place in a quarter, as the office reads it."""

    group: str
    rank: int
    org_code: str
    name: str
    unit: str  # the name of its 直属党组织 (a unit: its own)
    score: float
    months: tuple[float | None, ...]
    findings: int
    previous: int | None
    listing: Listing | None
    window_ends: date | None = None
    problems: tuple[str, ...] = ()
    # the measures issued to it in the quarter, each with its number: 约谈（市直工委函〔2026〕5号）
    measures: tuple[str, ...] = ()
    held: Listing | None = None  # tied at a list's cut-off with too many to be listed

    @property
    def score_text(self) -> str:
        return score_text(self.score)

    @property
    def movement(self) -> int | None:
        return None if self.previous is None else self.previous - self.rank

    @property
    def movement_words(self) -> str:
        if self.movement is None:
            return "新"
        return "—" if self.movement == 0 else f"↑{self.movement}" if self.movement > 0 \
            else f"↓{-self.movement}"

    @property
    def listing_words(self) -> str:
        if self.listing is None:
            return ""
        if self.listing == Listing.PROVISIONAL and self.window_ends:
            return f"{self.listing.words}（整改期至{chinese_date(self.window_ends)}）"
        return self.listing.words


@dataclass(frozen=True)
class QuarterRanking:
    quarter: str
    months: tuple[str, ...]  # the quarter's three months
    judged: tuple[str, ...]  # those the rules judged
    rows: tuple[Ranked, ...]
    top: int
    bottom: int
    publish_bottom: bool
    correction_days: int
    doc_number: str | None = None  # the communiqué that published it, once issued
    base: float = 100
    tie_allowance: int = 0
    window_ends: date | None = None  # the bottom list's correction deadline, once dated

    def held(self, group: str, listing: Listing) -> list[Ranked]:
        """The organizations tied at a list's cut-off with too many others to be listed."""
        return [r for r in self.group(group) if r.held == listing]

    def group(self, group: str) -> list[Ranked]:
        return [r for r in self.rows if r.group == group]

    @property
    def groups(self) -> list[str]:
        return [g for g in RANKING_GROUPS if any(r.group == g for r in self.rows)]

    def table(self) -> list[dict[str, Any]]:
        return [{"group": r.group, "rank": r.rank, "org_code": r.org_code, "organization": r.name,
                 "unit": r.unit, "score": r.score, "held": r.held.value if r.held else None,
                 "months": dict(zip(self.months, r.months, strict=True)),
                 "findings": r.findings, "previous_rank": r.previous, "movement": r.movement,
                 "listing": r.listing.value if r.listing else None,
                 "window_ends": r.window_ends.isoformat() if r.window_ends else None}
                for r in self.rows]

    def frame(self, group: str) -> pd.DataFrame:
        month_names = [f"{Period.parse(m).index}月" for m in self.months]
        return pd.DataFrame([
            {"名次": r.rank, "组织编码": r.org_code, "组织名称": r.name, "所属单位": r.unit,
             **{name: score for name, score in zip(month_names, r.months, strict=True)},
             "季度得分": r.score, "问题数": r.findings, "上季度名次": r.previous,
             "升降": r.movement_words, "榜单": r.listing_words} for r in self.group(group)],
            columns=["名次", "组织编码", "组织名称", "所属单位", *month_names, "季度得分",
                     "问题数", "上季度名次", "升降", "榜单"])

    def write_xlsx(self, path: Path) -> Path:
        """One sheet per group, ranked, plus the rule the ranking followed."""
        sheets = {f"{RANKING_GROUPS[g]}排名": self.frame(g) for g in self.groups}
        sheets["说明"] = pd.DataFrame({"说明": self.notes()})
        return write_sheets(path, sheets, title=f"{settings.office.issuer_name}"
                            f"{Period.parse(self.quarter).label}党建工作考评排名")

    def notes(self) -> list[str]:
        label = Period.parse(self.quarter).label
        judged = "、".join(f"{Period.parse(m).index}月" for m in self.judged)
        lines = [f"{label}党建工作考评排名：季度得分为已调度月份（{judged}）得分的平均分，"
                 "保留两位小数（四舍五入）；得分相同的名次并列",
                 f"红榜：各组前{self.top}名；末位：各组后{self.bottom}名（未扣分的不列入）；"
                 f"与最后一名并列的一并列入，至多多列{self.tie_allowance}个，"
                 "并列更多的均不列入、只说明个数"]
        for group in self.groups:
            for listing, words in ((Listing.TOP, "红榜"), (self.bottom_listing, "末位名单")):
                if held := self.held(group, listing):
                    lines.append(f"{RANKING_GROUPS[group]}有{len(held)}个得分并列第{held[0].rank}名"
                                 f"（{held[0].score_text}分），超过{words}名额，均未列入")
        if self.correction_days:
            deadline = (f"，即{chinese_date(self.window_ends)}前" if self.window_ends else "")
            lines.append(f"列入末位的先列黄榜，通报之日起{self.correction_days}个工作日内"
                         f"{deadline}本季度案件全部整改销号的撤榜，逾期未整改到位的转入黑榜")
        if self.doc_number:
            lines.append(f"已以{self.doc_number}通报，通报后的排名不再变动")
        return lines


    @property
    def bottom_listing(self) -> Listing:
        return Listing.PROVISIONAL if self.correction_days else Listing.CONFIRMED


def _grouped(rows: list[Ranked]) -> tuple[Ranked, ...]:
    order = list(RANKING_GROUPS)
    # equals by code: the internal order every list and workbook keeps, whatever the database
    # returned them in
    return tuple(sorted(rows, key=lambda r: (order.index(r.group), r.rank, r.org_code)))


def quarter_failures(*, session: Any, quarter: Period) -> dict[str, list[str]]:
    """Each organization's failures of the quarter in a circular's words (主题党日未按月开展),
    the most serious first: what failed, never the rule's text or the measure a finding earned
    (which may be a proposal no one decided). Facts of the reports, whatever was decided."""
    worst: dict[str, dict[str, int]] = {}
    for case in quarter_cases(session=session, quarter=str(quarter),
                              statuses=(DocumentStatus.DRAFT, *TAKEN)):
        mine = worst.setdefault(case.org_code, {})
        for evidence in case.evidence:
            kind = MEASURE_KINDS.get(str(evidence.get("action")))
            label = failure_words(evidence)
            mine[label] = max(mine.get(label, -1), kind.rank if kind else 0)
    return {org: [label for label, _ in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))]
            for org, labels in worst.items()}


def issued_measures(*, session: Any, quarter: Period) -> dict[str, tuple[str, ...]]:
    """Each organization's measures of the quarter that were issued, with their numbers. A
    proposal not decided, or decided and not yet issued, is no measure taken."""
    measures: dict[str, list[str]] = {}
    for case in quarter_cases(session=session, quarter=str(quarter),
                              statuses=(DocumentStatus.ISSUED,)):
        if case.document_number:
            measures.setdefault(case.org_code, []).append(
                f"{measure_name(case.measure)}（{case.document_number}）")
    return {org: tuple(m) for org, m in measures.items()}


def compute_ranking(*, quarter: Period, policy: Policy, with_previous: bool = True,
                    on: date | None = None) -> QuarterRanking:
    """The quarter ranked from its judged months' scores, as it stands today; a bottom-list
    window runs from `on` (the communiqué's date)."""
    months = tuple(quarter_months(quarter))
    with session_scope() as session:
        judged = tuple(judged_months(session=session, months=months))
        counts = finding_counts(session=session, first_period=months[0], last_period=months[-1])
        names = organization_names(session=session)
        issued = issued_measures(session=session, quarter=quarter)
        failures = quarter_failures(session=session, quarter=quarter)
    if not judged:
        raise ScoreError(f"no month of {quarter} has been judged yet: run its months "
                         f"(`dutyflow run --period {months[0]}` …) before ranking it")
    scored = {m: month_scores(period=m, policy=policy) for m in judged}
    latest = scored[judged[-1]]
    findings: dict[str, int] = {}
    for org, _, count in counts:
        findings[org] = findings.get(org, 0) + count
    entries = [Entry(org, s.kind, tuple(scored[m].scores[org].score
                                        if m in scored and org in scored[m].scores else None
                                        for m in months), findings.get(org, 0))
               for org, s in latest.scores.items() if s.kind in policy.ranking.groups]
    previous: dict[str, int] = {}
    if with_previous:
        before = ranking_of(quarter=quarter.previous(), policy=policy, with_previous=False,
                            missing_ok=True)
        previous = {r.org_code: r.rank for r in before.rows} if before else {}
    rules = policy.ranking
    window = correction_deadline(on, rules.correction_days) if on else None
    rows = []
    for standing in rank_quarter(rules, entries, base=policy.scores.base, previous=previous):
        org = standing.org_code
        problems = list(failures.get(org, [])) if standing.listing else []
        if standing.entry.group == "unit" and standing.listing:  # it answers for its branches
            start = latest.scores[org]
            problems.insert(0, f"所属{start.branches}个党组织{Period.parse(judged[-1]).index}"
                               f"月平均{score_text(start.start)}分")
        unit = latest.units.get(org, org)
        rows.append(Ranked(standing.entry.group, standing.rank, org, names.get(org, org),
                           names.get(unit, unit), standing.entry.score, standing.entry.months,
                           standing.entry.findings, standing.previous, standing.listing,
                           window if standing.listing == Listing.PROVISIONAL else None,
                           tuple(problems[:PROBLEMS_SHOWN]),
                           issued.get(org, ()) if standing.listing else (),
                           standing.held))
    return QuarterRanking(str(quarter), months, judged, _grouped(rows), rules.top, rules.bottom,
                          rules.publish_bottom, rules.correction_days, base=policy.scores.base,
                          tie_allowance=rules.tie_allowance, window_ends=window)


def ranking_of(*, quarter: Period, policy: Policy, with_previous: bool = True,
               missing_ok: bool = False, on: date | None = None) -> QuarterRanking | None:
    """The quarter's ranking as published, if its communiqué was issued; else as computed."""
    with session_scope() as session:
        published = published_ranking(session=session, quarter=str(quarter))
        names = organization_names(session=session)
    if published:
        return _as_published(published, quarter, policy, names)
    try:
        return compute_ranking(quarter=quarter, policy=policy, with_previous=with_previous, on=on)
    except ScoreError:
        if missing_ok:
            return None
        raise


def _as_published(entries: list[RankingEntry], quarter: Period, policy: Policy,
                  names: dict[str, str]) -> QuarterRanking:
    rules = policy.ranking
    units = {org: names.get(unit, unit) for org, unit in organization_units().items()}
    # which unlisted ties were held back at a cut-off is not stored: the same rule on the
    # published scores says it again
    again = {s.org_code: s.held for s in rank_quarter(
        rules, [Entry(e.org_code, e.group, (e.score,)) for e in entries], base=policy.scores.base)}
    rows = [Ranked(e.group, e.rank, e.org_code, names.get(e.org_code, e.org_code),
                   units.get(e.org_code, ""), e.score, tuple(e.months), e.findings,
                   e.previous_rank, Listing(e.listing) if e.listing else None, e.window_ends,
                   held=None if e.listing else again.get(e.org_code))
            for e in entries]
    months = tuple(quarter_months(quarter))
    judged = tuple(m for i, m in enumerate(months) if any(r.months[i] is not None for r in rows))
    window = next((e.window_ends for e in entries if e.window_ends), None)
    return QuarterRanking(str(quarter), months, judged, _grouped(rows), rules.top, rules.bottom,
                          rules.publish_bottom, rules.correction_days, entries[0].document_number,
                          policy.scores.base, rules.tie_allowance, window)


# ------------------------------------------------------------------ the communiqué's figures


@dataclass(frozen=True)
class GroupFigures:
    name: str
    count: int
    mean: str
    best: str
    worst: str
    top: list[Ranked] = field(default_factory=list)
    bottom: list[Ranked] = field(default_factory=list)
    top_held: dict[str, Any] | None = None  # count, rank, score of the ties not listed
    bottom_held: dict[str, Any] | None = None
    full_marks: bool = False  # the top list's held ties scored the base


def _held(rows: list[Ranked]) -> dict[str, Any] | None:
    return {"count": len(rows), "rank": rows[0].rank, "score": rows[0].score_text} \
        if rows else None


def communique_context(ranking: QuarterRanking, on: date) -> dict[str, Any]:
    """What the ranking communiqué (考评排名通报) says: per group the count and spread, the top
    list, and the bottom list with its correction deadline when the policy publishes it; the
    ties a list could not take are counted. `ranking` must be dated `on` (compute_ranking's
    `on`): its lists and deadline are the workbook's and the chart's."""
    window = correction_deadline(on, ranking.correction_days)
    if ranking.doc_number is None and ranking.window_ends != window:
        raise ValueError(f"the ranking is dated {ranking.window_ends}, the communiqué {window}")
    groups = []
    for group in ranking.groups:
        rows = ranking.group(group)
        scores = [r.score for r in rows]
        top_held = ranking.held(group, Listing.TOP)
        groups.append(GroupFigures(
            RANKING_GROUPS[group], len(rows), score_text(mean_score(scores)),
            score_text(max(scores)), score_text(min(scores)),
            [r for r in rows if r.listing == Listing.TOP],
            [r for r in rows if r.listing in BOTTOM_LISTINGS],
            _held(top_held), _held(ranking.held(group, ranking.bottom_listing)),
            bool(top_held) and top_held[0].score >= ranking.base))
    return {"period_label": Period.parse(ranking.quarter).label,
            "months_label": "、".join(f"{Period.parse(m).index}月" for m in ranking.judged),
            "groups": [g.__dict__ for g in groups], "top": ranking.top, "bottom": ranking.bottom,
            "publish_bottom": ranking.publish_bottom, "correction_days": ranking.correction_days,
            "window_ends": chinese_date(window) if window else "",
            "base": score_text(ranking.base),
            "bottom_total": sum(len(g.bottom) for g in groups)}


def publish(*, session: Any, ranking: QuarterRanking, on: date, doc_number: str) -> None:
    """Keep the ranking as the communiqué numbered `doc_number` printed it (the caller's
    transaction: the two stand or fall together), and write its workbook and charts again as
    published, with the communiqué's number and deadline, over the draft's."""
    from dutyflow.services.ranking_report import write_ranking_files  # it reads this module

    window = correction_deadline(on, ranking.correction_days)
    publish_ranking(session=session, entries=[RankingEntry(
        quarter=ranking.quarter, org_code=r.org_code, group=r.group, rank=r.rank, score=r.score,
        months=list(r.months), findings=r.findings, previous_rank=r.previous,
        listing=r.listing.value if r.listing else None,
        window_ends=window if r.listing == Listing.PROVISIONAL else None,
        document_number=doc_number) for r in ranking.rows])
    write_ranking_files(dataclasses.replace(ranking, doc_number=doc_number, window_ends=window,
                                            rows=tuple(dataclasses.replace(
                                                r, window_ends=window if r.listing ==
                                                Listing.PROVISIONAL else None)
                                                for r in ranking.rows)))


@dataclass(frozen=True)
class Settled:
    quarter: str
    org_code: str
    listing: Listing


def settle_bottom_lists(*, on: date, actor: str = "dutyflow") -> list[Settled]:
    """Bottom-list entries whose window ended before `on`: lifted when every issued case of
    the quarter (a unit's: its whole subtree's) was closed on an answer received in the
    window, else confirmed (黑榜). Each
    step is in the communiqué's history; settling twice changes nothing."""
    settled: list[Settled] = []
    members: dict[str, list[str]] = {}  # a unit answers for its whole subtree
    for org, unit in organization_units().items():
        members.setdefault(unit, []).append(org)
    with session_scope() as session:
        due = due_for_settling(session=session, on=on)
        by_window: dict[tuple[str, date], list[RankingEntry]] = {}
        for entry in due:
            by_window.setdefault((entry.quarter, entry.window_ends), []).append(entry)  # type: ignore[arg-type]
        for (quarter, window_ends), entries in by_window.items():
            answerable = {e.org_code: members.get(e.org_code, [e.org_code])
                          if e.group == "unit" else [e.org_code] for e in entries}
            late = uncorrected(session=session, org_codes=sorted({o for orgs in answerable.values()
                                                                  for o in orgs}),
                               months=quarter_months(Period.parse(quarter)), by=window_ends)
            circular = get_document(session=session,
                                    document_id=circular_subject(quarter, RANKING_CIRCULAR))
            for entry in entries:
                listing = Listing.CONFIRMED if late & set(answerable[entry.org_code]) \
                    else Listing.LIFTED
                entry.listing, entry.settled_on = listing.value, on
                session.add(entry)
                if circular is not None:
                    log_event(session=session, subject=circular.id, period=circular.period,
                              event=listing.value, actor=actor,
                              note=f"{entry.org_code}：{listing.words}")
                settled.append(Settled(quarter, entry.org_code, listing))
    return settled
