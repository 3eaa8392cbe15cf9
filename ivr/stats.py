"""Anonymous statistics of the line, from the call events (`CallEvent`).

What is stored: for each step of a real call, the time, the language, the menu position, the
menu key and what happened (e.g. `topic:reflection:2`, `transfer:busy`, `closed`). Never a
phone number, a name, a voice or Twilio's call id. While a call may still be going on, its
events share a `call_key` (a keyed hash of the call id, useless without the server's secret) so
the statistics can tell calls that never left the language menu; `ivr stats prune` folds that
fact into an anonymous event and erases the key CALL_KEY_HOURS after the call, and deletes
events older than the retention (STATS_RETENTION_MONTHS, 13 by default).

Reports count per day, ISO week and hour of day (Oslo time), never finer than the hour; any
count from 1 to 4 is shown as "< 5" (`masked`), so no single call can be singled out.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select, update

from .db import Database
from .hours import OSLO
from .models import CallEvent, utcnow

MASK_BELOW = 5
CALL_KEY_HOURS = 4  # longer than any call to this line; then the link between events goes
ENDED_IN_LANGUAGE_MENU = "ended:language_menu"
# The flow's first event of a call offered its country's language first (instead of
# `language_menu`): a yes/no, nothing about the number or the country.
HINT_USED_EVENTS = frozenset({"country_hint"})
TRANSFER_OUTCOMES = ("completed", "no-answer", "busy", "failed")
NOBODY_ANSWERED = frozenset({"transfer:no-answer", "transfer:busy", "transfer:failed"})


def call_key(secret: str, call_sid: str) -> str | None:
    """The anonymous key that links one call's events for a few hours (None without a call)."""
    if not call_sid:
        return None
    return hmac.new(secret.encode(), call_sid.encode(), hashlib.sha256).hexdigest()[:16]


def masked(count: int) -> str:
    """A count as staff and exports see it: 1-4 become "< 5"."""
    return f"< {MASK_BELOW}" if 0 < count < MASK_BELOW else str(count)


@dataclass(frozen=True)
class Section:
    """One table (and chart) of the report: labels and their counts, in display order."""

    name: str
    rows: list[tuple[str, int]]
    chart: bool = True

    @property
    def largest(self) -> int:
        return max((n for _, n in self.rows), default=0)


