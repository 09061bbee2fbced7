"""The sample generator's months as frames and judged facts, with no database (shared with tests/bench)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dutyflow.core.periods import Period

if TYPE_CHECKING:
    from dutyflow.core.report_tables import TableSpec
    from dutyflow.rules.facts import PeriodData
    from dutyflow.rules.judge import Evaluator
    from dutyflow.rules.policy import Policy

# (the product modules are imported where they are used: a worker process that does not need
# them keeps them out of its peak RSS)


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
    from dutyflow.core.report_tables import ASSESSMENTS, MEETINGS, ORGANIZATIONS, RECTIFICATIONS
    from dutyflow.rules.facts import HISTORY_COLUMNS, PeriodData

    p = Period.parse(period)
    tables = rows.month(p)
    months, current = [], p
    for _ in range(meeting_months):
        if current.year != p.year:
            break
        months.append(current)
        current = current.previous()
    meetings = [m for month in months for m in rows.month(month)["meetings"]]
    return PeriodData(
        period=p,
        organizations=as_stored(tables["organizations"], ORGANIZATIONS),
        meetings=as_stored(meetings, MEETINGS),
        rectifications=as_stored(tables["rectifications"], RECTIFICATIONS),
        assessments=as_stored(tables["assessments"], ASSESSMENTS),
        history=history if history is not None else pd.DataFrame(columns=list(HISTORY_COLUMNS)),
    )


def as_stored(rows: list[dict[str, Any]], table: TableSpec) -> pd.DataFrame:
    """The generator's rows of `table` as the database gives them back: the declared columns
    under their stored names (a column no row has, empty), each choice as its key, each yes/no
    as a bool."""
    from dutyflow.core.report_tables import Kind
    from dutyflow.core.vocabulary import YES_NO

    frame = pd.DataFrame(rows).rename(columns=table.renames).reindex(
        columns=list(table.stored_columns))
    for column in table.columns:
        if column.kind is Kind.CHOICE:
            frame[column.stored] = frame[column.stored].map(column.choices)
        elif column.kind is Kind.BOOL:
            frame[column.stored] = frame[column.stored].map(YES_NO)
    return frame


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
                               None, None)
                              for f in judged.findings], columns=list(HISTORY_COLUMNS))
        history = pd.concat([history, found], ignore_index=True)
    return build_facts(policy, sample_period_data(rows, period, history))
