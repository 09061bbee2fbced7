"""Data access for the notification outbox: the rows an issue writes, the atomic claim a
sender takes on a due row (so two runs never send one twice), and what became of each."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlmodel import Session

from dutyflow.models.tables import Document, Notification, Organization, ReviewerAccount

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# a row claimed this long ago whose sender never reported back (killed): due again
STALE_CLAIM = timedelta(minutes=15)


def addressee_accounts(*, session: Session, org_code: str | None,
                       kinds: Collection[str]) -> list[ReviewerAccount]:
    """The active accounts a document to `org_code` is announced to (None: to all units, every
    organization's account)."""
    statement = select(ReviewerAccount).where(
        ReviewerAccount.active, ReviewerAccount.kind.in_(list(kinds)))  # type: ignore[attr-defined]
    if org_code is not None:
        statement = statement.where(ReviewerAccount.org_code == org_code)
    return list(session.execute(statement.order_by(ReviewerAccount.name)).scalars())


def _due(now: datetime) -> object:
    return or_((Notification.status == PENDING) & (Notification.next_attempt_at <= now),  # type: ignore[operator]
               (Notification.status == SENDING) & (Notification.claimed_at < now - STALE_CLAIM))  # type: ignore[operator]


def due_ids(*, session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.execute(select(Notification.id).where(_due(now))
                                .order_by(Notification.next_attempt_at, Notification.id)  # type: ignore[arg-type]
                                .limit(limit)).scalars())


def claim(*, session: Session, notification_id: int, now: datetime) -> bool:
    """Take one due row for sending: one UPDATE that only one run can win (the row must still
    be due as it is changed), counting the attempt. The caller commits at once."""
    result = session.execute(update(Notification)
                             .where(Notification.id == notification_id, _due(now))  # type: ignore[arg-type]
                             .values(status=SENDING, claimed_at=now,
                                     attempts=Notification.attempts + 1))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def notification_rows(*, session: Session, statuses: Collection[str] | None = None,
                      document_id: str | None = None, limit: int = 500
                      ) -> list[tuple[Notification, Document, str | None]]:
    """Notifications with their document and the addressee's organization name, latest first."""
    statement = (select(Notification, Document, Organization.org_name)
                 .join(Document, Document.id == Notification.document_id)
                 .outerjoin(Organization, Organization.org_code == Notification.org_code))
    if statuses:
        statement = statement.where(Notification.status.in_(list(statuses)))  # type: ignore[attr-defined]
    if document_id is not None:
        statement = statement.where(Notification.document_id == document_id)
    statement = statement.order_by(Notification.created_at.desc(),  # type: ignore[attr-defined]
                                   Notification.id).limit(limit)
    return [(n, d, name) for n, d, name in session.execute(statement).all()]


def status_counts(*, session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(Notification.status, func.count())
                           .group_by(Notification.status)).all()
    return {status: int(count) for status, count in rows}
