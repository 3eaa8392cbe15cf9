"""Opening hours: Monday-Friday 08:00-16:00 Oslo time, never on Norwegian public holidays."""

from datetime import UTC, datetime

import pytest

from ivr.hours import OSLO, Closure, HoursRules, Override, holiday_name, is_open


def oslo(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


@pytest.mark.parametrize(
    "moment,expected",
    [
        (oslo(2026, 12, 2, 10, 0), True),  # an ordinary Wednesday morning
        (oslo(2026, 12, 2, 7, 59, 59), False),
        (oslo(2026, 12, 2, 8, 0), True),  # 08:00 sharp: open
        (oslo(2026, 12, 2, 15, 59, 59), True),
        (oslo(2026, 12, 2, 16, 0), False),  # 16:00 sharp: closed
        (oslo(2026, 12, 5, 10, 0), False),  # Saturday
        (oslo(2026, 12, 6, 10, 0), False),  # Sunday
        (oslo(2026, 12, 2, 22, 0), False),  # evening
    ],
)
def test_regular_week(moment, expected):
    assert is_open(moment) is expected


@pytest.mark.parametrize(
    "day",
    [
        (2027, 1, 1),  # New Year's Day (Friday)
        (2026, 4, 2),  # Maundy Thursday
        (2026, 4, 3),  # Good Friday
        (2026, 4, 6),  # Easter Monday
        (2026, 5, 1),  # Labour Day (Friday)
        (2026, 5, 14),  # Ascension Day (Thursday)
        (2026, 5, 25),  # Whit Monday
        (2027, 5, 17),  # Constitution Day (Monday, and Whit Monday in 2027)
        (2026, 12, 25),  # Christmas Day (Friday)
        (2027, 12, 27),  # not a holiday in 2027: control case below
    ],
)
def test_public_holidays_are_closed(day):
    moment = oslo(*day, 10, 0)
    if day == (2027, 12, 27):
        assert holiday_name(moment.date()) is None and is_open(moment)
    else:
        assert holiday_name(moment.date()) and not is_open(moment)


def test_days_that_are_not_public_holidays_stay_open():
    assert is_open(oslo(2026, 12, 24, 10, 0))  # Christmas Eve: a weekday, not a public holiday
    assert is_open(oslo(2026, 4, 1, 10, 0))  # Wednesday before Maundy Thursday


@pytest.mark.parametrize(
    "utc_moment,expected",
    [
        # Summer time starts 2026-03-29 (Sunday); Monday 30 March 08:00 Oslo is 06:00 UTC.
        (datetime(2026, 3, 30, 5, 59, tzinfo=UTC), False),
        (datetime(2026, 3, 30, 6, 0, tzinfo=UTC), True),
        (datetime(2026, 3, 30, 13, 59, tzinfo=UTC), True),
        (datetime(2026, 3, 30, 14, 0, tzinfo=UTC), False),
        # The Friday before, still winter time: 08:00 Oslo is 07:00 UTC.
        (datetime(2026, 3, 27, 6, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 27, 7, 0, tzinfo=UTC), True),
        # Winter time returns 2026-10-25; Monday 26 October 08:00 Oslo is 07:00 UTC.
        (datetime(2026, 10, 26, 6, 30, tzinfo=UTC), False),
        (datetime(2026, 10, 26, 7, 0, tzinfo=UTC), True),
        (datetime(2026, 10, 26, 14, 59, tzinfo=UTC), True),
        (datetime(2026, 10, 26, 15, 0, tzinfo=UTC), False),
    ],
)
def test_daylight_saving_changes(utc_moment, expected):
    assert is_open(utc_moment) is expected


def test_closure_closes_part_of_a_day():
    rules = HoursRules(closures=(Closure(oslo(2026, 12, 2, 12, 0), oslo(2026, 12, 2, 16, 0)),))
    assert is_open(oslo(2026, 12, 2, 11, 59), rules)
    assert not is_open(oslo(2026, 12, 2, 12, 0), rules)


def test_manual_switch_wins_until_it_expires():
    closed = HoursRules(override=Override(False, "fire drill", until=oslo(2026, 12, 2, 11, 0)))
    assert not is_open(oslo(2026, 12, 2, 10, 0), closed)
    assert is_open(oslo(2026, 12, 2, 11, 0), closed)
    opened = HoursRules(override=Override(True, "evening shift"))
    assert is_open(oslo(2026, 12, 5, 20, 0), opened)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        is_open(datetime(2026, 12, 2, 10, 0))
