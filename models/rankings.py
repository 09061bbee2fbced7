"""Data access for the quarter's ranking and the year's record: which months were judged, the
ranking as published, and whether a bottom-list organization corrected in its window."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date

from sqlalchemy import delete, func, select
from sqlmodel import Session

from dutyflow.core.periods import Period
from dutyflow.core.vocabulary import DocumentStatus, FollowUp, Listing
from dutyflow.models.tables import Case, EvaluationRun, RankingEntry, Reply


def judged_months(*, session: Session, months: Sequence[str]) -> list[str]:
    """The months among `months` the rules have judged (a month never run scores nothing)."""
    rows = session.execute(select(EvaluationRun.period).where(
        EvaluationRun.period.in_(list(months)),  # type: ignore[attr-defined]
        EvaluationRun.finished_at.is_not(None)).distinct()).scalars()  # type: ignore[union-attr]
    return sorted(rows)


def latest_judged_month(*, session: Session) -> str | None:
    """The last month the rules judged (a monthly run: periods like 2026-10), or None. A
    quarter's or a year's run (2026-Q3, 2026) is not a month: a pattern would take 2026-Q3
    for one, so each period judged is parsed (there are a few dozen a year)."""
    periods = session.execute(select(EvaluationRun.period).where(
        EvaluationRun.finished_at.is_not(None)).distinct()).scalars()  # type: ignore[union-attr]
    months = [p for p in periods if Period.parse(p).kind == "month"]
    return max(months, default=None)


def latest_published_places(*, session: Session, codes: Collection[str]
                            ) -> tuple[str, dict[str, tuple[RankingEntry, int]]] | None:
    """The last quarter whose ranking communiqué was issued (only an issued one is kept in
    ranking_entry, never a draft) and, for each of `codes` it ranked, its entry and how many
    its group ranked; None when no ranking was ever published."""
    quarter = session.execute(select(func.max(RankingEntry.quarter))).scalar_one_or_none()
    if quarter is None:
        return None
    sizes = dict(session.execute(select(RankingEntry.group, func.count()).where(
        RankingEntry.quarter == quarter).group_by(RankingEntry.group)).all())
    entries = session.execute(select(RankingEntry).where(
        RankingEntry.quarter == quarter,
        RankingEntry.org_code.in_(list(codes)))).scalars()  # type: ignore[attr-defined]
    return quarter, {e.org_code: (e, int(sizes.get(e.group, 0))) for e in entries}


def published_ranking(*, session: Session, quarter: str) -> list[RankingEntry]:
    return list(session.execute(select(RankingEntry).where(RankingEntry.quarter == quarter)
                                .order_by(RankingEntry.group, RankingEntry.rank)).scalars())


def publish_ranking(*, session: Session, entries: Iterable[RankingEntry]) -> None:
    """Record the ranking a communiqué printed, in the communiqué's own transaction."""
    rows = list(entries)
    if rows:
        session.execute(delete(RankingEntry).where(RankingEntry.quarter == rows[0].quarter))
    session.add_all(rows)


def due_for_settling(*, session: Session, on: date) -> list[RankingEntry]:
    """Bottom-list entries whose correction window ended before `on`."""
    return list(session.execute(select(RankingEntry).where(
        RankingEntry.listing == Listing.PROVISIONAL,
        RankingEntry.window_ends < on)  # type: ignore[operator]
        .order_by(RankingEntry.quarter, RankingEntry.group, RankingEntry.rank)
        .with_for_update()).scalars())


def uncorrected(*, session: Session, org_codes: Sequence[str], months: Sequence[str],
                by: date) -> set[str]:
    """The organizations among `org_codes` with an issued case of `months` that asked for an
    answer and was not closed (销号) on an answer received by `by`. Cases never issued are the
    office's to settle, not the organization's to correct."""
    last_reply = (select(Reply.case_id, func.max(Reply.received_on).label("received"))
                  .group_by(Reply.case_id).subquery())
    rows = session.execute(
        select(Case.org_code, Case.follow_up, last_reply.c.received)
        .outerjoin(last_reply, last_reply.c.case_id == Case.id)
        .where(Case.org_code.in_(list(org_codes)),  # type: ignore[attr-defined]
               Case.period.in_(list(months)),  # type: ignore[attr-defined]
               Case.status == DocumentStatus.ISSUED,
               Case.reply_due.is_not(None))).all()  # type: ignore[union-attr]
    return {org for org, follow_up, received in rows
            if not (follow_up == FollowUp.CLOSED and received is not None and received <= by)}


def year_cases(*, session: Session, months: Sequence[str]
               ) -> list[tuple[str, str, int, bool, str | None]]:
    """(org_code, measure, replies received, closed, document number) of each issued case of
    `months`: a draft, a proposal the committee has not decided, or a measure approved and not
    yet issued is no measure taken, and the year's record (read by the 述职评议) counts none."""
    replies = (select(Reply.case_id, func.count().label("n")).group_by(Reply.case_id)
               .subquery())
    rows = session.execute(
        select(Case.org_code, Case.measure, func.coalesce(replies.c.n, 0), Case.follow_up,
               Case.document_number)
        .outerjoin(replies, replies.c.case_id == Case.id)
        .where(Case.period.in_(list(months)),  # type: ignore[attr-defined]
               Case.status == DocumentStatus.ISSUED)
        .order_by(Case.period, Case.org_code)).all()
    return [(org, measure, int(n), follow_up == FollowUp.CLOSED, number)
            for org, measure, n, follow_up, number in rows]


def year_listings(*, session: Session, year: int) -> list[tuple[str, str]]:
    """(org_code, listing) of each published ranking entry of the year's quarters."""
    return [(org, listing) for org, listing in session.execute(
        select(RankingEntry.org_code, RankingEntry.listing).where(
            RankingEntry.quarter.like(f"{year}-Q%"),  # type: ignore[attr-defined]
            RankingEntry.listing.is_not(None))).all()]  # type: ignore[union-attr]
