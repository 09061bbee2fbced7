"""Shape a period's stored data into facts with pandas: one fact per due duty, item, assessment.

The engine compares facts with thresholds; everything that needs arithmetic (counts in a
span, quorum, per-group rates, days overdue, consecutive earlier failures) is derived here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import (
    DONE_ITEM_STATUSES,
    FREQUENCIES,
    MEETING_TYPES,
    OPEN_ITEM_STATUSES,
    meeting_type_names,
)
from dutyflow.rules.policy import MeetingDuty, Policy

BUILT_IN_MEETING_TYPES = {t.key for t in MEETING_TYPES}


@dataclass(frozen=True)
class PeriodData:
    """What the facts are built from; frames come from dutyflow.models.reports readers."""

    period: Period
    organizations: pd.DataFrame  # org_code, org_name, org_type, members, groups, secretary
    meetings: pd.DataFrame  # org_code, meeting_type, held_on, attendees (all reported periods)
    rectifications: pd.DataFrame  # this period's ledger
    assessments: pd.DataFrame  # this period's assessments
    history: pd.DataFrame  # current findings of earlier periods: org_code, family, subject, span
    has_meetings: bool = True


def due_duties(policy: Policy, period: Period) -> list[MeetingDuty]:
    """Duties checked in this period: monthly every month, quarterly at quarter end, yearly in December."""
    return [d for d in policy.meetings.duties
            if FREQUENCIES[d.frequency].order >= FREQUENCIES[period.kind].order
            and period.closes(d.frequency)]


def prior_streak(keys: pd.DataFrame, history: pd.DataFrame, spans: list[list[str]]) -> pd.Series:
    """Consecutive earlier spans, newest first, in which each (org_code, subject) failed too.

    `spans[k][i]` is row i's span k+1 steps back.
    """
    streak = pd.Series(0, index=keys.index, dtype="int64")
    if history.empty or not spans:
        return streak
    failed = set(zip(history["org_code"], history["subject"], history["span"], strict=True))
    alive = pd.Series(True, index=keys.index)
    for back in spans:
        hit = pd.Series([(o, s, p) in failed for o, s, p in
                         zip(keys["org_code"], keys["subject"], back, strict=True)], index=keys.index)
        alive &= hit
        streak += alive.astype("int64")
    return streak


def _previous_spans(span: Period, depth: int) -> list[str]:
    out, current = [], span
    for _ in range(depth):
        current = current.previous()
        out.append(str(current))
    return out


def meeting_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per (organization, due duty): valid meetings held in the duty's span."""
    period = data.period
    depth = max(s.consecutive for s in policy.meetings.escalation)
    frames = []
    orgs = data.organizations
    meetings = data.meetings.drop_duplicates(["org_code", "meeting_type", "held_on", "attendees"])
    names = meeting_type_names(policy.all_meeting_types)
    for duty in due_duties(policy, period) if data.has_meetings else []:
        span = period.containing(duty.frequency)
        subject = orgs[orgs["org_type"].isin(duty.org_types)]
        if duty.per_group:
            subject = subject[subject["groups"] > 0]
        if subject.empty:
            continue
        held = meetings[(meetings["meeting_type"] == duty.meeting_type)
                        & (meetings["held_on"] >= span.first_day)
                        & (meetings["held_on"] <= span.last_day)]
        held = held.merge(subject[["org_code", "members"]], on="org_code")
        if duty.quorum is not None:
            held = held.assign(valid=held["attendees"] > duty.quorum * held["members"])
        else:
            held = held.assign(valid=True)
        counts = held.groupby("org_code").agg(held_total=("valid", "size"),
                                              held_valid=("valid", "sum"))
        fact = subject[["org_code", "members", "groups"]].merge(
            counts, left_on="org_code", right_index=True, how="left").fillna(
            {"held_total": 0, "held_valid": 0})
        fact["held_total"] = fact["held_total"].astype("int64")
        fact["held_valid"] = fact["held_valid"].astype("int64")
        rate = fact["held_valid"] / fact["groups"] if duty.per_group else fact["held_valid"]
        fact = fact.assign(family="meeting", duty=duty.id, subject=duty.id, span=str(span),
                           meeting_type=duty.meeting_type, held=rate.astype(float),
                           minimum=duty.minimum)
        if duty.meeting_type not in BUILT_IN_MEETING_TYPES:  # notices need its declared name
            fact["meeting_name"] = names[duty.meeting_type]
        previous = _previous_spans(span, depth)
        fact["prior"] = prior_streak(fact, data.history, [[p] * len(fact) for p in previous])
        frames.append(fact)
    if not frames:
        return pd.DataFrame()
    facts = pd.concat(frames, ignore_index=True)
    facts["fid"] = "m|" + facts["org_code"] + "|" + facts["duty"]
    return facts


def rectification_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per ledger item: open and days past its deadline, or done on paper only."""
    items = data.rectifications
    if items.empty:
        return pd.DataFrame()
    last_day = pd.Timestamp(data.period.last_day)
    is_open = items["status"].isin(OPEN_ITEM_STATUSES)
    overdue = (last_day - pd.to_datetime(items["deadline"])).dt.days
    paper = items["status"].isin(DONE_ITEM_STATUSES) & items["completed_on"].isna()
    facts = items[["item_id", "org_code", "description", "deadline", "status",
                   "completed_on"]].copy()
    facts = facts.assign(family="rectification", subject=items["item_id"],
                         span=str(data.period), open=is_open.astype(int),
                         days_overdue=overdue.where(is_open, 0).astype(int),
                         paper=paper.astype(int), prior=0)
    facts["fid"] = "r|" + facts["item_id"]
    return facts


def fulfillment_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per assessed organization: score, share of tasks done, earlier weak periods."""
    rows = data.assessments
    if rows.empty:
        return pd.DataFrame()
    depth = max((s.consecutive for s in policy.fulfillment.escalation), default=1)
    total = rows["tasks_total"].astype(float)
    ratio = (rows["tasks_done"].astype(float) / total.where(total > 0)).fillna(1.0)
    facts = rows[["org_code", "score", "tasks_total", "tasks_done"]].copy()
    facts = facts.assign(family="fulfillment", subject="fulfillment", span=str(data.period),
                         assessed_period=rows["assessed_period"], score=rows["score"].astype(float),
                         done_ratio=ratio.round(4))
    previous = _previous_spans(data.period, depth)
    facts["prior"] = prior_streak(facts, data.history, [[p] * len(facts) for p in previous])
    facts["fid"] = "f|" + facts["org_code"] + "|" + facts["assessed_period"]
    return facts


def build_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """All facts of the period, one frame; columns not used by a family are empty."""
    frames = [f for f in (meeting_facts(policy, data), rectification_facts(policy, data),
                          fulfillment_facts(policy, data)) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["fid", "family", "org_code", "subject", "span", "prior"])
    return pd.concat(frames, ignore_index=True)
