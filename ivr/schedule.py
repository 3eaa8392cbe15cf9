"""What KOM's staff control, read from the database for the caller's line.

Closures, the open/closed switch and the line settings (transfer numbers, ring timeout,
languages switched off). Every reader here survives a database outage: it logs the failure
and returns the regular rules, so a call always works.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from .db import Database, DatabaseUnavailable
from .hours import REGULAR, Closure, HoursRules, Override
from .models import Closure as ClosureRow
from .models import LineSwitch, Setting, utcnow

log = logging.getLogger(__name__)


def hours_rules(db: Database, at: datetime) -> HoursRules:
    """The rules in force around `at`; the regular hours if the database fails."""
    try:
        with db.session() as s:
            closures = s.scalars(
                select(ClosureRow).where(ClosureRow.ends_at > at - timedelta(days=1),
                                         ClosureRow.starts_at < at + timedelta(days=1))
            ).all()
            switch = s.scalars(
                select(LineSwitch).where(LineSwitch.cleared_at.is_(None))
                .order_by(LineSwitch.set_at.desc(), LineSwitch.id.desc()).limit(1)
            ).first()
    except DatabaseUnavailable as exc:
        log.error("database unavailable, using regular opening hours: %s", exc)
        return REGULAR
    override = Override(switch.is_open, switch.reason, switch.until) if switch else None
    return HoursRules(
        closures=tuple(Closure(c.starts_at, c.ends_at, c.reason) for c in closures),
        override=override,
    )


def set_switch(db: Database, is_open: bool | None, reason: str = "", by: str = "",
               until: datetime | None = None) -> None:
    """Close or open the line now (`is_open` True/False), or return to the regular hours (None)."""
    with db.session() as s:
        for row in s.scalars(select(LineSwitch).where(LineSwitch.cleared_at.is_(None))):
            row.cleared_at = utcnow()
        if is_open is not None:
            s.add(LineSwitch(is_open=is_open, reason=reason, set_by=by, until=until))


@dataclass(frozen=True)
class LineSettings:
    """Settings staff may change; defaults come from the app's configuration."""

    transfer_numbers: tuple[str, ...]
    dial_timeout: int
    disabled_languages: frozenset[str] = frozenset()
    offer_drafts: bool = True


def read_settings(db: Database, defaults: LineSettings) -> LineSettings:
    """The line's settings, each falling back to its default when unset or unreadable."""
    try:
        with db.session() as s:
            stored = {row.key: row.value for row in s.scalars(select(Setting))}
    except DatabaseUnavailable as exc:
        log.error("database unavailable, using default line settings: %s", exc)
        return defaults

    def value(name: str, default: Any) -> Any:
        try:
            return json.loads(stored[name]) if name in stored else default
        except ValueError:
            log.error("setting %s is not valid JSON; using the default", name)
            return default

    return LineSettings(
        transfer_numbers=tuple(value("transfer_numbers", list(defaults.transfer_numbers)))
        or defaults.transfer_numbers,
        dial_timeout=int(value("dial_timeout", defaults.dial_timeout)),
        disabled_languages=frozenset(value("disabled_languages", sorted(defaults.disabled_languages))),
        offer_drafts=bool(value("offer_drafts", defaults.offer_drafts)),
    )


class LineSource:
    """The one place the line's settings and opening-hours rules are read, for the webhooks,
    the staff pages and the commands alike."""

    def __init__(self, db: Database, defaults: LineSettings):
        self.db, self.defaults = db, defaults

    def settings(self) -> LineSettings:
        """The line's settings; the defaults (from the configuration) where unset or unreadable."""
        return read_settings(self.db, self.defaults)

    def rules(self, at: datetime) -> HoursRules:
        """Closures and the switch in force around `at`; the regular hours if the database fails."""
        return hours_rules(self.db, at)


def write_setting(db: Database, name: str, value: Any) -> None:
    """Store one line setting."""
    with db.session() as s:
        row = s.get(Setting, name)
        if row is None:
            s.add(Setting(key=name, value=json.dumps(value)))
        else:
            row.value = json.dumps(value)
