"""From rule matches to findings and actions: dedupe, keep the most severe, group per organization.

Pure functions: the flow stores what these return; tests call them without an engine.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from rules.compile import Rule
from rules.policy import Policy

# Fact columns kept as evidence, per family (the rest are engine plumbing).
EVIDENCE_FIELDS = {
    "meeting": ("duty", "span", "minimum", "held_total", "held_valid", "held", "groups",
                "members", "prior"),
    "rectification": ("item_id", "description", "deadline", "status", "completed_on",
                      "days_overdue", "paper"),
    "fulfillment": ("assessed_period", "score", "tasks_total", "tasks_done", "done_ratio",
                    "prior"),
}


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
    action: str
    text: str
    facts: dict[str, Any]

    def as_evidence(self) -> dict[str, Any]:
        return {"finding_id": self.id, "rule_id": self.rule_id, "family": self.family,
                "subject": self.subject, "span": self.span, "action": self.action,
                "text": self.text, "facts": self.facts}


@dataclass(frozen=True)
class ActionDraft:
    id: str
    period: str
    org_code: str
    action: str
    rule_ids: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]
    evidence_hash: str = field(default="")


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


def action_id(period: str, org_code: str, action: str) -> str:
    """Readable and stable: the same period, organization and action type give the same id."""
    return f"{period}-{org_code}-{action}"


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
    for fid, row in rows.iterrows():
        hits = sorted(fired[str(fid)], key=lambda r: (policy.rank(r.action), r.id))
        top = hits[-1]
        family = top.family
        evidence = {k: _plain(row[k]) for k in EVIDENCE_FIELDS[family] if k in row.index}
        text = "；".join(dict.fromkeys(r.text for r in reversed(hits)))
        findings.append(FindingDraft(
            id=stable_id(period, str(row["org_code"]), family, str(row["subject"])),
            period=period, span=str(row["span"]), org_code=str(row["org_code"]), family=family,
            subject=str(row["subject"]), rule_id=top.id,
            rule_ids=tuple(r.id for r in hits), action=top.action, text=text, facts=evidence,
        ))
    return sorted(findings, key=lambda f: (f.org_code, f.family, f.subject))


def group_actions(policy: Policy, period: str, findings: list[FindingDraft]) -> list[ActionDraft]:
    """One action per organization and action type, carrying all its findings as evidence."""
    groups: dict[tuple[str, str], list[FindingDraft]] = {}
    for finding in findings:
        groups.setdefault((finding.org_code, finding.action), []).append(finding)
    actions = []
    for (org_code, action), members in sorted(groups.items(),
                                              key=lambda kv: (kv[0][0], policy.rank(kv[0][1]))):
        evidence = tuple(f.as_evidence() for f in members)
        digest = hashlib.sha256(json.dumps(evidence, ensure_ascii=False, sort_keys=True,
                                           default=str).encode()).hexdigest()
        actions.append(ActionDraft(
            id=action_id(period, org_code, action), period=period, org_code=org_code,
            action=action, rule_ids=tuple(sorted({r for f in members for r in f.rule_ids})),
            evidence=evidence, evidence_hash=digest,
        ))
    return actions
