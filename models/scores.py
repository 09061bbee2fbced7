"""Data access for the monthly score: a month's findings, the cases closed on its replies and
the answers given on time, by organization."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from dutyflow.core.vocabulary import FollowUp
from dutyflow.models.tables import Case, Finding, Organization, Reply


def month_findings(*, session: Session, period: str, codes: Collection[str] | None = None
                   ) -> list[tuple[str, str, str, str, str]]:
    """(org_code, family, action, text, recurrence or "") of the month's current findings (of
    `codes` only, when given: a portal page scores its own organizations)."""
    query = select(Finding.org_code, Finding.family, Finding.measure, Finding.text,
                   Finding.facts).where(Finding.period == period, Finding.current)
    if codes is not None:
        query = query.where(Finding.org_code.in_(list(codes)))  # type: ignore[attr-defined]
    rows = session.execute(query.order_by(Finding.org_code, Finding.family,
                                          Finding.subject)).all()
    return [(o, f, a, t, str((facts or {}).get("recurrence") or "")) for o, f, a, t, facts in rows]


def month_replies(*, session: Session, first: date, last: date,
                  codes: Collection[str] | None = None
                  ) -> list[tuple[str, str, date, date | None, str | None]]:
    """(org_code, case id, received on, the case's due date, its follow-up) of each reply
    received in the window (of `codes` only, when given)."""
    query = select(Case.org_code, Reply.case_id, Reply.received_on, Case.reply_due,
                   Case.follow_up).join(Case, Case.id == Reply.case_id).where(
        Reply.received_on >= first, Reply.received_on <= last)  # type: ignore[operator]
    if codes is not None:
        query = query.where(Case.org_code.in_(list(codes)))  # type: ignore[attr-defined]
    rows = session.execute(query.order_by(Reply.case_id, Reply.received_on)).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def organization_tree(*, session: Session) -> list[tuple[str, str | None, str]]:
    """(org_code, parent_code, org_type) of every organization."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(Organization.org_code, Organization.parent_code, Organization.org_type)).all()]


def tree_around(*, session: Session, codes: Collection[str]) -> list[tuple[str, str | None, str]]:
    """The organization_tree rows a few organizations' scores need, not the whole city's:
    theirs, their ancestors' (which is the unit they belong to) and, for one at the top, all
    under it (a unit scores its branches' mean). One query per level, each indexed."""
    columns = (Organization.org_code, Organization.parent_code, Organization.org_type)
    rows: dict[str, tuple[str, str | None, str]] = {}
    ask = set(codes)
    while ask:  # up: the organizations, then their parents, until the tops
        found = [tuple(r) for r in session.execute(select(*columns).where(
            Organization.org_code.in_(list(ask)))).all()]  # type: ignore[attr-defined]
        rows.update({r[0]: r for r in found})  # type: ignore[misc]
        ask = {r[1] for r in found if r[1] and r[1] not in rows}
    ask = {code for code in codes if code in rows and not rows[code][1]}
    while ask:  # down from a top among them: everything under it
        found = [tuple(r) for r in session.execute(select(*columns).where(
            Organization.parent_code.in_(list(ask)))).all()]  # type: ignore[union-attr]
        ask = {r[0] for r in found if r[0] not in rows}
        rows.update({r[0]: r for r in found})  # type: ignore[misc]
    return list(rows.values())


CLOSED = FollowUp.CLOSED


def organization_names_of(*, session: Session, codes: Collection[str]) -> dict[str, str]:
    return dict(session.execute(select(Organization.org_code, Organization.org_name).where(
        Organization.org_code.in_(list(codes)))).all())  # type: ignore[attr-defined]
