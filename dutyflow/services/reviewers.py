"""Accounts: reviewers (who may decide at the desk), organizations' accounts (a branch, or a
unit and its subtree, in the portal and the API), how they prove who they are, and the login's
limits.

Passwords are argon2id hashes (argon2-cffi). Every checked login is written to the database
(the log says who tried from where); the limits are counted by the `limits` library."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from dutyflow.core import refusals
from dutyflow.core.calendar import local_time
from dutyflow.core.errors import DutyflowError
from dutyflow.core.settings import settings
from dutyflow.models.db import session_scope
from dutyflow.models.documents import log_event
from dutyflow.models.reviewers import (
    account_by_token,
    add_messages,
    desk_session_ended,
    end_desk_session,
    get_account,
    list_accounts,
    log_login,
    save_account,
    set_token,
    unlock_account,
)
from dutyflow.models.reviewers import take_messages as read_messages
from dutyflow.models.tables import Organization, utcnow

if TYPE_CHECKING:
    from limits import RateLimitItem

log = logging.getLogger("dutyflow.desk.login")


@functools.cache
def _hasher() -> Any:
    """argon2's hasher, made when a password is first hashed or checked: the commands that
    only read (they import this module through the review services) never load argon2."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong
    password."""
    return str(_hasher().hash("no such reviewer"))

MIN_PASSWORD = 10


class AccountError(DutyflowError):
    exit_code = 2


class LoginRefused(DutyflowError):
    """Wrong name or password (one message for both: the desk does not say which)."""

    status = 401


class TooManyAttempts(LoginRefused):
    """A limit holds (the account, or the address): refused without checking the password."""

    status = 429


class LoginBusy(TooManyAttempts):
    """As many password checks as the desk allows at once are running: refused, not queued."""


# what an account is for: only a reviewer decides; a branch or unit account sees its own
# organization (a unit: its subtree) in the portal and the API, and never decides
REVIEWER, BRANCH, UNIT = "reviewer", "branch", "unit"
ACCOUNT_KINDS = {REVIEWER: "审核人", BRANCH: "党支部账号", UNIT: "直属党组织账号"}
ORGANIZATION_KINDS = frozenset({BRANCH, UNIT})


@dataclass(frozen=True)
class Reviewer:
    """Who is signed in, as the desk, the portal and the review rules know them (the name is
    kept from when every account was a reviewer's)."""

    name: str
    role: str
    org_code: str | None
    kind: str = REVIEWER

    @property
    def organization_account(self) -> bool:
        return self.kind in ORGANIZATION_KINDS


def _person(account: Any) -> Reviewer:
    return Reviewer(account.name, account.role, account.org_code, account.kind or REVIEWER)


def add_reviewer(*, name: str, role: str, password: str | None, org_code: str | None = None,
                 replace: bool = False, kind: str = REVIEWER,
                 email: str | None = None) -> Reviewer:
    """Create an account (or, with `replace`, change one's role, organization or password).

    A branch or unit account names its organization, which must be known."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError(refusals.NAME_LENGTH)
    if kind not in ACCOUNT_KINDS:
        raise AccountError(refusals.ACCOUNT_KIND.format(
            kind=kind, kinds="、".join(f"{k}（{w}）" for k, w in ACCOUNT_KINDS.items())))
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(refusals.PASSWORD_LENGTH.format(minimum=MIN_PASSWORD))
    org_code = (org_code or "").strip() or None
    address = checked_email(email) if email is not None else None
    with session_scope() as session:
        if kind in ORGANIZATION_KINDS:
            if org_code is None:
                raise AccountError(refusals.ACCOUNT_NEEDS_ORG)
            if session.get(Organization, org_code) is None:
                raise AccountError(refusals.ACCOUNT_UNKNOWN_ORG.format(org_code=org_code))
        existing = get_account(session=session, name=name)
        if existing is not None and not replace:
            raise AccountError(refusals.ACCOUNT_EXISTS.format(name=name))
        account = save_account(session=session, name=name, role=role.strip(),
                               org_code=org_code, kind=kind,
                               password_hash=_hasher().hash(password) if password else None)
        if email is not None:
            account.email = address
        return _person(account)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def checked_email(email: str) -> str | None:
    """The address as given (trimmed; empty: none), or AccountError saying what is wrong."""
    email = email.strip()
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise AccountError(refusals.EMAIL_INVALID.format(email=email))
    return email or None


def set_email(*, name: str, email: str) -> str | None:
    """The address an organization's account is told of its documents at (empty: none)."""
    address = checked_email(email)
    with session_scope() as session:
        account = get_account(session=session, name=name.strip())
        if account is None:
            raise AccountError(refusals.NO_ACCOUNT.format(name=name))
        account.email, account.updated_at = address, utcnow()
        session.add(account)
        log_event(session=session, subject=account.name, period="", event="account_email",
                  actor="账号管理员", note=address or "（清除）")
    return address


def set_active(*, name: str, active: bool) -> None:
    with session_scope() as session:
        account = get_account(session=session, name=name)
        if account is None:
            raise AccountError(refusals.NO_ACCOUNT.format(name=name))
        save_account(session=session, name=account.name, role=account.role,
                     org_code=account.org_code, kind=account.kind, password_hash=None,
                     active=active)


def reviewers() -> list[tuple[Reviewer, bool, bool]]:
    """Every account, with whether it is active and whether it can log in with a password."""
    with session_scope() as session:
        return [(_person(a), a.active, bool(a.password_hash))
                for a in list_accounts(session=session)]


def find_reviewer(name: str) -> Reviewer | None:
    """The active reviewer of that name: an account, or one listed in DUTYFLOW_REVIEWERS.
    An organization's account is no reviewer: it never decides, and never opens the desk."""
    with session_scope() as session:
        return _active_reviewer(session=session, name=name)


def _active_reviewer(*, session: Session, name: str) -> Reviewer | None:
    name = name.strip()
    account = get_account(session=session, name=name)
    if account is not None:
        return _person(account) if account.active and account.kind == REVIEWER else None
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


def session_account(*, name: str, session_id: str) -> Reviewer | None:
    """The organization's account a session signs in (the portal's `session_reviewer`)."""
    with session_scope() as session:
        if desk_session_ended(session=session, session_id=session_id):
            return None
        account = get_account(session=session, name=name.strip())
        return (_person(account) if account is not None and account.active
                and account.kind in ORGANIZATION_KINDS else None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token(*, name: str) -> str:
    """A new API token for the account, shown once: only its hash is kept, and the previous
    token stops working."""
    token = "dfp_" + secrets.token_urlsafe(32)
    with session_scope() as session:
        if not set_token(session=session, name=name.strip(), token_hash=token_digest(token)):
            raise AccountError(refusals.NO_ACCOUNT.format(name=name))
    log.info("new API token for %s", name)
    return token


def token_holder(token: str) -> Reviewer | None:
    """The active account whose API token this is."""
    if not token or len(token) > 200:
        return None
    with session_scope() as session:
        account = account_by_token(session=session, token_hash=token_digest(token))
        return _person(account) if account is not None and account.active else None


def end_session(*, session_id: str, name: str) -> None:
    """Logging out: the desk session ends on the server too, so no copy of its cookie signs
    anyone in again."""
    lasts = timedelta(hours=settings.desk_session_hours)  # how long a session cookie is valid
    with session_scope() as session:
        end_desk_session(session=session, session_id=session_id, reviewer=name,
                         forget_before=utcnow() - lasts)
    log.info("%s logged out", name)


def keep_messages(*, session_key: str, messages: list[tuple[str, str]]) -> None:
    """Messages for a desk session's next page, kept as long as its cookie could be valid."""
    lasts = timedelta(hours=settings.desk_session_hours)
    with session_scope() as session:
        add_messages(session=session, session_key=session_key, messages=messages,
                     forget_before=utcnow() - lasts)


def take_messages(*, session_key: str) -> list[tuple[str, str]]:
    with session_scope() as session:
        return read_messages(session=session, session_key=session_key)


def unlock(*, name: str) -> None:
    """An administrator lifts the login lock of an account: the desk forgets its failed
    logins at the next attempt (`LoginGuard.check`), from whichever address."""
    with session_scope() as session:
        if not unlock_account(session=session, name=name.strip()):
            raise AccountError(refusals.NO_ACCOUNT.format(name=name))
    log.info("login lock of %s lifted", name)


def _until(epoch: float) -> str:
    """When a limit lifts, as a reviewer reads it (HH:MM, the office's time, rounded up)."""
    moment = local_time(datetime.fromtimestamp(epoch, UTC) + timedelta(seconds=59))
    return moment.strftime("%H:%M")


class LoginGuard:
    """The login's limits, and its bound on password checks running at once.

    Three moving windows (`limits`), each counting failed logins only: per name from one
    address (the lock a reviewer sees), per name from anywhere (guessing spread over many
    addresses; higher, so that one address alone never locks a reviewer out everywhere) and
    per address over all names. An attempt made while a limit holds is refused without
    checking the password and is not counted, so trying again during a lock never makes it
    last longer. An administrator's unlock (`unlock`) is read from the database.

    The counts are kept in this process's memory (`MemoryStorage`): the desk runs as one
    process, and a restart forgets them. A deployment of several desk processes must give
    them one shared store, e.g. `limits.storage.storage_from_string("redis://host:6379")`
    in place of `MemoryStorage()`, and size DUTYFLOW_DESK_LOGIN_CONCURRENCY per process."""

    def __init__(self) -> None:
        # (imported here: the read-only commands import this module and never log in)
        from limits import RateLimitItemPerSecond
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        window = max(1, round(settings.desk_login_window_minutes * 60))
        self.window = timedelta(seconds=window)
        self.per_pair = RateLimitItemPerSecond(settings.desk_login_attempts, window)
        self.per_name = RateLimitItemPerSecond(settings.desk_login_name_attempts, window)
        self.per_address = RateLimitItemPerSecond(settings.desk_login_address_attempts, window)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.checks = threading.BoundedSemaphore(settings.desk_login_concurrency)

    def _holds(self, item: RateLimitItem, *keys: str) -> float | None:
        """When this limit lifts, if it holds now."""
        if self.limiter.test(item, *keys):
            return None
        return float(self.limiter.get_window_stats(item, *keys).reset_time)

    def check(self, *, name: str, address: str) -> None:
        """TooManyAttempts while a limit holds for this name or this address."""
        lifts = self._holds(self.per_address, "address", address)
        if lifts is not None:
            log.warning("login for %r from %s refused: the address's limit holds", name, address)
            raise TooManyAttempts(refusals.ADDRESS_LIMITED.format(until=_until(lifts)))
        lifts = max(filter(None, (self._holds(self.per_pair, "pair", name, address),
                                  self._holds(self.per_name, "name", name))), default=None)
        if lifts is None:
            return
        began = datetime.fromtimestamp(lifts, UTC) - self.window  # the oldest failure counted
        with session_scope() as session:
            account = get_account(session=session, name=name)
            unlocked = account.unlocked_at if account is not None else None
        if unlocked is not None and _utc(unlocked) >= began:
            self.forget(name=name, address=address)
            return
        log.warning("login for %r from %s refused: the account is locked", name, address)
        raise TooManyAttempts(refusals.ACCOUNT_LOCKED.format(until=_until(lifts)))

    def check_address(self, *, address: str) -> None:
        """TooManyAttempts while the address's limit holds (an API token is per account, not
        per name: guessing one counts against the address only)."""
        lifts = self._holds(self.per_address, "address", address)
        if lifts is not None:
            raise TooManyAttempts(refusals.ADDRESS_LIMITED.format(until=_until(lifts)))

    def failed_address(self, *, address: str) -> None:
        self.limiter.hit(self.per_address, "address", address)

    def failed(self, *, name: str, address: str) -> None:
        self.limiter.hit(self.per_pair, "pair", name, address)
        self.limiter.hit(self.per_name, "name", name)
        self.limiter.hit(self.per_address, "address", address)

    def forget(self, *, name: str, address: str) -> None:
        """A good login, or an unlock: the name's failures no longer count."""
        self.limiter.clear(self.per_pair, "pair", name, address)
        self.limiter.clear(self.per_name, "name", name)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the password checks allowed at once, or LoginBusy at once (never queued:
        a flood of logins must not pile up threads and memory)."""
        if not self.checks.acquire(blocking=False):
            raise LoginBusy(refusals.LOGIN_BUSY)
        try:
            yield
        finally:
            self.checks.release()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def authenticate(*, name: str, password: str, address: str, guard: LoginGuard) -> Reviewer:
    """The reviewer whose password this is; refused without a check while a limit holds.

    Slow on purpose (argon2): the desk calls it in a worker thread, inside `guard.slot()`."""
    name = name.strip()[:100]
    guard.check(name=name, address=address)
    reviewer: Reviewer | None = None
    with session_scope() as session:  # every checked attempt is logged, whatever the outcome
        account = get_account(session=session, name=name)
        hashed = account.password_hash if account is not None and account.active else None
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            _hasher().verify(hashed or _dummy_hash(), password)
            if hashed and account is not None:
                reviewer = _person(account)
        except (VerificationError, InvalidHashError):
            pass
        log_login(session=session, name=name, address=address, succeeded=reviewer is not None)
    if reviewer is None:
        guard.failed(name=name, address=address)
        log.warning("failed login for %r from %s", name, address)
        raise LoginRefused(refusals.WRONG_LOGIN)
    guard.forget(name=name, address=address)
    log.info("%s logged in from %s", name, address)
    return reviewer
