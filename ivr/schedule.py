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
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .db import Database, DatabaseUnavailable
from .hours import REGULAR, Closure, HoursRules, Override
from .models import Closure as ClosureRow
from .models import LineSwitch, Setting, utcnow
from .snapshot import FallbackFile, Snapshot

log = logging.getLogger(__name__)
MAX_CLOSURES = 500  # the latest closures calls keep in memory (years' worth)


def hours_rules(db: Database, at: datetime) -> HoursRules:
    """The rules in force around `at`; the regular hours if the database fails."""
    try:
        with db.session() as s:
            closures = s.scalars(
                select(ClosureRow).where(
                    ClosureRow.ends_at > at - timedelta(days=1),
                    ClosureRow.starts_at < at + timedelta(days=1),
                )
            ).all()
            switch = s.scalars(
                select(LineSwitch)
                .where(LineSwitch.cleared_at.is_(None))
                .order_by(LineSwitch.set_at.desc(), LineSwitch.id.desc())
                .limit(1)
            ).first()
    except DatabaseUnavailable as exc:
        log.error("database unavailable, using regular opening hours: %s", exc)
        return REGULAR
    override = Override(switch.is_open, switch.reason, switch.until) if switch else None
    return HoursRules(
        closures=tuple(Closure(c.starts_at, c.ends_at, c.reason) for c in closures),
        override=override,
    )


def set_switch(
    db: Database,
    is_open: bool | None,
    reason: str = "",
    by: str = "",
    until: datetime | None = None,
) -> None:
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
    return _settings_from(stored, defaults)


def _settings_from(stored: dict[str, str], defaults: LineSettings) -> LineSettings:
    """The settings stored as JSON, each falling back to its default."""

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
        disabled_languages=frozenset(
            value("disabled_languages", sorted(defaults.disabled_languages))
        ),
        offer_drafts=bool(value("offer_drafts", defaults.offer_drafts)),
    )


@dataclass(frozen=True)
class LineState:
    """What a call needs from staff: the line's settings and the opening-hours rules."""

    settings: LineSettings
    rules: HoursRules


def read_line_state(db: Database, defaults: LineSettings) -> LineState:
    """Settings, the switch and the latest MAX_CLOSURES closures (DatabaseUnavailable if the
    database fails: the caller keeps what it had)."""
    with db.session() as s:
        stored = {row.key: row.value for row in s.scalars(select(Setting))}
        closures = s.scalars(
            select(ClosureRow).order_by(ClosureRow.ends_at.desc()).limit(MAX_CLOSURES)
        ).all()
        switch = s.scalars(
            select(LineSwitch)
            .where(LineSwitch.cleared_at.is_(None))
            .order_by(LineSwitch.set_at.desc(), LineSwitch.id.desc())
            .limit(1)
        ).first()
    override = Override(switch.is_open, switch.reason, switch.until) if switch else None
    return LineState(
        _settings_from(stored, defaults),
        HoursRules(
            closures=tuple(Closure(c.starts_at, c.ends_at, c.reason) for c in closures),
            override=override,
        ),
    )


def _line_document(state: LineState) -> dict:
    settings, rules = state.settings, state.rules
    override = rules.override
    return {
        "version": 1,
        "settings": {
            "transfer_numbers": list(settings.transfer_numbers),
            "dial_timeout": settings.dial_timeout,
            "disabled_languages": sorted(settings.disabled_languages),
            "offer_drafts": settings.offer_drafts,
        },
        "closures": [
            {"starts": c.starts.isoformat(), "ends": c.ends.isoformat(), "reason": c.reason}
            for c in rules.closures
        ],
        "override": None
        if override is None
        else {
            "open": override.open,
            "reason": override.reason,
            "until": override.until.isoformat() if override.until else None,
        },
    }


def _line_from_document(document: dict) -> LineState:
    settings, found = document["settings"], document["override"]
    override = (
        None
        if found is None
        else Override(
            bool(found["open"]),
            found["reason"],
            datetime.fromisoformat(found["until"]) if found["until"] else None,
        )
    )
    return LineState(
        LineSettings(
            tuple(settings["transfer_numbers"]),
            int(settings["dial_timeout"]),
            frozenset(settings["disabled_languages"]),
            bool(settings["offer_drafts"]),
        ),
        HoursRules(
            closures=tuple(
                Closure(
                    datetime.fromisoformat(c["starts"]),
                    datetime.fromisoformat(c["ends"]),
                    c["reason"],
                )
                for c in document["closures"]
            ),
            override=override,
        ),
    )


class LineSource:
    """The one place the line's settings and opening-hours rules are read.

    Staff pages and commands read the database (`settings()`, `rules(at)`); calls read the
    in-memory `LineState` (`for_calls()`), refreshed in the background, with its last good copy
    in `fallback` for a restart while the database is away.
    """

    def __init__(self, db: Database, defaults: LineSettings, fallback: Path | None = None):
        self.db, self.defaults = db, defaults
        saved = FallbackFile(fallback, _line_document, _line_from_document) if fallback else None
        self.snapshot: Snapshot[LineState] = Snapshot(
            "line settings",
            lambda: read_line_state(db, defaults),
            LineState(defaults, REGULAR),
            saved,
        )

    def settings(self) -> LineSettings:
        """The line's settings; the defaults (from the configuration) where unset or unreadable."""
        return read_settings(self.db, self.defaults)

    def rules(self, at: datetime) -> HoursRules:
        """Closures and the switch in force around `at`; the regular hours if the database fails."""
        return hours_rules(self.db, at)

    def for_calls(self) -> LineState:
        """The settings and rules as last read: never waits for the database."""
        return self.snapshot.ensure_loaded()


def write_setting(db: Database, name: str, value: Any) -> None:
    """Store one line setting."""
    with db.session() as s:
        row = s.get(Setting, name)
        if row is None:
            s.add(Setting(key=name, value=json.dumps(value)))
        else:
            row.value = json.dumps(value)
