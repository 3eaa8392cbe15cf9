"""Is KOM open at this instant? The one place that knows opening hours.

Regular hours are Monday-Friday 08:00-16:00 in Europe/Oslo, closed on Norwegian public holidays.
Staff add one-off closures and a manual "closed now" / "open now" switch; both live in the
database and reach this module as plain values (`HoursRules`), so the rules stay pure and fast
to test. 08:00 sharp is open, 16:00 sharp is closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays import HolidayBase
from holidays.countries.norway import Norway

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class WeeklyHours:
    """The regular week: which weekdays (0 = Monday) KOM is open, and from when to when."""

    days: frozenset[int] = frozenset(range(5))
    opens: time = time(8, 0)
    closes: time = time(16, 0)


@dataclass(frozen=True)
class Closure:
    """A one-off closure, e.g. a staff day or Christmas Eve afternoon. Aware datetimes."""

    starts: datetime
    ends: datetime
    reason: str = ""

    def covers(self, at: datetime) -> bool:
        """Whether this closure is in force at `at` (start included, end excluded)."""
        return self.starts <= at < self.ends


@dataclass(frozen=True)
class Override:
    """The manual switch: "closed now" or "open now", until a time or until switched off."""

    open: bool
    reason: str = ""
    until: datetime | None = None

    def applies(self, at: datetime) -> bool:
        """Whether the switch is still in force at `at`."""
        return self.until is None or at < self.until


@dataclass(frozen=True)
class HoursRules:
    """Everything that decides whether KOM is open."""

    weekly: WeeklyHours = WeeklyHours()
    closures: tuple[Closure, ...] = ()
    override: Override | None = None


REGULAR = HoursRules()


@lru_cache(maxsize=16)
def _norway(year: int) -> HolidayBase:
    """Norway's public holidays of one year, named in Norwegian (Sundays are not holidays)."""
    return Norway(years=year, language="no", include_sundays=False)


@lru_cache(maxsize=1024)
def holiday_name(day: date) -> str | None:
    """The Norwegian public holiday on this date (in Norwegian), or None."""
    return _norway(day.year).get(day)


def _to_oslo(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("is_open needs an aware datetime; naive times are ambiguous")
    return at.astimezone(OSLO)


def regular_open(at: datetime, weekly: WeeklyHours = WeeklyHours()) -> bool:
    """Open by the weekly hours and the public holidays alone."""
    local = _to_oslo(at)
    if local.weekday() not in weekly.days or holiday_name(local.date()):
        return False
    return weekly.opens <= local.time() < weekly.closes


def is_open(at: datetime, rules: HoursRules = REGULAR) -> bool:
    """Whether a caller pressing 0 at `at` should be put through to KOM's staff."""
    if rules.override is not None and rules.override.applies(at):
        return rules.override.open
    if any(c.covers(at) for c in rules.closures):
        return False
    return regular_open(at, rules.weekly)
