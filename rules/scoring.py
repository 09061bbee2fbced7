"""The monthly score (月调度 百分制), declared in the policy: a base, a deduction per finding by
its family and the severity of the measure it earned, a cap per family, additions for cases
closed and answers given on time, and a floor and ceiling. Pure: frames in, scores out, each
explained line by line.

A unit (直属党组织) scores the mean of its branches, less its own deductions, plus its own
additions: it answers for its branches and for itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dutyflow.core.vocabulary import FAMILIES, MEASURE_KINDS, measure_name


def _all_measures() -> dict[str, float]:
    # one point per step of severity: 退回补正 1, 提醒 2, 督办 3, 约谈 4, ... 诫勉 7
    return {key: float(kind.rank + 1) for key, kind in MEASURE_KINDS.items()}


class Scoring(BaseModel):
    """The policy's `scores:` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: float = Field(default=100, gt=0, le=1000)
    floor: float = Field(default=0, ge=0)
    # points a finding deducts for the measure it earned, times its family's weight (a measure
    # not listed: one point per step of severity)
    severity: dict[str, float] = Field(default_factory=_all_measures)
    family_weight: dict[str, float] = Field(default_factory=lambda: dict.fromkeys(FAMILIES, 1.0))
    family_cap: dict[str, float] = Field(default_factory=dict)  # most a family deducts a month
    recurrence: float = Field(default=2, ge=0)  # more for a problem back after 销号 (反弹)
    closed_case: float = Field(default=2, ge=0)  # a case closed (销号) on a reply of the month
    reply_on_time: float = Field(default=1, ge=0)  # an answer received by its due date
    additions_cap: float = Field(default=5, ge=0)  # most the additions give a month

    @model_validator(mode="after")
    def _known_words(self) -> Scoring:
        for key in self.severity:
            if key not in MEASURE_KINDS:
                raise ValueError(f"scores.severity: unknown measure {key!r}; use "
                                 f"{', '.join(MEASURE_KINDS)}")
        for where, families in (("family_weight", self.family_weight),
                                ("family_cap", self.family_cap)):
            for family in families:
                if family not in FAMILIES:
                    raise ValueError(f"scores.{where}: unknown family {family!r}; use "
                                     f"{', '.join(FAMILIES)}")
        if any(v < 0 for v in [*self.severity.values(), *self.family_weight.values(),
                               *self.family_cap.values()]):
            raise ValueError("scores: points, weights and caps are never negative")
        if self.floor >= self.base:
            raise ValueError(f"scores.floor ({self.floor:g}) must be below the base "
                             f"({self.base:g})")
        return self

    def deduction(self, family: str, measure: str) -> float:
        """A measure the policy gives no points (a kind added later) deducts its severity."""
        points = self.severity.get(measure, float(MEASURE_KINDS[measure].rank + 1))
        return points * self.family_weight.get(family, 1.0)


@dataclass(frozen=True)
class Line:
    points: float  # negative: a deduction
    text: str

    def render(self) -> str:
        sign = "+" if self.points >= 0 else "−"
        return f"{sign}{score_text(abs(self.points))}  {self.text}"


@dataclass(frozen=True)
class Score:
    org_code: str
    score: float
    start: float  # the base, or for a unit its branches' mean
    lines: tuple[Line, ...]
    kind: str = "branch"  # branch, or unit (直属党组织: the mean of its branches)
    branches: int = 0

    def explain(self) -> str:
        head = (f"基础分 {score_text(self.start)}" if self.kind == "branch" else
                f"所属{self.branches}个党组织平均分 {score_text(self.start)}")
        return "\n".join([head, *(line.render() for line in self.lines),
                          f"得分 {score_text(self.score)}"])


@dataclass
class Ledger:
    """What one organization's month comes to, before the rules of the score apply."""

    findings: list[dict[str, Any]] = field(default_factory=list)  # family, action, text, recurrence
    closed: list[str] = field(default_factory=list)  # case ids closed on a reply of the month
    on_time: list[str] = field(default_factory=list)  # case ids answered by their due date


SCORE_PLACES = Decimal("0.01")