@dataclass
class Report:
    """The statistics of the calls between two Oslo dates (both included)."""

    first: date
    last: date
    sections: list[Section] = field(default_factory=list)

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)

    def value(self, section: str, label: str) -> int:
        """One count, 0 when the label is absent."""
        return dict(self.section(section).rows).get(label, 0)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of `first` to the end of `last`, Oslo time."""
    start = datetime.combine(first, time(0), OSLO).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), OSLO).astimezone(UTC)
    return start, end


def _events(db: Database, first: date, last: date) -> list[CallEvent]:
    start, end = _bounds(first, last)
    with db.session() as s:
        return list(
            s.scalars(
                select(CallEvent)
                .where(CallEvent.at >= start, CallEvent.at < end)
                .order_by(CallEvent.at, CallEvent.id)
            )
        )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _calls(events: list[CallEvent], first: date, last: date) -> list[Section]:
    """Calls (a call starts with the `incoming` event) per day, ISO week and hour of day."""
    started = [e.at.astimezone(OSLO) for e in events if e.node == "incoming"]
    per_day = Counter(at.date() for at in started)
    per_week = Counter("{}-W{:02d}".format(*at.isocalendar()[:2]) for at in started)
    weeks = dict.fromkeys("{}-W{:02d}".format(*d.isocalendar()[:2]) for d in _days(first, last))
    per_hour = Counter(at.hour for at in started)
    return [
        Section("calls_total", [("calls", len(started))], chart=False),
        Section("calls_day", [(d.isoformat(), per_day[d]) for d in _days(first, last)]),
        Section("calls_week", [(w, per_week[w]) for w in weeks]),
        Section("calls_hour", [(f"{h:02d}", per_hour[h]) for h in range(24)]),
    ]


def _ended_in_language_menu(events: list[CallEvent]) -> int:
    """Folded calls (key erased) plus calls still keyed that never chose a language."""
    folded = sum(e.event == ENDED_IN_LANGUAGE_MENU for e in events)
    keyed = {e.call_key for e in events if e.call_key and e.node == "incoming"}
    chose = {e.call_key for e in events if e.call_key and _chose_language(e)}
    return folded + len(keyed - chose)


def _chose_language(event: CallEvent) -> bool:
    return event.node == "language" and event.event == "menu"


def _choices(events: list[CallEvent]) -> list[Section]:
    """Languages chosen, the country hint, topics and how far into each one callers listened."""
    languages = Counter(e.language for e in events if _chose_language(e) and e.language)
    topics = Counter(e.event.removeprefix("topic:") for e in events if e.event.startswith("topic:"))

    def topic_order(label: str) -> tuple[str, int]:
        topic, _, part = label.rpartition(":")
        return topic, int(part) if part.isdigit() else 0

    return [
        Section("languages", languages.most_common()),
        Section(
            "country_hint",
            [("used", sum(e.event in HINT_USED_EVENTS for e in events))],
            chart=False,
        ),
        Section("topics", [(label, topics[label]) for label in sorted(topics, key=topic_order)]),
        Section("language_menu", [("ended", _ended_in_language_menu(events))], chart=False),
    ]


def _people(events: list[CallEvent]) -> list[Section]:
    """Asking for a person: transfers and their outcomes, 0 while closed, missed hours."""
    kinds = Counter(e.event for e in events)
    outcomes = [(o, kinds[f"transfer:{o}"]) for o in TRANSFER_OUTCOMES]
    other = sum(
        n
        for k, n in kinds.items()
        if k.startswith("transfer:") and k.removeprefix("transfer:") not in TRANSFER_OUTCOMES
    )
    missed = Counter(e.at.astimezone(OSLO).hour for e in events if e.event in NOBODY_ANSWERED)
    return [
        Section(
            "person",
            [
                ("asked", kinds["transfer"] + kinds["closed"]),
                ("transferred", kinds["transfer"]),
                ("closed", kinds["closed"]),
            ],
        ),
        Section("transfers", [*outcomes, ("other", other)]),
        Section("missed_hours", [(f"{h:02d}", missed[h]) for h in range(24)]),
    ]


def report(db: Database, first: date, last: date) -> Report:
    """The statistics of the real calls between two Oslo dates (both included)."""
    events = _events(db, first, last)
    return Report(first, last, [*_calls(events, first, last), *_choices(events), *_people(events)])


def csv_rows(result: Report) -> list[list[str]]:
    """The report as CSV rows: section, label, count (masked). Nothing finer than the hour."""
    rows = [["section", "label", "count"]]
    rows += [[s.name, label, masked(n)] for s in result.sections for label, n in s.rows]
    return rows


# Keeping as little as possible ----------------------------------------------------------------


def retention_cutoff(now: datetime, months: int) -> datetime:
    """`months` calendar months before `now` (the 31st becomes the month's last day)."""
    month_index = now.year * 12 + now.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    day = min(now.day, (following - timedelta(days=1)).day)
    return now.replace(year=year, month=month, day=day)


def forget_call_keys(db: Database, now: datetime) -> int:
    """Erase the call key of events older than CALL_KEY_HOURS, first recording each such call
    that never chose a language as one anonymous `ended:language_menu` event. Returns the
    number of calls whose key was erased."""
    before = now - timedelta(hours=CALL_KEY_HOURS)
    with db.session() as s:
        rows = s.scalars(
            select(CallEvent).where(CallEvent.call_key.is_not(None), CallEvent.at < before)
        ).all()
        calls: dict[str, list[CallEvent]] = {}
        for event in rows:
            if event.call_key is not None:  # selected for it: the query wants a key
                calls.setdefault(event.call_key, []).append(event)
        for events in calls.values():
            started = [e for e in events if e.node == "incoming"]
            if started and not any(_chose_language(e) for e in events):
                s.add(CallEvent(at=started[0].at, node="call", event=ENDED_IN_LANGUAGE_MENU))
        s.execute(
            update(CallEvent).where(CallEvent.call_key.in_(list(calls))).values(call_key=None)
        )
    return len(calls)


def prune(db: Database, now: datetime, months: int) -> tuple[int, int]:
    """Delete events older than the retention and erase old call keys: (deleted, calls)."""
    calls = forget_call_keys(db, now)
    with db.session() as s:
        result = s.execute(delete(CallEvent).where(CallEvent.at < retention_cutoff(now, months)))
        deleted = result.rowcount  # type: ignore[attr-defined]  # a CursorResult for a DELETE
    return deleted, calls


def default_range(now: datetime | None = None, days: int = 30) -> tuple[date, date]:
    """The last `days` days up to today (Oslo)."""
    today = (now or utcnow()).astimezone(OSLO).date()
    return today - timedelta(days=days - 1), today
