"""The month's scores (月调度): read the month's findings and replies, score by the policy,
explain an organization's score line by line."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.rankings import judged_months
from dutyflow.models.scores import (
    CLOSED,
    month_findings,
    month_replies,
    organization_names_of,
    organization_tree,
    tree_around,
)
from dutyflow.rules.policy import Policy
from dutyflow.rules.scoring import Ledger, Score, round_score, score_month, score_text


class ScoreError(DutyflowError):
    exit_code = 2


@dataclass(frozen=True)
class MonthScores:
    period: str
    scores: dict[str, Score]
    names: dict[str, str]
    units: dict[str, str]  # org_code -> its unit's code (a unit: itself)

    def table(self) -> list[dict[str, Any]]:
        """Units first, then branches, each by score (lowest last) and code."""
        rows = sorted(self.scores.values(), key=lambda s: (s.kind != "unit", -s.score,
                                                            s.org_code))
        return [{"org_code": s.org_code, "organization": self.names.get(s.org_code, ""),
                 "kind": s.kind, "unit": self.units.get(s.org_code, s.org_code),
                 "score": s.score, "deductions": round_score(-sum(x.points for x in s.lines
                                                                  if x.points < 0))}
                for s in rows]


def unit_of(tree: list[tuple[str, str | None, str]]) -> dict[str, str]:
    """Each organization's 直属党组织 (the top of its subtree; a unit: itself), as
    services.shards.subtree_roots finds it, in plain Python: `scores` and `ranking` answer
    without loading pandas for a walk up a tree a few levels deep."""
    parent = {code: up for code, up, _ in tree}
    roots: dict[str, str] = {}
    for code in parent:
        root, up = code, parent[code]
        for _ in range(32):  # the same bound as subtree_roots: a guard against cycles
            if up is None or up not in parent:
                break
            root, up = up, parent[up]
        roots[str(code)] = str(root)
    return roots


def organization_units() -> dict[str, str]:
    with session_scope() as session:
        return unit_of(organization_tree(session=session))


def _with_branches(codes: Collection[str], roots: dict[str, str]) -> set[str]:
    """`codes` and the branches of every unit among them: a unit scores its branches' mean."""
    wanted = set(codes)
    return wanted | {org for org, root in roots.items() if root in wanted}


def month_scores(*, period: str, policy: Policy,
                 codes: Collection[str] | None = None) -> MonthScores:
    """Every organization's score for the month; with `codes`, only theirs (and what a unit
    among them needs: its branches), read from their own findings and replies alone."""
    p = Period.parse(period)
    if p.kind != "month":
        raise ScoreError(f"a score is monthly (月调度): give a month like 2026-10, not {period}")
    with session_scope() as session:
        if not judged_months(session=session, months=[str(p)]):
            raise ScoreError(f"{p} has not been judged: run it first "
                             f"(`dutyflow run --period {p} --input …`)")
        tree = (organization_tree(session=session) if codes is None
                else tree_around(session=session, codes=codes))
        wanted = None if codes is None else _with_branches(codes, unit_of(tree))
        findings = month_findings(session=session, period=str(p), codes=wanted)
        replies = month_replies(session=session, first=p.first_day, last=p.last_day,
                                codes=wanted)
        names = (organization_names(session=session) if wanted is None
                 else organization_names_of(session=session, codes=wanted))
    ledgers: dict[str, Ledger] = {}
    for org, family, action, text, recurrence in findings:
        ledgers.setdefault(org, Ledger()).findings.append(
            {"family": family, "measure": action, "text": text, "recurrence": recurrence})
    last_reply: dict[str, tuple[str, str | None]] = {}
    for org, case, received, due, follow_up in replies:
        ledger = ledgers.setdefault(org, Ledger())
        if due is not None and received <= due and case not in ledger.on_time:
            ledger.on_time.append(case)
        last_reply[case] = (org, follow_up)
    for case, (org, state) in last_reply.items():
        if state == CLOSED:
            ledgers[org].closed.append(case)
    roots = unit_of(tree)
    if wanted is not None:
        tree = [row for row in tree if row[0] in wanted]
        roots = {org: root for org, root in roots.items() if org in wanted}
    units: dict[str, list[str]] = {}
    for org, root in roots.items():
        units.setdefault(root, [])
        if org != root:
            units[root].append(org)
    scores = score_month(policy.scores, ledgers, units, [org for org, _, _ in tree])
    return MonthScores(str(p), scores, names, roots)


@dataclass(frozen=True)
class Explained:
    """An organization's month score line by line, as `dutyflow explain-score` prints it and
    the portal's home page shows it: one wording for both."""

    org_code: str
    name: str
    period: str
    score: Score

    @property
    def title(self) -> str:
        return f"{self.name}（{self.org_code}）{Period.parse(self.period).label}党建工作得分"

    @property
    def figure(self) -> str:
        return score_text(self.score.score)

    @property
    def lines(self) -> list[str]:
        return self.score.explain().splitlines()

    def text(self) -> str:
        return "\n".join([self.title, *self.lines])


def explained(month: MonthScores, org_code: str) -> Explained | None:
    score = month.scores.get(org_code)
    if score is None:
        return None
    return Explained(org_code, month.names.get(org_code, org_code), month.period, score)


def explain_score(*, org_code: str, period: str, policy: Policy) -> str:
    found = explained(month_scores(period=period, policy=policy), org_code)
    if found is None:
        raise ScoreError(f"no organization {org_code!r}; see `dutyflow scores --period {period}`")
    return found.text()