def round_score(value: float | Decimal) -> float:
    """A score to two decimals, half up as an office rounds by hand (96.125 → 96.13), not half
    to even as Python's round() does (96.12). Every score that is stored, printed, charted or
    compared is rounded here, so a document, a workbook and a chart never disagree by a cent.
    The decimal is read from the float's shortest repr, the figure a person would see."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return float(exact.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)) + 0.0  # no -0.0


def mean_score(values: Iterable[float]) -> float:
    """The mean of scores, summed as decimals (no binary drift before rounding half up)."""
    exact = [Decimal(repr(float(v))) for v in values]
    return round_score(sum(exact, Decimal(0)) / len(exact)) if exact else 0.0


def score_text(value: float) -> str:
    """A score as documents, workbooks' notes, charts and the CLI print it: rounded half up,
    no trailing zeros (96.10 → 96.1, 100.00 → 100)."""
    text = f"{Decimal(repr(round_score(value))).quantize(SCORE_PLACES):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text




def own_lines(rules: Scoring, ledger: Ledger) -> list[Line]:
    """The deductions (per family, capped) and additions (capped) of one organization."""
    lines: list[Line] = []
    by_family: dict[str, list[dict[str, Any]]] = {}
    for finding in ledger.findings:
        by_family.setdefault(finding["family"], []).append(finding)
    for family in sorted(by_family, key=list(FAMILIES).index):
        taken: list[Line] = []
        for finding in by_family[family]:
            points = rules.deduction(family, finding["measure"])
            # a 问责 measure a finding earns is only a proposal until the committee decides:
            # a score line never names it (it feeds the ranking and the year's assessment)
            earned = "" if MEASURE_KINDS[finding["measure"]].accountability else \
                f"（{measure_name(finding['measure'])}）"
            taken.append(Line(-points, f"{FAMILIES[family]}：{finding['text']}{earned}"))
            if finding.get("recurrence"):
                taken.append(Line(-rules.recurrence, f"{FAMILIES[family]}：销号后反弹"
                                                     f"（{finding['recurrence']}）"))
        total = -sum(line.points for line in taken)
        cap = rules.family_cap.get(family)
        lines += taken
        if cap is not None and total > cap:
            lines.append(Line(total - cap, f"{FAMILIES[family]}扣分以{score_text(cap)}分为限"
                                           f"（应扣{score_text(total)}分）"))
    additions = [Line(rules.closed_case, f"案件{case}整改到位销号") for case in ledger.closed]
    additions += [Line(rules.reply_on_time, f"案件{case}按期报送整改情况反馈")
                  for case in ledger.on_time]
    gained = sum(line.points for line in additions)
    lines += additions
    if gained > rules.additions_cap:
        lines.append(Line(rules.additions_cap - gained, f"加分以{score_text(rules.additions_cap)}分为限"
                                                        f"（应加{score_text(gained)}分）"))
    return lines


def _bounded(rules: Scoring, start: float, lines: list[Line]) -> tuple[float, list[Line]]:
    raw = start + sum(line.points for line in lines)
    if raw < rules.floor:
        return rules.floor, [*lines, Line(round_score(rules.floor - raw), f"最低{score_text(rules.floor)}分")]
    if raw > rules.base:
        return rules.base, [*lines, Line(round_score(rules.base - raw), f"最高{score_text(rules.base)}分")]
    return round_score(raw), lines


def score_month(rules: Scoring, ledgers: Mapping[str, Ledger], units: Mapping[str, list[str]],
                organizations: Iterable[str]) -> dict[str, Score]:
    """Every organization's score: branches (and any organization without branches) from the
    base; each unit in `units` (its code -> its branches' codes) from its branches' mean."""
    scores: dict[str, Score] = {}
    unit_codes = {u for u, branches in units.items() if branches}
    for org in organizations:
        if org in unit_codes:
            continue
        value, lines = _bounded(rules, rules.base, own_lines(rules, ledgers.get(org, Ledger())))
        scores[org] = Score(org, value, rules.base, tuple(lines))
    for unit in sorted(unit_codes):
        members = [scores[b].score for b in units[unit] if b in scores]
        mean = mean_score(members) if members else rules.base
        value, lines = _bounded(rules, mean, own_lines(rules, ledgers.get(unit, Ledger())))
        scores[unit] = Score(unit, value, mean, tuple(lines), kind="unit", branches=len(members))
    return scores
