"""One-time set-password links: how a person gets a password when no e-mail server is assumed.

An admin adds an account or resets a password and is shown a link once, to pass on. The link
holds a random token; only its SHA-256 is stored. It works once, for LINK_HOURS, and only while
it is the account's newest link and the account is active: a newer link, disabling the account
or using the link ends it. Choosing the password ends every session of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, select, update

from .. import audit
from ..db import Database
from ..models import PasswordLink, StaffAccount, utcnow
from .accounts import (
    AccountError,
    StaffUser,
    as_user,
    bump_sessions,
    end_links,
    hash_password,
)

LINK_HOURS = 24


@dataclass(frozen=True)
class GivenLink:
    """A link just made: its token (shown once, never stored) and when it stops working."""

    token: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def give_link(s, account_id: int, by: str) -> GivenLink:
    """A new link for this account, in the caller's transaction; earlier ones stop working."""
    now = utcnow()
    end_links(s, account_id, now)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=LINK_HOURS)
    s.add(
        PasswordLink(
            account_id=account_id,
            token_hash=_digest(token),
            created_at=now,
            created_by=by,
            expires_at=expires,
        )
    )
    return GivenLink(token, expires)


def _usable(s, token: str, now: datetime) -> tuple[PasswordLink, StaffAccount]:
    """The link and its account, or AccountError saying why the link cannot be used (message
    key err.link_unknown, _used, _replaced or _expired)."""
    link = s.scalars(select(PasswordLink).where(PasswordLink.token_hash == _digest(token))).first()
    account = s.get(StaffAccount, link.account_id) if link else None
    if link is None or account is None:
        raise AccountError("this link does not work", "err.link_unknown")
    if link.used_at is not None:
        raise AccountError("this link was used", "err.link_used")
    if link.ended_at is not None or not account.active:
        raise AccountError("this link was replaced", "err.link_replaced")
    if now >= link.expires_at:
        raise AccountError("this link expired", "err.link_expired")
    return link, account


def account_for(db: Database, token: str) -> StaffUser:
    """The account a usable link is for, or AccountError saying why it cannot be used."""
    with db.session() as s:
        return as_user(_usable(s, token, utcnow())[1])


def use_link(db: Database, token: str, password: str) -> StaffUser:
    """Set the account's password through its link, once: the link ends, and so does every
    session of the account. Two uses at once: one wins, the other is told it was used."""
    hashed = hash_password(password)  # refuses a short password before the link is spent
    with db.session() as s:
        now = utcnow()
        link, account = _usable(s, token, now)
        spent = cast(
            "CursorResult",  # what an UPDATE returns
            s.execute(
                update(PasswordLink)
                .where(PasswordLink.id == link.id, PasswordLink.ended_at.is_(None))
                .values(used_at=now, ended_at=now)
            ),
        )
        if spent.rowcount != 1:
            raise AccountError("this link does not work", "err.link_used")
        account.password_hash = hashed
        bump_sessions(account)
        user = as_user(account)
        s.add(audit.entry(user.label, "staff.password_set", email=user.email))
        return user


def open_links(db: Database) -> dict[int, datetime]:
    """For each account with a link still usable, when that link stops working."""
    with db.session() as s:
        rows = s.execute(
            select(PasswordLink.account_id, PasswordLink.expires_at).where(
                PasswordLink.ended_at.is_(None), PasswordLink.expires_at > utcnow()
            )
        ).all()
    return {row.account_id: row.expires_at for row in rows}
