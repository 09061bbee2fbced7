"""Data access for reviewer accounts, the log of desk logins and the desk sessions ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlmodel import Session

from dutyflow.models.tables import EndedDeskSession, LoginAttempt, ReviewerAccount, as_utc, utcnow


def get_account(*, session: Session, name: str) -> ReviewerAccount | None:
    return session.get(ReviewerAccount, name.strip())


def list_accounts(*, session: Session) -> list[ReviewerAccount]:
    return list(session.execute(select(ReviewerAccount).order_by(ReviewerAccount.name)).scalars())


def save_account(*, session: Session, name: str, role: str, org_code: str | None,
                 password_hash: str | None, active: bool = True) -> ReviewerAccount:
    """Create the account, or update it in place (a new password, role or branch)."""
    account = session.get(ReviewerAccount, name) or ReviewerAccount(name=name)
    account.role, account.org_code, account.active = role, org_code, active
    if password_hash is not None:
        account.password_hash = password_hash
    account.updated_at = utcnow()
    session.add(account)
    session.flush()
    return account


def log_login(*, session: Session, name: str, address: str, succeeded: bool) -> None:
    session.add(LoginAttempt(name=name[:100], address=address[:64], succeeded=succeeded))


def failed_logins_since(*, session: Session, name: str, since: datetime) -> int:
    """Failed logins for `name` since `since`, not counting those before its last success."""
    last_ok = session.execute(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.name == name, LoginAttempt.succeeded.is_(True))).scalar()  # type: ignore[attr-defined]
    start = since if last_ok is None else max(since, as_utc(last_ok))
    return int(session.execute(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.name == name, LoginAttempt.succeeded.is_(False),  # type: ignore[attr-defined]
        LoginAttempt.at > start)).scalar_one())



def end_desk_session(*, session: Session, session_id: str, reviewer: str,
                     forget_before: datetime) -> None:
    """Record that a desk session ended; forget those ended before `forget_before` (no cookie
    of theirs is valid any more)."""
    session.execute(delete(EndedDeskSession).where(EndedDeskSession.ended_at < forget_before))
    if session.get(EndedDeskSession, session_id) is None:
        session.add(EndedDeskSession(session_id=session_id, reviewer=reviewer[:100]))


def desk_session_ended(*, session: Session, session_id: str) -> bool:
    return session.get(EndedDeskSession, session_id) is not None
