"""The opening-hours calendar: weekly hours, public holidays and closures, day by day.

Pure: give it the first day, the number of weeks and the closures; get weeks of days back,
or the coming holidays, eves and closures as a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..hours import OSLO, REGULAR, HoursRules, WeeklyHours, holiday_name, is_open


@dataclass(frozen=True)
class ClosureOnDay:
    """The part of a closure that falls on one day, in Oslo time."""

    id: int
    starts: time
    ends: time | None  # None: until midnight
    reason: str

    @property
    def whole_day(self) -> bool:
        return self.starts == time(0) and self.ends is None


# Not public holidays in Norway: the line is open on these by the regular hours, unless KOM
# adds a closure (the calendar says so, so that closing them is a deliberate choice).
EVES = {(12, 24): "calendar.christmas_eve", (12, 31): "calendar.new_years_eve"}


def eve(day: date) -> str | None:
    """The interface key naming this day when it is an eve that is open by law, else None."""
    return EVES.get((day.month, day.day))


@dataclass(frozen=True)
class Day:
    """One day of the calendar."""

    day: date
    holiday: str | None
    opens: time | None  # None: closed by the weekly hours (weekend) or a holiday
    closes: time | None
    closures: tuple[ClosureOnDay, ...] = field(default=())
    today: bool = False

    @property
    def eve(self) -> str | None:
        """Christmas Eve or New Year's Eve (open by law), as an interface key."""
        return eve(self.day)

    @property
    def closed_all_day(self) -> bool:
        """No caller is put through on this day at all."""
        return (
            self.opens is None
            or any(c.whole_day for c in self.closures)
            or any(
                c.starts <= self.opens
                and (c.ends is None or (self.closes is not None and c.ends >= self.closes))
                for c in self.closures
            )
        )


@dataclass(frozen=True)
class ClosureRow:
    """A closure as stored: aware datetimes."""

    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


def _on_day(closure: ClosureRow, day: date) -> ClosureOnDay | None:
    start = datetime.combine(day, time(0), OSLO)
    end = datetime.combine(day + timedelta(days=1), time(0), OSLO)
    s, e = max(closure.starts_at, start), min(closure.ends_at, end)
    if s >= e:
        return None
    ends = None if e >= end else e.astimezone(OSLO).time()
    return ClosureOnDay(closure.id, s.astimezone(OSLO).time(), ends, closure.reason)


def build(
    first: date,
    weeks: int,
    closures: list[ClosureRow],
    today: date,
    weekly: WeeklyHours = REGULAR.weekly,
) -> list[list[Day]]:
    """Weeks of days from the Monday on or before `first`."""
    monday = first - timedelta(days=first.weekday())
    result = []
    for w in range(weeks):
        week = []
        for d in range(7):
            day = monday + timedelta(days=7 * w + d)
            holiday = holiday_name(day)
            open_day = day.weekday() in weekly.days and not holiday
            on_day = tuple(c for c in (_on_day(x, day) for x in closures) if c)
            week.append(
                Day(
                    day,
                    holiday,
                    weekly.opens if open_day else None,
                    weekly.closes if open_day else None,
                    on_day,
                    day == today,
                )
            )
        result.append(week)
    return result


@dataclass(frozen=True)
class Span:
    """A closure in the staff's words: whole days (first to last day), or from a time to a
    time, in Oslo time. `from_time` and `until_time` are None at midnight."""

    first_day: date
    last_day: date
    from_time: time | None
    until_time: time | None

    @property
    def whole_days(self) -> bool:
        return self.from_time is None and self.until_time is None


def span(starts_at: datetime, ends_at: datetime) -> Span:
    """How a stored closure reads: 2 December 00:00 to 3 December 00:00 is the one day
    2 December, not two days."""
    starts, ends = starts_at.astimezone(OSLO), ends_at.astimezone(OSLO)
    until = None if ends.time() == time(0) else ends.time()
    last = ends.date() - timedelta(days=1) if until is None else ends.date()
    return Span(
        starts.date(),
        max(last, starts.date()),
        None if starts.time() == time(0) else starts.time(),
        until,
    )


@dataclass(frozen=True)
class Coming:
    """A day or span in the list of what is coming: a public holiday, an eve that is open by
    law, or a planned closure (with its id, span and reason)."""

    day: date
    kind: str  # holiday | eve | closure
    name: str  # the holiday's name, the eve's interface key, or the closure's reason
    span: Span | None = None
    closure_id: int | None = None


def coming(
    today: date, days: int, closures: list[ClosureRow], weekly: WeeklyHours = REGULAR.weekly
) -> list[Coming]:
    """Public holidays on weekdays the line would open, 24 and 31 December, and closures
    from today for `days` days, in date order: what a coordinator plans around."""
    found: list[Coming] = []
    for n in range(days):
        day = today + timedelta(days=n)
        name = holiday_name(day)
        if name and day.weekday() in weekly.days:
            found.append(Coming(day, "holiday", name))
        elif (eve_key := eve(day)) and not name and day.weekday() in weekly.days:
            found.append(Coming(day, "eve", eve_key))
    end = today + timedelta(days=days)
    for c in closures:
        s = span(c.starts_at, c.ends_at)
        if s.last_day >= today and s.first_day < end:
            found.append(Coming(s.first_day, "closure", c.reason, s, c.id))
    return sorted(found, key=lambda c: (c.day, c.kind != "closure"))


def next_change(now: datetime, rules: HoursRules, days: int = 21) -> datetime | None:
    """When the line next opens (if closed now) or closes (if open now), to the minute, within
    `days`; None when nothing changes that soon (e.g. closed by hand until someone reopens)."""
    if rules.override is not None and rules.override.until is None:
        return None  # closed (or opened) by hand until someone goes back to regular hours
    state, step = is_open(now, rules), timedelta(minutes=15)
    at = now.replace(second=0, microsecond=0)
    end = now + timedelta(days=days)
    while at < end:
        later = at + step
        if is_open(later, rules) != state:
            while is_open(at + timedelta(minutes=1), rules) == state:
                at += timedelta(minutes=1)
            return at + timedelta(minutes=1)
        at = later
    return None
