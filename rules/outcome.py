"""From rule matches to findings and cases: dedupe, keep the most severe, one case per organization.

Pure functions: the flow stores what these return; tests call them without an engine.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from dutyflow.core.report_tables import ASSESSMENTS, RECTIFICATIONS
from dutyflow.core.vocabulary import DEFAULT_REPLY_DAYS
from dutyflow.rules.compile import Rule
from dutyflow.rules.policy import Policy

# Fact columns kept as evidence, per family (the rest are engine plumbing): a ledger item's
# and an assessment's as their tables declare them (dutyflow.core.report_tables), then what
# the facts derive.
EVIDENCE_FIELDS = {
    "meeting": ("duty", "meeting_type", "meeting_name", "span", "minimum", "held_total",
                "held_valid", "held", "groups", "members", "voting", "prior", "recurrence",
                "settling", "settling_measure"),
    "rectification": (*RECTIFICATIONS.evidence, "days_overdue", "paper", "recurrence"),
    "fulfillment": (*ASSESSMENTS.evidence, "done_ratio", "prior", "recurrence", "settling",
                    "settling_measure"),
    "duty_report": ("assessed_period", "rating", "rating_name"),
    "follow_up": ("case_id", "case_action", "doc_number", "overdue_since", "chase_id",
                  "chase_number", "chased_on", "escalation_date", "step"),
}
# Fields only some facts have: left out of the evidence when empty (the tables' optional
# columns among them).
OPTIONAL_FIELDS = ("meeting_name", "voting", "recurrence", "settling", "settling_measure",
                   *RECTIFICATIONS.optional_evidence,
                   *ASSESSMENTS.optional_evidence)
RECURRENCE = "；销号后再次出现（反弹）"


@dataclass(frozen=True)
class FindingDraft:
    id: str
    period: str
    span: str
    org_code: str
    family: str
    subject: str
    rule_id: str
    rule_ids: tuple[str, ...]
    measure: str
    text: str
    facts: dict[str, Any]
    requirement: str = ""
    basis: str = ""

    def as_evidence(self) -> dict[str, Any]:
        return {"finding_id": self.id, "rule_id": self.rule_id, "family": self.family,
                "subject": self.subject, "span": self.span, "action": self.measure,
                "text": self.text, "requirement": self.requirement, "basis": self.basis,
                "facts": self.facts}


@dataclass(frozen=True)
class CaseDraft:
    """A case: one organization, one period, all its findings, one measure."""

    id: str
    period: str
    org_code: str
    measure: str  # the case's one measure: the most severe its findings earn
    rule_ids: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]
    evidence_hash: str = field(default="")
    proposal: bool = False  # the measure needs a committee decision
    reply_days: int = DEFAULT_REPLY_DAYS  # working days its notice gives for the answer


def _plain(value: Any) -> Any:
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)  # counts come back as floats from concatenated fact frames
    return value


def stable_id(*parts: str, length: int = 16) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:length]


def case_id(period: str, org_code: str) -> str:
    """Readable and stable: one case per organization and period, `2026-10-DW0004-ZB07`."""
    return f"{period}-{org_code}"


def compose_text(hits: list[Rule]) -> str:
    """One reason per measure (the harshest threshold crossed), then the streak once:
    考核得分低于60分、责任清单任务完成率低于80%；连续2个考核期履责不力."""
    def harshness(rule: Rule) -> float:
        bound = next((c for c in rule.conditions if c.field == rule.measure), None)
        if bound is None or not isinstance(bound.value, (int, float)):
            return 0.0
        return float(bound.value) if bound.op in (">", ">=") else -float(bound.value)

    harshest: dict[str, Rule] = {}
    for rule in hits:  # ordered by action severity: a later hit of a measure is no milder
        held = harshest.get(rule.measure)
        if held is None or rule.action != held.action or harshness(rule) >= harshness(held):
            harshest[rule.measure] = rule
    top = hits[-1]
    reasons = [r.reason for r in sorted(harshest.values(), key=lambda r: r is not top)]
    return "、".join(dict.fromkeys(reasons)) + top.streak


def build_findings(policy: Policy, period: str, facts: pd.DataFrame, rules: list[Rule],
                   matches: list[tuple[str, str]]) -> list[FindingDraft]:
    """One finding per failed duty or item; several rules on one fact keep the most severe."""
    by_id = {r.id: r for r in rules}
    fired: dict[str, list[Rule]] = {}
    for rule_id, fid in matches:
        fired.setdefault(fid, [])
        if by_id[rule_id] not in fired[fid]:  # `a | b` style double firing counts once
            fired[fid].append(by_id[rule_id])
    if not fired:
        return []
    rows = facts.set_index("fid").loc[list(fired)]
    findings = []
    # plain dicts, not iterrows: a Series per fact was most of this function's time
    for fid, row in zip(rows.index, rows.to_dict(orient="records"), strict=True):
        hits = sorted(fired[str(fid)], key=lambda r: (policy.rank(r.action), r.id))
        top = hits[-1]
        family = top.family
        evidence = {k: _plain(row[k]) for k in EVIDENCE_FIELDS[family] if k in row}
        for name in OPTIONAL_FIELDS:
            if evidence.get(name) is None:
                evidence.pop(name, None)
        text = compose_text(hits) + (RECURRENCE if evidence.get("recurrence") else "")
        findings.append(FindingDraft(
            id=stable_id(period, str(row["org_code"]), family, str(row["subject"])),
            period=period, span=str(row["span"]), org_code=str(row["org_code"]), family=family,
            subject=str(row["subject"]), rule_id=top.id,
            rule_ids=tuple(r.id for r in hits), measure=top.action, text=text, facts=evidence,
            requirement=top.requirement, basis=top.basis,
        ))
    return sorted(findings, key=lambda f: (f.org_code, f.family, f.subject))


def settle(policy: Policy, findings: list[FindingDraft]) -> list[FindingDraft]:
    """Which failures join a settling measure's open case instead of opening one: all of an
    organization's failures of the period, when each is still settling and none earns more on
    its own than the measure it would join; otherwise none of them (their case opens at what
    they earn, without the climb the settling measure would have given)."""
    by_org: dict[str, list[FindingDraft]] = {}
    for finding in findings:
        by_org.setdefault(finding.org_code, []).append(finding)
    out = []
    for members in by_org.values():
        joins = all(f.facts.get("settling") and policy.rank(f.measure)
                    <= policy.rank(f.facts["settling_measure"]) for f in members)
        for finding in members:
            if "settling" in finding.facts and not joins:
                finding = replace(finding, facts={k: v for k, v in finding.facts.items()
                                                  if k not in ("settling", "settling_measure")})
            out.append(finding)
    return out


def group_cases(policy: Policy, period: str, findings: list[FindingDraft]) -> list[CaseDraft]:
    """One case per organization and period: every finding as evidence (the most severe
    first), and one measure, the most severe any finding earns (错责相当: not one letter per
    finding). A finding still settling (policy escalation.settle_working_days) opens none:
    it belongs to the open case of the measure issued just before the period ended."""
    groups: dict[str, list[FindingDraft]] = {}
    for finding in findings:
        if finding.facts.get("settling"):  # added to the settling measure's open case
            continue
        groups.setdefault(finding.org_code, []).append(finding)
    cases = []
    for org_code, members in sorted(groups.items()):
        members = sorted(members, key=lambda f: (-policy.rank(f.measure), f.family, f.subject))
        measure = members[0].measure
        evidence = tuple(f.as_evidence() for f in members)
        digest = hashlib.sha256(json.dumps([measure, evidence], ensure_ascii=False,
                                           sort_keys=True, default=str).encode()).hexdigest()
        cases.append(CaseDraft(
            id=case_id(period, org_code), period=period, org_code=org_code, measure=measure,
            rule_ids=tuple(sorted({r for f in members for r in f.rule_ids})),
            evidence=evidence, evidence_hash=digest, proposal=policy.is_proposal(measure),
            reply_days=policy.reply_days(measure),
        ))
    return cases
