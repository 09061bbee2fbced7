"""The sample generator's months as frames and judged facts, with no database (shared with tests/bench)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dutyflow.core.periods import Period

if TYPE_CHECKING:
    from dutyflow.rules.facts import PeriodData
    from dutyflow.rules.judge import Evaluator
    from dutyflow.rules.policy import Policy

# (the product modules are imported where they are used: a worker process that does not need
# them keeps them out of its peak RSS)

ORG_COLUMNS = ["org_code", "org_name", "org_type", "members", "groups", "secretary",
               "full_members", "has_committee"]
RECT_COLUMNS = ["item_id", "org_code", "description", "deadline", "status", "completed_on",
                "extended_to", "source", "responsible"]
ASSESS_COLUMNS = ["org_code", "assessed_period", "score", "tasks_total", "tasks_done",
                  "duty_report_rating"]


class SampleRows:
    """`dutyflow.services.samples.period_rows` per month, generated once each."""

    def __init__(self, branches: int, seed: int) -> None:
        self.branches, self.seed = branches, seed
        self._cache: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def month(self, period: Period) -> dict[str, list[dict[str, Any]]]:
        from dutyflow.services.samples import period_rows

        key = str(period)
        if key not in self._cache:
            self._cache[key] = period_rows(period=key, branches=self.branches, seed=self.seed)
        return self._cache[key]


def sample_period_data(rows: SampleRows, period: str, history: pd.DataFrame | None = None,
                       meeting_months: int = 6) -> PeriodData:
    """A `dutyflow.rules.facts.PeriodData` built straight from the sample generator's rows.

    Meetings cover up to `meeting_months` months back within the period's year (what
    dutyflow.models.accountability.read_period_frames reads is the whole year; the generator
    holds the yearly meeting only in December and quarterly ones in the quarter's last month,
    so six months give the same facts for any month).
    """
    from dutyflow.core.vocabulary import ITEM_STATUS_CHOICES as STATUSES
    from dutyflow.core.vocabulary import RATING_CHOICES, YES_NO
    from dutyflow.rules.facts import HISTORY_COLUMNS, PeriodData

    p = Period.parse(period)
    tables = rows.month(p)
    months, current = [], p
    for _ in range(meeting_months):
        if current.year != p.year:
            break
        months.append(current)
        current = current.previous()
    meetings = pd.DataFrame([m for month in months for m in rows.month(month)["meetings"]],
                            columns=["org_code", "meeting_type", "held_on", "attendees"])
    rects = pd.DataFrame(tables["rectifications"])
    rects["status"] = rects["status"].map(STATUSES)
    assessments = pd.DataFrame(tables["assessments"]).rename(columns={"period": "assessed_period"})
    if "duty_report_rating" not in assessments:
        assessments["duty_report_rating"] = None
    assessments["duty_report_rating"] = assessments["duty_report_rating"].map(RATING_CHOICES)
    orgs = pd.DataFrame(tables["organizations"])
    orgs["has_committee"] = orgs["has_committee"].map(YES_NO)
    return PeriodData(
        period=p,
        organizations=orgs[ORG_COLUMNS],
        meetings=meetings,
        rectifications=rects[RECT_COLUMNS],
        assessments=assessments[ASSESS_COLUMNS],
        history=history if history is not None else pd.DataFrame(columns=list(HISTORY_COLUMNS)),
    )


def sample_facts_with_history(policy: Policy, rows: SampleRows, period: str, history_months: int,
                              evaluate: Evaluator | None = None) -> pd.DataFrame:
    """The period's facts after `history_months` earlier months were judged in turn.

    Earlier months are judged by `dutyflow.rules.judge.judge` (with `evaluate` as its engine,
    the pandas reference unless told) and their findings become the history, as stored
    findings do in the database, so consecutive failures carry `prior` > 0 and the escalation
    rules have something to match.
    """
    from dutyflow.rules.facts import HISTORY_COLUMNS, build_facts
    from dutyflow.rules.judge import judge

    if evaluate is None:
        from bench import pandas_reference

        evaluate = pandas_reference.evaluate_facts
    target = Period.parse(period)
    earlier = [target]
    for _ in range(history_months):
        earlier.append(earlier[-1].previous())
    history = pd.DataFrame(columns=list(HISTORY_COLUMNS))
    for month in reversed(earlier[1:]):
        judged = judge(policy, sample_period_data(rows, str(month), history), evaluate=evaluate)
        # as if the office approved every case: measures taken, so ladders climb
        found = pd.DataFrame([(f.org_code, f.family, f.subject, f.span, f.period, f.measure, True,
                               None)
                              for f in judged.findings], columns=list(HISTORY_COLUMNS))
        history = pd.concat([history, found], ignore_index=True)
    return build_facts(policy, sample_period_data(rows, period, history))
