"""Shape a period's stored data into facts with pandas: one fact per due duty, item, assessment.

The engine compares facts with thresholds; everything that needs arithmetic (counts in a
window, quorum, per-group rates, days overdue, how far a ladder climbs) is derived here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from dutyflow.core.calendar import add_working_days
from dutyflow.core.periods import Period
from dutyflow.core.report_tables import (
    ASSESSMENTS,
    MEETINGS,
    ORGANIZATIONS,
    RECTIFICATIONS,
)
from dutyflow.core.vocabulary import (
    DONE_ITEM_STATUSES,
    FREQUENCIES,
    MEETING_TYPES,
    OPEN_ITEM_STATUSES,
    RATING_NAMES,
    meeting_type_names,
)
from dutyflow.rules.policy import MeetingDuty, Policy

BUILT_IN_MEETING_TYPES = {t.key for t in MEETING_TYPES}
HISTORY_COLUMNS = ("org_code", "family", "subject", "span", "period", "measure", "measured",
                   "settling",
                   "closed")  # closed: the number (or id) of the finding's case once 销号
UNANSWERED_COLUMNS = ("chase_id", "case_id", "org_code", "chase_number", "chased_on",
                      "overdue_since", "case_action", "doc_number", "answered_on")


@dataclass(frozen=True)
class PeriodData:
    """What the facts are built from; frames come from models.accountability readers, the
    report tables with their columns as dutyflow.core.report_tables declares them (stored).

    Optional columns (full members, committee, for_year, extensions, ratings) may be missing:
    a report without them is judged as before they existed.
    """

    period: Period
    organizations: pd.DataFrame
    meetings: pd.DataFrame  # every meeting held since `meetings_since(policy, period)`
    rectifications: pd.DataFrame  # this period's ledger
    assessments: pd.DataFrame  # this period's assessments
    history: pd.DataFrame  # current findings of earlier periods, and whether a measure was
    # taken on them (their case approved or issued): HISTORY_COLUMNS
    has_meetings: bool = True
    # issued 催办 letters and the first answer after the date their case missed (UNANSWERED_COLUMNS)
    unanswered: pd.DataFrame = field(default_factory=pd.DataFrame)


def _columns(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """`frame` with every named column, the missing ones empty."""
    missing = [n for n in names if n not in frame.columns]
    return frame.assign(**dict.fromkeys(missing)) if missing else frame


# ------------------------------------------------------------------------ when duties fall due


def due_duties(policy: Policy, period: Period) -> list[tuple[MeetingDuty, Period]]:
    """Each duty judged in this period with the span it is judged for: monthly every month,
    quarterly at quarter end, yearly in December, or at the end of its grace months in the
    next year (组织生活会 of 2026 is judged at the end of March 2027)."""
    due = []
    for duty in policy.meetings.duties:
        if duty.grace_months:
            grace_end = Period(period.year, "month", duty.grace_months).last_day
            if period.kind != "year" and period.last_day == grace_end:
                due.append((duty, Period(period.year - 1, "year", 1)))
        elif (FREQUENCIES[duty.frequency].order >= FREQUENCIES[period.kind].order
              and period.closes(duty.frequency)):
            due.append((duty, period.containing(duty.frequency)))
    return due


def window(duty: MeetingDuty, span: Period) -> tuple[date, date]:
    """The days whose meetings count for `span`."""
    if duty.grace_months:
        return span.first_day, Period(span.year + 1, "month", duty.grace_months).last_day
    return span.first_day, span.last_day


def meetings_since(policy: Policy, period: Period) -> date:
    """The earliest meeting this period's judging reads."""
    return min([window(d, s)[0] for d, s in due_duties(policy, period)]
               + [period.first_day])


def judged_in(duty: MeetingDuty, span: Period) -> Period:
    """The month in which a duty's span is judged."""
    if duty.grace_months:
        return Period(span.year + 1, "month", duty.grace_months)
    return Period(span.year, "month", span.last_day.month)


# ------------------------------------------------------------------------------- escalation


