"""What an admin does to staff accounts on the accounts page: add one, disable or enable it,
reset its password. Each is one transaction, audited, and one at a time across processes, so
two admins disabling each other at once cannot leave the line without an admin.

An admin cannot disable or reset themselves, nor disable the last admin who can sign in.
Adding and resetting give a one-time set-password link (password_links.py); a reset password
stops working at once, and a disabled account's sessions and links end.
"""

from __future__ import annotations

from .. import audit
from ..db import Database
from ..models import StaffAccount, utcnow
from .accounts import (
    MANAGE_ACCOUNTS,
    NO_PASSWORD,
    AccountError,
    StaffUser,
    bump_sessions,
    end_links,
    new_account,
    refuse_last_admin,
)
from .password_links import GivenLink, give_link

LOCK = "staff accounts"


def add_with_link(
    db: Database, admin: StaffUser, email: str, name: str, role: str
) -> tuple[StaffUser, GivenLink]:
    """A new account without a password, and the link its person chooses one with."""
    with db.serialised(LOCK), db.session() as s:
        _still_admin(s, admin)
        user = new_account(s, email, role, None, name)
        link = give_link(s, user.id, admin.label)
        s.add(audit.entry(admin.label, "staff.add", email=user.email, role=role))
    return user, link


def _still_admin(s, admin: StaffUser) -> None:
    """AccountError unless the person acting is still an active admin."""
    me = s.get(StaffAccount, admin.id)
    if me is None or not me.active or me.role not in MANAGE_ACCOUNTS:
        raise AccountError("only an active admin may change accounts", "err.forbidden")


def _account(s, admin: StaffUser, account_id: int) -> StaffAccount:
    """The account to change, once the admin is known to still be an active admin."""
    _still_admin(s, admin)
    row = s.get(StaffAccount, account_id)
    if row is None:
        raise AccountError("no such account", "err.no_account")
    return row


def disable(db: Database, admin: StaffUser, account_id: int) -> str:
    """Switch an account off: it cannot sign in, its sessions and links end. Its e-mail."""
    with db.serialised(LOCK), db.session() as s:
        row = _account(s, admin, account_id)
        if row.id == admin.id:
            raise AccountError("you cannot disable yourself", "err.disable_self")
        refuse_last_admin(s, row)
        row.active = False
        bump_sessions(row)
        end_links(s, row.id, utcnow())
        s.add(audit.entry(admin.label, "staff.disable", email=row.email))
        return row.email


def enable(db: Database, admin: StaffUser, account_id: int) -> str:
    """Switch a disabled account on again (with the password it had). Its e-mail."""
    with db.serialised(LOCK), db.session() as s:
        row = _account(s, admin, account_id)
        row.active = True
        s.add(audit.entry(admin.label, "staff.enable", email=row.email))
        return row.email


def reset(db: Database, admin: StaffUser, account_id: int) -> tuple[str, GivenLink]:
    """The account's password stops working and its sessions end; a new link lets its person
    choose another. Its e-mail and the link."""
    with db.serialised(LOCK), db.session() as s:
        row = _account(s, admin, account_id)
        if row.id == admin.id:
            raise AccountError("you cannot reset your own password here", "err.reset_self")
        if not row.active:
            raise AccountError("enable the account first", "err.reset_disabled")
        row.password_hash = NO_PASSWORD
        bump_sessions(row)
        link = give_link(s, row.id, admin.label)
        s.add(audit.entry(admin.label, "staff.reset", email=row.email))
        return row.email, link
