"""Reviewer accounts: who may decide, how they prove it at the desk, and the login rate limit.

Passwords are argon2id hashes (argon2-cffi). Failed logins are written to the database, so the
limit holds across restarts and desk processes, and the log says who tried from where."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.models.db import session_scope
from dutyflow.models.reviewers import (
    desk_session_ended,
    end_desk_session,
    failed_logins_since,
    get_account,
    list_accounts,
    log_login,
    save_account,
)
from dutyflow.models.tables import utcnow

log = logging.getLogger("dutyflow.desk.login")
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("no such reviewer")
MIN_PASSWORD = 10


class AccountError(DutyflowError):
    exit_code = 2


class LoginRefused(DutyflowError):
    """Wrong name or password (one message for both: the desk does not say which)."""


class TooManyAttempts(LoginRefused):
    pass


@dataclass(frozen=True)
class Reviewer:
    """Who is deciding, as the desk and the review rules know them."""

    name: str
    role: str
    org_code: str | None


def add_reviewer(*, name: str, role: str, password: str | None, org_code: str | None = None,
                 replace: bool = False) -> Reviewer:
    """Create an account (or, with `replace`, change one's role, branch or password)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("a reviewer needs a name of 1 to 100 characters")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    with session_scope() as session:
        existing = get_account(session=session, name=name)
        if existing is not None and not replace:
            raise AccountError(f"reviewer {name} exists; use --replace to change the account")
        account = save_account(session=session, name=name, role=role.strip(),
                               org_code=(org_code or "").strip() or None,
                               password_hash=_hasher.hash(password) if password else None)
        return Reviewer(account.name, account.role, account.org_code)


def set_active(*, name: str, active: bool) -> None:
    with session_scope() as session:
        account = get_account(session=session, name=name)
        if account is None:
            raise AccountError(f"no reviewer {name!r}; see `dutyflow reviewer list`")
        save_account(session=session, name=account.name, role=account.role,
                     org_code=account.org_code, password_hash=None, active=active)


def reviewers() -> list[tuple[Reviewer, bool, bool]]:
    """Every account, with whether it is active and whether it can log in with a password."""
    with session_scope() as session:
        return [(Reviewer(a.name, a.role, a.org_code), a.active, bool(a.password_hash))
                for a in list_accounts(session=session)]


def find_reviewer(name: str) -> Reviewer | None:
    """The active reviewer of that name: an account, or one listed in DUTYFLOW_REVIEWERS."""
    with session_scope() as session:
        return _active_reviewer(session=session, name=name)


def _active_reviewer(*, session: Session, name: str) -> Reviewer | None:
    name = name.strip()
    account = get_account(session=session, name=name)
    if account is not None:
        return Reviewer(account.name, account.role, account.org_code) if account.active else None
    for listed in settings.reviewers:
        if listed.name.strip() == name:
            return Reviewer(name, listed.role, None)
    return None


def session_reviewer(*, name: str, session_id: str) -> Reviewer | None:
    """The reviewer a desk session signs in: none once the session was ended (logged out), or
    when the account is gone or disabled."""
    with session_scope() as session:
        if desk_session_ended(session=session, session_id=session_id):
            return None
        return _active_reviewer(session=session, name=name)


def end_session(*, session_id: str, name: str) -> None:
    """Logging out: the desk session ends on the server too, so no copy of its cookie signs
    anyone in again."""
    lasts = timedelta(hours=settings.desk_session_hours)  # how long a session cookie is valid
    with session_scope() as session:
        end_desk_session(session=session, session_id=session_id, reviewer=name,
                         forget_before=utcnow() - lasts)
    log.info("%s logged out", name)


def authenticate(*, name: str, password: str, address: str) -> Reviewer:
    """The reviewer whose password this is; refused after too many recent failures."""
    name = name.strip()[:100]
    window = timedelta(minutes=settings.desk_login_window_minutes)
    reviewer: Reviewer | None = None
    with session_scope() as session:  # the attempt is logged whatever the outcome
        failures = failed_logins_since(session=session, name=name, since=utcnow() - window)
        limited = failures >= settings.desk_login_attempts
        account = get_account(session=session, name=name)
        hashed = account.password_hash if account is not None and account.active else None
        if not limited:
            try:
                _hasher.verify(hashed or _DUMMY_HASH, password)
                if hashed and account is not None:
                    reviewer = Reviewer(account.name, account.role, account.org_code)
            except (VerificationError, InvalidHashError):
                pass
        log_login(session=session, name=name, address=address, succeeded=reviewer is not None)
    if limited:
        log.warning("login for %r from %s refused: %d failures in %s", name, address,
                    failures, window)
        raise TooManyAttempts("too many failed logins; try again in "
                              f"{settings.desk_login_window_minutes} minutes")
    if reviewer is None:
        log.warning("failed login for %r from %s", name, address)
        raise LoginRefused("wrong name or password")
    log.info("%s logged in from %s", name, address)
    return reviewer
