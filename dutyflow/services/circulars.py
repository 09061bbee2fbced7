"""The figures of the circulars: the period's 通报批评 and the quarter's 通报 (季通报).

A circular speaks of measures decided (approved or issued), never of drafts; reminders,
supervision letters and talks are the office's handling, 问责 is what the committee decided.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import MEASURE_KINDS, ORG_TYPE_SHORT, TAKEN, DocumentStatus
from dutyflow.documents.history import History
from dutyflow.documents.wording import describe_finding
from dutyflow.models.issuing import quarter_cases
from dutyflow.models.statistics import ledger_summary, quarter_months
from dutyflow.services.drafting import organizations

BEST_UNITS = 5  # units praised by name
COMMON_PROBLEMS = 3


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


def quarter_context(*, session: Session, quarter: Period, decided: bool) -> dict[str, Any]:
    """The quarter's figures: how duties were kept, the ledger, measures and 问责 taken,
    units without a problem, the commonest problems, the organizations criticised."""
    statuses = TAKEN if decided else (DocumentStatus.DRAFT, *TAKEN)
    live = quarter_cases(session=session, quarter=str(quarter),
                           statuses=(DocumentStatus.DRAFT, *TAKEN))
    actions = [a for a in live if a.status in statuses]
    orgs = organizations(session)
    branches = [c for c, o in orgs.items() if o.org_type == "党支部"]
    failing: dict[str, set[str]] = defaultdict(set)  # duty name -> organizations
    problems: dict[str, set[str]] = defaultdict(set)
    basis: dict[str, str] = {}
    for action in live:  # duties kept or not is a fact of the reports, whatever was decided
        for e in action.evidence:
            problems[e.get("requirement") or e["text"]].add(action.org_code)
            basis.setdefault(e.get("requirement") or e["text"], e.get("basis", ""))
            if e.get("family") == "meeting":
                failing[e.get("requirement") or e["text"]].add(action.org_code)
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
    troubled_units = {unit_of.get(a.org_code, a.org_code) for a in live}
    best = [orgs[u].org_name for u in sorted(set(unit_of.values()))
            if u not in troubled_units and orgs[u].org_type != "党支部"][:BEST_UNITS]
    common = [{"text": text, "organizations": len(codes), "basis": basis[text]}
              for text, codes in sorted(problems.items(), key=lambda kv: (-len(kv[1]), kv[0]))
              if len(codes) > 1][:COMMON_PROBLEMS]
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
        "best": best, "common": common,
        "criticised": _criticised([a for a in actions if a.measure == "circulated_criticism"
                                   and a.status in TAKEN], orgs),
    }