def measured_steps(history: pd.DataFrame, *, family: str, periods: set[str],
                   ladder: list[str], by_subject: bool) -> dict[tuple[str, str], int]:
    """(org_code, subject or "") -> the highest ladder step of a measure taken in `periods`
    for a finding of `family` (a notice issued by the end of the period judged; rejected,
    withdrawn, pending and approved-but-unsent ones do not count)."""
    if history.empty:
        return {}
    rows = history[(history["family"] == family) & history["period"].isin(periods)
                   & history["measured"].astype(bool) & history["measure"].isin(ladder)]
    steps: dict[tuple[str, str], int] = {}
    for org, subject, action in zip(rows["org_code"], rows["subject"], rows["measure"],
                                    strict=True):
        key = (org, subject if by_subject else "")
        steps[key] = max(steps.get(key, -1), ladder.index(action))
    return steps


def prior_streak(keys: pd.DataFrame, history: pd.DataFrame, spans: list[list[str]]) -> pd.Series:
    """Consecutive earlier spans, newest first, in which each (org_code, subject) failed too
    (the `counts: findings` rule). `spans[k][i]` is row i's span k+1 steps back."""
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


def _looked_at(policy: Policy, family: str, period: Period, span: Period,
               previous_judged: Period) -> tuple[bool, set[str]]:
    """Whether the family climbs per duty, and the periods whose measures it climbs on: per
    family the period before this one; per duty where its previous span was judged."""
    by_subject = policy.escalation.scope_of(family) == "duty"
    return by_subject, ({str(previous_judged), str(span.previous())} if by_subject
                        else {str(period.previous())})


def settling(facts: pd.DataFrame, history: pd.DataFrame, prior: pd.Series, *, policy: Policy,
             family: str, ladder: list[str], period: Period, span: Period,
             previous_judged: Period) -> pd.DataFrame:
    """The open case each fact's failure would be added to instead of climbing, and that
    case's measure (None for most): a measure issued after the settling cut-off would have
    lifted the fact above its `prior`. (outcome.settle decides, once the measures are known.)"""
    none = pd.DataFrame({"settling": None, "settling_measure": None}, index=facts.index,
                        dtype="object")
    if policy.escalation.counts == "findings" or history.empty or \
            not policy.escalation.settle_working_days:
        return none
    by_subject, periods = _looked_at(policy, family, period, span, previous_judged)
    rows = history[(history["family"] == family) & history["period"].isin(periods)
                   & history["settling"].notna() & history["measure"].isin(ladder)]
    if rows.empty:
        return none
    cases: dict[tuple[str, str], tuple[int, str, str]] = {}
    for org, subject, action, case in zip(rows["org_code"], rows["subject"], rows["measure"],
                                          rows["settling"], strict=True):
        key = (org, subject if by_subject else "")
        cases[key] = max(cases.get(key, (-1, "", "")), (ladder.index(action), case, action))
    subjects = facts["subject"] if by_subject else pd.Series("", index=facts.index)
    found = [case if (case := cases.get((o, s))) and case[0] + 1 > p else None
             for o, s, p in zip(facts["org_code"], subjects, prior, strict=True)]
    return pd.DataFrame({"settling": [f[1] if f else None for f in found],
                         "settling_measure": [f[2] if f else None for f in found]},
                        index=facts.index, dtype="object")


def climb(facts: pd.DataFrame, history: pd.DataFrame, *, policy: Policy, family: str,
          ladder: list[str], period: Period, span: Period, previous_judged: Period
          ) -> pd.Series:
    """How many ladder steps each fact climbs (its `prior`)."""
    if policy.escalation.counts == "findings":
        previous = _previous_spans(span, len(ladder) - 1)
        return prior_streak(facts, history, [[p] * len(facts) for p in previous])
    by_subject, periods = _looked_at(policy, family, period, span, previous_judged)
    steps = measured_steps(history, family=family, periods=periods, ladder=ladder,
                           by_subject=by_subject)
    if not steps:
        return pd.Series(0, index=facts.index, dtype="int64")
    subjects = facts["subject"] if by_subject else pd.Series("", index=facts.index)
    return pd.Series([steps.get((o, s), -1) + 1 for o, s in
                      zip(facts["org_code"], subjects, strict=True)], index=facts.index,
                     dtype="int64")


