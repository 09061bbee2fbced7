"""The figures of the circulars: the period's 通报批评 and the quarter's 通报 (季通报).

A circular speaks of measures taken, that is issued with a number, never of drafts or of
proposals the committee has not decided; reminders, supervision letters and talks are the
office's handling, 问责 is what the committee decided and the office issued.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.settings import settings
from dutyflow.core.vocabulary import (
    MEASURE_KINDS,
    MEETING_TYPES,
    ORG_TYPE_SHORT,
    RANKING_GROUPS,
    TAKEN,
    DocumentStatus,
)
from dutyflow.documents.history import History
from dutyflow.documents.wording import describe_finding
from dutyflow.models.issuing import quarter_cases
from dutyflow.models.statistics import ledger_summary, quarter_months
from dutyflow.rules.policy import Policy, load_policy
from dutyflow.services.drafting import organizations


def _criticised(actions: list[Any], orgs: dict[str, Any],
                histories: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    out = []
    for action in actions:
        org = orgs.get(action.org_code)
        out.append({
            "record": (histories or {}).get(action.id) or History(),
            "short": ORG_TYPE_SHORT.get(org.org_type, "单位") if org else "单位",
            "org_code": action.org_code, "org_name": org.org_name if org else action.org_code,
            "secretary": org.secretary if org else "",
            "period_label": Period.parse(action.period).label,
            "findings": [{**e, "sentence": describe_finding(e)} for e in action.evidence],
            "failures": "；".join(describe_finding(e).rstrip("。") for e in action.evidence),
            "number": getattr(action, "document_number", None) or "",
        })
    return out


def criticism_context(*, actions: list[Any], orgs: dict[str, Any], period: Period,
                      histories: dict[str, Any] | None = None) -> dict[str, Any]:
    """The period's 通报批评: every organization whose criticism was decided, what the record
    says of its past (by case: documents.history), its failures."""
    refs = sorted({a.decision_ref for a in actions if getattr(a, "decision_ref", None)})
    return {"period_label": period.label,
            "criticised": _criticised(actions, orgs, histories),
            "decision_refs": refs}


def _units(orgs: dict[str, Any]) -> dict[str, str]:
    """Each organization's directly affiliated unit (the top of its subtree)."""
    unit: dict[str, str] = {}
    for code in orgs:
        seen, top = set(), code
        while (parent := orgs[top].parent_code) and parent in orgs and parent not in seen:
            seen.add(top)
            top = parent
        unit[code] = top
    return unit


def failure_words(evidence: dict[str, Any]) -> str:
    """What failed, in a circular's words: the failure, not the rule's text."""
    facts = evidence.get("facts", {})
    family = evidence.get("family")
    if family == "meeting":
        kind = facts.get("meeting_type", evidence.get("subject", ""))
        known = next((t for t in MEETING_TYPES if t.key == kind), None)
        name = facts.get("meeting_name") or (known.name if known else kind)
        every = _EVERY.get(Period.parse(facts.get("span") or evidence["span"]).kind, "")
        return f"{name}未{every}{known.verb if known else '召开'}"
    if family == "rectification":
        return _FAILURES["paper" if facts.get("paper") else "rectification"]
    return _FAILURES.get(str(family), str(evidence.get("requirement") or evidence["text"]))


_EVERY = {"month": "按月", "quarter": "按季度", "year": "按年度"}
MEETING_NAMES = {t.key: t.name for t in MEETING_TYPES}
_FAILURES = {"rectification": "整改事项逾期未完成",
             "paper": "整改事项标记完成但无完成日期和佐证",
             "fulfillment": "党建考核或责任清单任务未达标",
             "follow_up": "整改情况逾期未反馈",
             "duty_report": "书记抓党建述职评议等次靠后"}


