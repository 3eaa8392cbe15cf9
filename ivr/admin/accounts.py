"""Staff accounts: argon2 password hashes, roles, and sign-in limited per account and address.

Accounts are made by an admin on the accounts page (account_changes.py, with a one-time
set-password link) or on the command line (`ivr staff add`). After
STAFF_SIGNIN_MAX_PER_ACCOUNT failures of one account from one address (or
STAFF_SIGNIN_MAX_PER_IP from one address) within STAFF_SIGNIN_WINDOW_MINUTES, each further
attempt from there must wait 1 s after the last failure, then 2, 4 ... at most a minute.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import delete, func, select, update

from .. import audit
from ..db import Database
from ..models import PasswordLink, SignInAttempt, StaffAccount, utcnow

ROLES = ("editor", "reviewer", "admin")
KEEP_ATTEMPTS = timedelta(days=30)  # sign-in attempts are kept this long, then forgotten
# Who may do what. Admins may do everything, including managing accounts (MANAGE_ACCOUNTS).
EDIT_LINE = frozenset({"editor", "admin"})
REVIEW = frozenset({"reviewer", "admin"})
EDIT_PROMPTS = frozenset({"editor", "admin"})  # upload, publish, restore, edit texts
PURGE = frozenset({"admin"})  # remove an audio version for good
CHANGE_TRANSFER = frozenset({"admin"})  # where every caller who presses 0 is put through to
MANAGE_ACCOUNTS = frozenset({"admin"})  # add, disable, enable accounts; give password links
MIN_PASSWORD = 12  # characters, wherever a password is chosen (command line or link)
MAX_PASSWORD = 1000  # characters: a passphrase, not a pasted file
NO_PASSWORD = "!none"  # the hash of an account whose person has not chosen a password yet
SESSION_VERSION = "account_version"  # the session key holding StaffAccount.session_version

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # enough to catch a typo; no mail is sent
_hasher = PasswordHasher()
_dummy_hashes: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    """Verified when the account does not exist, so a wrong e-mail costs as long as a wrong
    password. Made on first use with the hasher in use: a hash costs about a second, which
    every process (each `ivr` command, each worker) would otherwise pay at import."""
    if _hasher not in _dummy_hashes:
        _dummy_hashes[_hasher] = _hasher.hash("not a real password")
    return _dummy_hashes[_hasher]


class AccountError(ValueError):
    """An account cannot be made or changed as asked; the message says why (in English, for
    the command line) and `key` names the interface text that says it on the staff pages."""

    def __init__(self, message: str, key: str = "err.account") -> None:
        super().__init__(message)
        self.key = key


def check_password(password: str) -> None:
    """Refuse a password too short or too long to choose (the one rule, on the command line
    and the web)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"the password must have at least {MIN_PASSWORD} characters", "err.password_short"
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError(
            f"the password may have at most {MAX_PASSWORD} characters", "err.password_long"
        )


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """The signed-in person, as Flask-Login sees them."""

    id: int
    email: str
    name: str
    role: str
    session_version: int = 0

    def get_id(self) -> str:
        return str(self.id)

    @property
    def label(self) -> str:
        """How this person appears in the audit log and on reviews."""
        return f"{self.name} <{self.email}>" if self.name else self.email

    def may(self, roles: frozenset[str]) -> bool:
        """Whether this person's role is one of `roles`."""
        return self.role in roles


def as_user(row: StaffAccount) -> StaffUser:
    """The account as the signed-in person Flask-Login knows."""
    return StaffUser(row.id, row.email, row.name, row.role, row.session_version or 0)


