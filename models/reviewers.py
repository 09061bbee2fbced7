"""Data access for reviewer accounts, the log of desk logins, the desk sessions ended and the
messages the desk keeps for a session's next page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from dutyflow.models.tables import (
    DeskMessage,
    EndedDeskSession,
    LoginAttempt,
    ReviewerAccount,
    utcnow,
)


def get_account(*, session: Session, name: str) -> ReviewerAccount | None:
    return session.get(ReviewerAccount, name.strip())


def list_accounts(*, session: Session) -> list[ReviewerAccount]:
    return list(session.execute(select(ReviewerAccount).order_by(ReviewerAccount.name)).scalars())


def save_account(*, session: Session, name: str, role: str, org_code: str | None,
                 password_hash: str | None, active: bool = True,
                 kind: str = "reviewer") -> ReviewerAccount:
    """Create the account, or update it in place (a new password, role or organization)."""
    account = session.get(ReviewerAccount, name) or ReviewerAccount(name=name)
    account.role, account.org_code, account.active = role, org_code, active
    account.kind = kind
    if password_hash is not None:
        account.password_hash = password_hash
    account.updated_at = utcnow()
    session.add(account)
    session.flush()
    return account


def set_token(*, session: Session, name: str, token_hash: str) -> bool:
    """Replace the account's API token hash; False if no such account."""
    account = session.get(ReviewerAccount, name)
    if account is None:
        return False
    account.token_hash, account.token_made_at = token_hash, utcnow()
    session.add(account)
    return True


def account_by_token(*, session: Session, token_hash: str) -> ReviewerAccount | None:
    return session.execute(select(ReviewerAccount).where(
        ReviewerAccount.token_hash == token_hash)).scalars().first()


def log_login(*, session: Session, name: str, address: str, succeeded: bool) -> None:
    session.add(LoginAttempt(name=name[:100], address=address[:64], succeeded=succeeded))


def unlock_account(*, session: Session, name: str) -> bool:
    """Record that an administrator lifted the account's login lock; False if no such account."""
    account = session.get(ReviewerAccount, name)
    if account is None:
        return False
    account.unlocked_at = utcnow()
    session.add(account)
    return True


# ------------------------------------------------------------------ messages shown once


def add_messages(*, session: Session, session_key: str, messages: list[tuple[str, str]],
                 forget_before: datetime) -> None:
    """Keep messages for a desk session's next page; forget those nobody came back for."""
    session.execute(delete(DeskMessage).where(DeskMessage.created_at < forget_before))
    session.add_all([DeskMessage(session_key=session_key, kind=kind, text=text)
                     for kind, text in messages])


def take_messages(*, session: Session, session_key: str) -> list[tuple[str, str]]:
    """A session's messages, in order, deleted as they are read: each is shown once."""
    rows = list(session.execute(select(DeskMessage).where(
        DeskMessage.session_key == session_key).order_by(DeskMessage.id)).scalars())  # type: ignore[arg-type]
    if rows:
        session.execute(delete(DeskMessage).where(
            DeskMessage.id.in_([r.id for r in rows])))  # type: ignore[union-attr]
    return [(r.kind, r.text) for r in rows]


def end_desk_session(*, session: Session, session_id: str, reviewer: str,
                     forget_before: datetime) -> None:
    """Record that a desk session ended; forget those ended before `forget_before` (no cookie
    of theirs is valid any more)."""
    session.execute(delete(EndedDeskSession).where(EndedDeskSession.ended_at < forget_before))
    if session.get(EndedDeskSession, session_id) is None:
        session.add(EndedDeskSession(session_id=session_id, reviewer=reviewer[:100]))


def desk_session_ended(*, session: Session, session_id: str) -> bool:
    return session.get(EndedDeskSession, session_id) is not None