# -------------------------------------------------------------------------------- families


def _has_committee(orgs: pd.DataFrame, threshold: int) -> pd.Series:
    """The 是否设支委会 column where given; else full members (else members) >= threshold."""
    full = pd.to_numeric(orgs["full_members"], errors="coerce").fillna(orgs["members"])
    derived = full >= threshold
    return pd.Series([bool(h) if h is not None and h == h else bool(d)
                      for h, d in zip(orgs["has_committee"], derived, strict=True)],
                     index=orgs.index)


def meeting_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per (organization, due duty): valid meetings held in the duty's window."""
    period = data.period
    frames = []
    orgs = _columns(data.organizations, ORGANIZATIONS.stored_columns)
    orgs = orgs.assign(voting=pd.to_numeric(orgs["full_members"], errors="coerce")
                       .fillna(orgs["members"]).astype(float))
    meetings = _columns(data.meetings, MEETINGS.stored_columns).drop_duplicates(
        list(MEETINGS.stored_key))
    names = meeting_type_names(policy.all_meeting_types)
    ladder = policy.meetings.ladder
    for duty, span in due_duties(policy, period) if data.has_meetings else []:
        subject = orgs[orgs["org_type"].isin(duty.org_types)]
        if duty.per_group:
            subject = subject[subject["groups"] > 0]
        if duty.only_with_committee:
            subject = subject[_has_committee(subject, policy.meetings.committee_from_full_members)]
        if subject.empty:
            continue
        first, last = window(duty, span)
        typed = meetings[meetings["meeting_type"] == duty.meeting_type]
        for_year = pd.to_numeric(typed["for_year"], errors="coerce")
        in_window = (typed["held_on"] >= first) & (typed["held_on"] <= last)
        if span.kind == "year":  # 所属年度, when given, decides which year a meeting is for
            counts_for = for_year.eq(span.year) | (for_year.isna() & in_window)
        else:
            counts_for = in_window
        held = typed[counts_for].merge(subject[["org_code", "voting"]], on="org_code")
        if duty.quorum is not None:  # 半数以上: at least the share, of the members with a vote
            held = held.assign(valid=held["attendees"] >= duty.quorum * held["voting"])
        else:
            held = held.assign(valid=True)
        counts = held.groupby("org_code").agg(held_total=("valid", "size"),
                                              held_valid=("valid", "sum"))
        fact = subject[["org_code", "members", "voting", "groups"]].merge(
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
        where = dict(policy=policy, family="meeting", ladder=ladder, period=period, span=span,
                     previous_judged=judged_in(duty, span.previous()))
        fact["prior"] = climb(fact, data.history, **where)  # type: ignore[arg-type]
        fact[["settling", "settling_measure"]] = settling(fact, data.history, fact["prior"],
                                                         **where)  # type: ignore[arg-type]
        frames.append(fact)
    if not frames:
        return pd.DataFrame()
    facts = pd.concat(frames, ignore_index=True)
    facts["fid"] = "m|" + facts["org_code"] + "|" + facts["duty"]
    return facts


def rectification_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per ledger item: open and days past its deadline (the approved extension when
    there is one), or marked done with no completion date."""
    items = _columns(data.rectifications, RECTIFICATIONS.stored_columns)
    if items.empty:
        return pd.DataFrame()
    last_day = pd.Timestamp(data.period.last_day)
    deadline = pd.to_datetime(items["extended_to"]).fillna(pd.to_datetime(items["deadline"]))
    is_open = items["status"].isin(OPEN_ITEM_STATUSES)
    overdue = (last_day - deadline).dt.days
    paper = items["status"].isin(DONE_ITEM_STATUSES) & items["completed_on"].isna()
    facts = items[list(RECTIFICATIONS.stored_columns)].copy()
    facts = facts.assign(family="rectification", subject=items["item_id"],
                         span=str(data.period), open=is_open.astype(int),
                         days_overdue=overdue.where(is_open, 0).astype(int),
                         paper=paper.astype(int), prior=0)
    facts["fid"] = "r|" + facts["item_id"]
    return facts


def fulfillment_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per assessed organization: score, share of tasks done, steps climbed."""
    rows = _columns(data.assessments, ASSESSMENTS.stored_columns)
    if rows.empty:
        return pd.DataFrame()
    total = rows["tasks_total"].astype(float)
    ratio = (rows["tasks_done"].astype(float) / total.where(total > 0)).fillna(1.0)
    facts = rows[["org_code", *ASSESSMENTS.evidence]].copy()  # what its finding quotes
    facts = facts.assign(family="fulfillment", subject="fulfillment", span=str(data.period),
                         score=rows["score"].astype(float), done_ratio=ratio.round(4))
    where = dict(policy=policy, family="fulfillment", ladder=policy.fulfillment.ladder,
                 period=data.period, span=data.period, previous_judged=data.period.previous())
    facts["prior"] = climb(facts, data.history, **where)  # type: ignore[arg-type]
    facts[["settling", "settling_measure"]] = settling(facts, data.history, facts["prior"],
                                                       **where)  # type: ignore[arg-type]
    facts["fid"] = "f|" + facts["org_code"] + "|" + facts["assessed_period"]
    return facts


def duty_report_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per rated secretary's duty report (述职评议)."""
    rows = _columns(data.assessments, ASSESSMENTS.stored_columns)
    rows = rows[rows["duty_report_rating"].notna()]
    if rows.empty or policy.duty_report is None:
        return pd.DataFrame()
    facts = rows[["org_code", "assessed_period"]].copy()
    facts = facts.assign(family="duty_report", subject="duty_report", span=str(data.period),
                         rating=rows["duty_report_rating"],
                         rating_name=rows["duty_report_rating"].map(RATING_NAMES), prior=0)
    facts["fid"] = "d|" + facts["org_code"] + "|" + facts["assessed_period"]
    return facts


def follow_up_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """One fact per 催办 whose escalation date (`escalate_after` working days after its date)
    falls in this period: unanswered when no answer came after the missed date by then. A
    clean report does not save it: the repeated failure is the silence itself."""
    rows = _columns(data.unanswered, UNANSWERED_COLUMNS)
    if rows.empty:
        return pd.DataFrame()
    rules = policy.replies.chase
    escalates = [add_working_days(day, rules.escalate_after) for day in rows["chased_on"]]
    period = data.period
    facts = rows.assign(escalation_date=escalates)
    facts = facts[[period.first_day <= d <= period.last_day for d in escalates]]
    if facts.empty:
        return pd.DataFrame()
    silent = [a is None or a != a or a > d
              for a, d in zip(facts["answered_on"], facts["escalation_date"], strict=True)]
    facts = facts.assign(family="follow_up", subject=facts["case_id"], span=str(period),
                         unanswered=pd.Series(silent, index=facts.index).astype(int),
                         step=[rules.next_step(a) for a in facts["case_action"]], prior=0)
    facts["fid"] = "u|" + facts["chase_id"]
    return facts.drop(columns=["answered_on"])


def mark_recurrences(facts: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """A failure whose same duty, item or assessment was found before and its case closed
    (销号) comes back: `recurrence` names that case (反弹)."""
    if facts.empty or history.empty:
        return facts
    closed = history[history["closed"].notna()]
    if closed.empty:
        return facts
    latest = closed.sort_values("period").groupby(["org_code", "family", "subject"])["closed"].last()
    keys = zip(facts["org_code"], facts["family"], facts["subject"], strict=True)
    return facts.assign(recurrence=[latest.get(k) for k in keys])


def build_facts(policy: Policy, data: PeriodData) -> pd.DataFrame:
    """All facts of the period, one frame; columns not used by a family are empty."""
    history = _columns(data.history, HISTORY_COLUMNS)
    data = replace(data, history=history)
    frames = [mark_recurrences(f, history) for f in (
        meeting_facts(policy, data), rectification_facts(policy, data),
        fulfillment_facts(policy, data), duty_report_facts(policy, data))
              if not f.empty]
    unanswered = follow_up_facts(policy, data)
    if not unanswered.empty:
        frames.append(unanswered)
    if not frames:
        return pd.DataFrame(columns=["fid", "family", "org_code", "subject", "span", "prior"])
    return pd.concat(frames, ignore_index=True)