def normalise_email(email: str) -> str:
    """E-mail addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def load_user(db: Database, user_id: str, session_version: object) -> StaffUser | None:
    """The active account with this id whose sessions made at `session_version` still count,
    or None: a disabled account, a new password or a sign-out ends every earlier session."""
    try:
        key = int(user_id)
    except (TypeError, ValueError):
        return None
    if type(session_version) is not int:
        return None
    with db.session() as s:
        row = s.get(StaffAccount, key)
        if row is None or not row.active or (row.session_version or 0) != session_version:
            return None
        return as_user(row)


def end_sessions(db: Database, user_id: int) -> None:
    """Every session of this account made so far stops working (e.g. at sign-out)."""
    with db.session() as s:
        row = s.get(StaffAccount, user_id)
        if row is not None:
            bump_sessions(row)


def bump_sessions(row: StaffAccount) -> None:
    """Every session of this account made so far stops working (in the caller's transaction)."""
    row.session_version = (row.session_version or 0) + 1


def add_account(
    db: Database,
    email: str,
    role: str,
    password: str | None,
    name: str = "",
    actor: str | None = None,
) -> StaffUser:
    """Make an account; refuses unknown roles, short passwords and existing e-mails. Without a
    password (None) nobody can sign in to it until its person sets one with a link. With an
    `actor`, the audit entry is written in the same transaction."""
    with db.session() as s:
        user = new_account(s, email, role, password, name)
        if actor:
            s.add(audit.entry(actor, "staff.add", email=user.email, role=role))
        return user


def new_account(s, email: str, role: str, password: str | None, name: str = "") -> StaffUser:
    """`add_account` in the caller's transaction."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}", "err.role")
    if not EMAIL.fullmatch(email):
        raise AccountError("give an e-mail address", "err.email")
    if password is not None:
        check_password(password)
    if s.scalars(select(StaffAccount).where(StaffAccount.email == email)).first():
        raise AccountError(f"{email} already has an account", "err.account_exists")
    hashed = NO_PASSWORD if password is None else _hasher.hash(password)
    row = StaffAccount(email=email, name=name.strip(), role=role, active=True, password_hash=hashed)
    s.add(row)
    s.flush()
    return as_user(row)


def set_active(db: Database, email: str, active: bool, actor: str | None = None) -> None:
    """Disable (or enable again) an account; a disabled account's sessions and set-password
    links stop working. The last admin who can sign in cannot be disabled. With an `actor`,
    the audit entry is written in the same transaction."""
    with db.session() as s:
        row = s.scalars(
            select(StaffAccount).where(StaffAccount.email == normalise_email(email))
        ).first()
        if row is None:
            raise AccountError(f"no account for {email}", "err.no_account")
        if not active:
            refuse_last_admin(s, row)
            end_links(s, row.id, utcnow())
        row.active = active
        bump_sessions(row)
        if actor:
            s.add(
                audit.entry(actor, "staff.enable" if active else "staff.disable", email=row.email)
            )


def refuse_last_admin(s, row: StaffAccount) -> None:
    """AccountError if disabling this account would leave no admin who can sign in (active,
    with a password chosen: a link that is never used gives none)."""
    if row.role != "admin" or not row.active:
        return
    others = s.scalar(
        select(func.count(StaffAccount.id)).where(
            StaffAccount.active.is_(True),
            StaffAccount.role == "admin",
            StaffAccount.password_hash != NO_PASSWORD,
            StaffAccount.id != row.id,
        )
    )
    if not others:
        raise AccountError(f"{row.email} is the last admin who can sign in", "err.last_admin")


def end_links(s, account_id: int, now: datetime) -> None:
    """Every open set-password link of this account stops working (in the caller's
    transaction)."""
    s.execute(
        update(PasswordLink)
        .where(PasswordLink.account_id == account_id, PasswordLink.ended_at.is_(None))
        .values(ended_at=now)
    )


def set_password(db: Database, email: str, password: str, actor: str | None = None) -> None:
    """Give an account a new password (with an `actor`, audited in the same transaction)."""
    check_password(password)
    with db.session() as s:
        row = s.scalars(
            select(StaffAccount).where(StaffAccount.email == normalise_email(email))
        ).first()
        if row is None:
            raise AccountError(f"no account for {email}")
        row.password_hash = _hasher.hash(password)
        bump_sessions(row)
        end_links(s, row.id, utcnow())  # an older set-password link cannot overwrite it
        if actor:
            s.add(audit.entry(actor, "staff.password", email=row.email))


def list_accounts(db: Database) -> list[StaffAccount]:
    """Every account, by e-mail."""
    with db.session() as s:
        return list(s.scalars(select(StaffAccount).order_by(StaffAccount.email)))


class SignIn(Enum):
    """The outcome of a sign-in attempt."""

    OK = "ok"
    WRONG = "wrong"
    LIMITED = "limited"  # too soon after too many failures: wait (at most MAX_DELAY) and retry


MAX_DELAY = 60  # seconds: the longest anyone waits between attempts, however many failures
LOCK_BUCKETS = 64  # sign-ins from one address are checked one at a time (in one of these locks)


def _failures(s, since, *conditions) -> tuple[int, datetime | None]:
    """How many failed attempts match, and when the last one was."""
    count, last = s.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.at)).where(
            SignInAttempt.at >= since, SignInAttempt.succeeded.is_(False), *conditions
        )
    ).one()
    return count, last


def _delay(failures: int, free: int) -> float:
    """Seconds to wait after the last failure: none for the first `free` failures, then 1, 2,
    4 ... doubling up to MAX_DELAY."""
    return 0.0 if failures < free else float(min(2 ** (failures - free), MAX_DELAY))


def _too_soon(s, email: str, ip: str, now: datetime, limits: tuple[int, int, int]) -> bool:
    """Whether this account and address pair, or this address, must wait a little longer."""
    window, per_pair, per_ip = limits
    since = now - timedelta(minutes=window)
    for failures, last, free in (
        (*_failures(s, since, SignInAttempt.email == email, SignInAttempt.ip == ip), per_pair),
        (*_failures(s, since, SignInAttempt.ip == ip), per_ip),
    ):
        if last is not None and now < _aware(last) + timedelta(seconds=_delay(failures, free)):
            return True
    return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sign_in(
    db: Database, email: str, password: str, ip: str, limits: tuple[int, int, int]
) -> tuple[SignIn, StaffUser | None]:
    """Check a password, slowed down after failures (limits: window minutes, failures allowed
    per account and address pair, and per address, before each attempt must wait).

    A stranger elsewhere cannot slow down or lock out staff: only the pair (and the address)
    that failed waits, at most MAX_DELAY seconds. Attempts from one address are checked one at
    a time, so parallel guesses cannot outrun the count. Failures and slow-downs are in the
    audit log."""
    email = normalise_email(email)[:254]
    ip = ip[:64]
    bucket = int(hashlib.sha256(ip.encode()).hexdigest(), 16) % LOCK_BUCKETS
    with db.serialised(f"sign-in {bucket}"), db.session() as s:
        now = utcnow()
        if _too_soon(s, email, ip, now, limits):
            return SignIn.LIMITED, None
        row = s.scalars(select(StaffAccount).where(StaffAccount.email == email)).first()
        ok = _verify(row.password_hash if row else _dummy_hash(), password)
        ok = ok and row is not None and row.active
        s.add(SignInAttempt(at=now, email=email, ip=ip, succeeded=ok))
        s.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP_ATTEMPTS))
        if not ok or row is None:  # row is None only for an unknown e-mail, never ok
            _audit_failure(s, row, email, ip, now, limits)
            return SignIn.WRONG, None
        row.last_sign_in = now
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        return SignIn.OK, as_user(row)


def _audit_failure(
    s, row: StaffAccount | None, email: str, ip: str, now: datetime, limits: tuple[int, int, int]
) -> None:
    """A failed sign-in in the audit log; and when this failure starts the slow-down, that too.
    (An e-mail with no account is not written down: it may be anything a stranger typed.)"""
    actor = email if row is not None else "(no such account)"
    s.add(audit.entry(actor, "staff.sign_in_failed", ip=ip))
    window, per_pair, _ = limits
    s.flush()  # this failure counts too
    failures, _last = _failures(
        s, now - timedelta(minutes=window), SignInAttempt.email == email, SignInAttempt.ip == ip
    )
    if failures == per_pair:
        s.add(
            audit.entry(actor, "staff.sign_in_slowed", ip=ip, failures=per_pair, longest=MAX_DELAY)
        )


def hash_password(password: str) -> str:
    """The argon2 hash of a password that passed `check_password`."""
    check_password(password)
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    """Whether the password matches; an account with no password yet costs as long to refuse."""
    chosen = password_hash != NO_PASSWORD
    try:
        matches = _hasher.verify(password_hash if chosen else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and chosen
