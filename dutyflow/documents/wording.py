"""How findings and actions read in Chinese: one place for the words notices and `explain` use."""

from __future__ import annotations

from datetime import date
from typing import Any

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import (
    ITEM_STATUS_NAMES,
    MEETING_TYPES,
    measure_name,
    status_words,
)

_MEETING_TYPES = {t.key: t for t in MEETING_TYPES}


def _span_label(span: str) -> str:
    return Period.parse(span).label


def chinese_date(value: Any) -> str:
    """A date (or ISO date text) as GB/T 9704 writes it, in Arabic numerals: 2026年9月22日."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def describe_finding(evidence: dict[str, Any], *, you: str = "该支部") -> str:
    """One plain sentence of what was found, with the figures; a problem that came back after
    its case was closed (反弹) says so. `you` names the organization: 你支部 in a letter to it,
    该支部 where others read."""
    sentence = _what_was_found(evidence, you)
    closed = evidence.get("facts", {}).get("recurrence")
    if closed:
        sentence = sentence.rstrip("。") + f"。该问题曾经整改销号（{closed}），现再次出现，属问题反弹。"
    return sentence


def _what_was_found(evidence: dict[str, Any], you: str) -> str:
    facts = evidence.get("facts", {})
    family = evidence.get("family")
    if family == "meeting":
        span = Period.parse(facts["span"])
        kind = facts.get("meeting_type", evidence.get("subject", ""))
        known = _MEETING_TYPES.get(kind)
        # a type the policy declared carries its name in the evidence
        name = facts.get("meeting_name") or (known.name if known else kind)
        verb = known.verb if known else "召开"
        held_total, held_valid = facts.get("held_total", 0), facts.get("held_valid", 0)
        minimum, groups = facts.get("minimum", 1), facts.get("groups") or 0
        if kind == "group_meeting" and groups:
            text = (f"{span.label}共召开{name}{held_total}次，{you}设有{groups}个党小组，"
                    f"应不少于{minimum * groups}次")
        else:
            text = f"{span.label}{verb}{name}{held_total}次"
            if held_valid != held_total:
                text += (f"，其中{held_total - held_valid}次到会党员不足有表决权党员的半数、"
                         "不予计入")
            text += f"，少于规定的{minimum}次"
        return text + "。"
    if family == "rectification":
        status = ITEM_STATUS_NAMES.get(facts.get("status", ""), facts.get("status", ""))
        source = f"（{facts['source']}发现）" if facts.get("source") else ""
        head = f"问题{facts['item_id']}{source}“{facts['description']}”，整改时限"
        head += f"{chinese_date(facts['deadline'])}"
        if facts.get("extended_to"):
            # the days overdue count from the extension: say where they start
            head += f"，经批准延期至{chinese_date(facts['extended_to'])}"
        if facts.get("paper"):
            return f"{head}，标记为“{status}”但无完成日期，未见整改佐证。"
        return f"{head}，至{_span_label(evidence['span'])}末仍为“{status}”，已逾期{facts['days_overdue']}天。"
    if family == "fulfillment":
        ratio = facts.get("done_ratio", 0) or 0
        text = (f"{Period.parse(facts['assessed_period']).label}党建考核得分{facts['score']:g}分，"
                f"责任清单任务完成{facts['tasks_done']}/{facts['tasks_total']}项（{ratio:.0%}）")
        return text + "。"
    if family == "follow_up":
        number = f"（{facts['doc_number']}）" if facts.get("doc_number") else ""
        chase = f"（{facts['chase_number']}）" if facts.get("chase_number") else ""
        return (f"{measure_name(facts['case_action'])}{number}要求于"
                f"{chinese_date(facts['overdue_since'])}前报送整改情况反馈，逾期未报送；"
                f"{chinese_date(facts['chased_on'])}经催办{chase}后，至"
                f"{chinese_date(facts['escalation_date'])}仍未报送。")
    if family == "duty_report":
        return (f"{Period.parse(facts['assessed_period']).label}书记抓党建工作述职评议等次为"
                f"“{facts.get('rating_name') or facts.get('rating')}”。")
    return str(evidence.get("text", ""))


def explain_action(action: Any, org: Any | None) -> str:
    """Why a case exists and why its measure, in the words a party-affairs officer would write."""
    who = f"{org.org_name}（{action.org_code}）" if org else action.org_code
    secretary = f"，书记{org.secretary}" if org and org.secretary else ""
    decided = "须工委会议集体决定（本案为提议）" if action.proposal else "工委可直接决定"
    lines = [
        f"{action.id}：{measure_name(action.measure)}（{status_words(action.status)}）",
        f"对象：{who}{secretary}",
        f"期间：{Period.parse(action.period).label}；依据政策版本 {action.policy_version}",
        f"处置：{len(action.evidence)}项问题合并为一案，取其中最重的处置“"
        f"{measure_name(action.measure)}”；{decided}",
        "",
        f"问题（共{len(action.evidence)}项）：",
    ]
    for n, evidence in enumerate(action.evidence, start=1):
        lines.append(f"{n}. {describe_finding(evidence)}")
        requirement = evidence.get("requirement") or evidence["text"]
        basis = f"（{evidence['basis']}）" if evidence.get("basis") else ""
        lines.append(f"   要求：{requirement}{basis}")
        lines.append(f"   认定：{evidence['text']} → {measure_name(evidence['action'])}"
                     f"（规则 {evidence['rule_id']}）")
    if getattr(action, "decision_ref", None):
        lines.append(f"决定依据：{action.decision_ref}")
    return "\n".join(lines)
