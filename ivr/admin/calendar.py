"""The opening-hours calendar: weekly hours, public holidays and closures, day by day.

Pure: give it the first day, the number of weeks and the closures; get weeks of days back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..hours import OSLO, REGULAR, WeeklyHours, holiday_name


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
    def closed_all_day(self) -> bool:
        """No caller is put through on this day at all."""
        return self.opens is None or any(c.whole_day for c in self.closures) or any(
            c.starts <= self.opens and (c.ends is None or c.ends >= self.closes)
            for c in self.closures)


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


def build(first: date, weeks: int, closures: list[ClosureRow], today: date,
          weekly: WeeklyHours = REGULAR.weekly) -> list[list[Day]]:
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
            week.append(Day(day, holiday, weekly.opens if open_day else None,
                            weekly.closes if open_day else None, on_day, day == today))
        result.append(week)
    return result
