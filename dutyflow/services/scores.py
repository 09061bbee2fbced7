"""The month's scores (月调度): read the month's findings and replies, score by the policy,
explain an organization's score line by line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dutyflow.core.errors import DutyflowError
from dutyflow.core.periods import Period
from dutyflow.models.accountability import organization_names
from dutyflow.models.db import session_scope
from dutyflow.models.rankings import judged_months
from dutyflow.models.scores import CLOSED, month_findings, month_replies, organization_tree
from dutyflow.rules.policy import Policy
from dutyflow.rules.scoring import Ledger, Score, round_score, score_month


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


def month_scores(*, period: str, policy: Policy) -> MonthScores:
    p = Period.parse(period)
    if p.kind != "month":
        raise ScoreError(f"a score is monthly (月调度): give a month like 2026-10, not {period}")
    with session_scope() as session:
        if not judged_months(session=session, months=[str(p)]):
            raise ScoreError(f"{p} has not been judged: run it first "
                             f"(`dutyflow run --period {p} --input …`)")
        findings = month_findings(session=session, period=str(p))
        replies = month_replies(session=session, first=p.first_day, last=p.last_day)
        tree = organization_tree(session=session)
        names = organization_names(session=session)
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
    units: dict[str, list[str]] = {}
    for org, root in roots.items():
        units.setdefault(root, [])
        if org != root:
            units[root].append(org)
    scores = score_month(policy.scores, ledgers, units, [org for org, _, _ in tree])
    return MonthScores(str(p), scores, names, roots)


def explain_score(*, org_code: str, period: str, policy: Policy) -> str:
    month = month_scores(period=period, policy=policy)
    score = month.scores.get(org_code)
    if score is None:
        raise ScoreError(f"no organization {org_code!r}; see `dutyflow scores --period {period}`")
    name = month.names.get(org_code, org_code)
    return f"{name}（{org_code}）{Period.parse(period).label}党建工作得分\n" + score.explain()