def _named(codes: list[str], orgs: dict[str, Any], limit: int) -> dict[str, Any]:
    """The first `limit` by code, named, and how many in all: “A、B等48个党支部”."""
    kinds = {orgs[c].org_type for c in codes if c in orgs}
    return {"names": [orgs[c].org_name if c in orgs else c for c in sorted(codes)[:limit]],
            "count": len(codes), "kind": kinds.pop() if len(kinds) == 1 else "党组织"}


def quarter_context(*, session: Session, quarter: Period, decided: bool,
                    policy: Policy | None = None) -> dict[str, Any]:
    """The quarter's figures: how duties were kept, the ledger, the measures taken (issued,
    with a number: a proposal not decided, or a decision not issued, is not one), the units
    and branches that complied fully, each failure with its count, the organizations
    criticised. `decided` False also counts the drafts (a preview, never circulated)."""
    rules = (policy or load_policy(settings.policy_file)).ranking
    statuses = (DocumentStatus.ISSUED,) if decided else (DocumentStatus.DRAFT, *TAKEN)
    live = quarter_cases(session=session, quarter=str(quarter),
                         statuses=(DocumentStatus.DRAFT, *TAKEN))
    actions = [a for a in live if a.status in statuses
               and (a.status != DocumentStatus.ISSUED or a.document_number)]
    orgs = organizations(session)
    branches = [c for c, o in orgs.items() if o.org_type == "党支部"]
    failing: dict[str, set[str]] = defaultdict(set)  # duty name -> organizations
    failures: dict[str, set[str]] = defaultdict(set)  # what failed -> organizations
    for action in live:  # duties kept or not is a fact of the reports, whatever was decided
        for e in action.evidence:
            failures[failure_words(e)].add(action.org_code)
            if e.get("family") == "meeting":  # the 制度 column names the meeting, not the rule
                facts = e.get("facts", {})
                name = facts.get("meeting_name") or MEETING_NAMES.get(facts.get("meeting_type"))
                failing[name or e.get("requirement") or e["text"]].add(action.org_code)
    short = {c for s in failing.values() for c in s}
    kept_all = len([b for b in branches if b not in short])
    duties = [{"name": name, "due": len(branches), "done": len(branches) - len(codes),
               "rate": (len(branches) - len(codes)) / len(branches) if branches else 1.0}
              for name, codes in sorted(failing.items())]
    counts = Counter(a.measure for a in actions)
    measures = [{"name": k.name, "count": counts[k.key]} for k in MEASURE_KINDS.values()
                if counts[k.key] and not k.accountability and k.numbered]
    accountability = [{"name": k.name, "count": counts[k.key]} for k in MEASURE_KINDS.values()
                      if counts[k.key] and k.accountability]
    unit_of = _units(orgs)
    troubled = {a.org_code for a in live}
    troubled_units = {unit_of.get(c, c) for c in troubled}
    # complied fully: no finding in the quarter (a unit: neither it nor any of its branches)
    clean_units = [u for u in sorted(set(unit_of.values()))
                   if u not in troubled_units and orgs[u].org_type != "党支部"]
    clean_branches = [b for b in sorted(branches) if b not in troubled]
    praised = [{"group": RANKING_GROUPS[g], **_named(codes, orgs, rules.praise_limit)}
               for g, codes in (("unit", clean_units), ("branch", clean_branches)) if codes]
    common = [{"text": text, **_named(sorted(codes), orgs, rules.failures_named)}
              for text, codes in sorted(failures.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    ledger = ledger_summary(session=session, months=quarter_months(quarter))
    return {
        "period_label": quarter.label,
        "totals": {"organizations": len(branches), "kept_all": kept_all},
        "duties": duties, "measures": measures,
        "measures_total": sum(m["count"] for m in measures),
        "accountability": accountability,
        "accountability_total": sum(m["count"] for m in accountability),
        "items": {"total": ledger.total, "done": ledger.done, "overdue": ledger.overdue,
                  "rate": ledger.rate},
        "praised": praised, "common": common,
        "criticised": _criticised([a for a in actions if a.measure == "circulated_criticism"
                                   and a.status == DocumentStatus.ISSUED], orgs),
    }
