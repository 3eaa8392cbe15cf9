"""Pressing 0: a transfer to KOM when it is open, the callback information when it is closed."""

from datetime import datetime

import pytest
import time_machine

from ivr.hours import OSLO
from ivr.models import Closure
from ivr.schedule import set_switch, write_setting
from ivr.services import services

from .support import break_database


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=OSLO), tick=False)


def press_0(caller, lang_key="1", dial_status="completed"):
    call = caller(dial_status)
    if lang_key:
        call.press(lang_key)
    call.press("0")
    return call


def transferred(call) -> bool:
    return bool(call.dialed)


@pytest.mark.parametrize(
    "moment",
    [
        (2026, 12, 2, 10, 0),
        (2026, 12, 2, 8, 0),
        (2026, 12, 2, 15, 59),
        (2026, 3, 30, 8, 0),  # first weekday of summer time
        (2026, 10, 26, 15, 59),  # first weekday after summer time
    ],
)
def test_press_0_when_open_transfers_to_kom(caller, moment):
    with at(*moment):
        call = press_0(caller)
    assert transferred(call)
    assert call.dialed[0]["numbers"] == ["+4747451500"]


@pytest.mark.parametrize(
    "moment",
    [
        (2026, 12, 2, 16, 0),
        (2026, 12, 2, 7, 59),
        (2026, 12, 5, 11, 0),
        (2026, 4, 2, 10, 0),  # Maundy Thursday
        (2026, 4, 3, 10, 0),  # Good Friday
        (2026, 4, 6, 10, 0),  # Easter Monday
        (2026, 5, 14, 10, 0),  # Ascension Day
        (2026, 5, 25, 10, 0),  # Whit Monday
        (2026, 5, 1, 10, 0),  # 1 May
        (2027, 5, 17, 10, 0),  # 17 May
        (2026, 12, 25, 10, 0),  # Christmas Day
        (2027, 1, 1, 10, 0),  # New Year's Day
        (2026, 3, 27, 7, 30),  # 07:30 Oslo on the Friday before summer time
    ],
)
def test_press_0_when_closed_gives_callback_information(caller, moment):
    with at(*moment):
        call = press_0(caller)
    assert not transferred(call)
    assert call.heard_prompt("closed") and call.heard_prompt("callback")
    said = call.said
    assert said.count("four seven, four five, one five, zero zero") == 2, "the number, twice"
    assert "one one two" in said and "112" not in said and call.pending


def test_callback_information_can_be_repeated_and_left(caller):
    with at(2026, 12, 5, 11, 0):
        call = press_0(caller)
        call.press("*")
        assert call.heard_prompt("callback")
        call.press("#")
        assert call.heard_prompt("topic_menu")


def test_press_0_in_the_language_menu_works_too(caller):
    with at(2026, 12, 5, 11, 0):
        call = press_0(caller, lang_key=None)
    assert call.heard_prompt("callback", "en") and call.heard_prompt("callback", "nb")


def test_staff_hear_the_callers_language_and_see_the_lines_number(caller):
    with at(2026, 12, 2, 10, 0):
        call = press_0(caller, lang_key="2")
    assert call.heard_prompt("transfer", "nb")
    assert call.whispers and "norsk" in call.whispers[0]
    assert call.dialed[0]["callerId"] == "+4721000000", "staff see the line, not the caller"


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_failed_transfer_gives_callback_information_and_a_way_back(caller, status):
    with at(2026, 12, 2, 10, 0):
        call = press_0(caller, dial_status=status)
        assert transferred(call)
        assert call.heard_prompt("transfer_failed") and call.heard_prompt("callback")
        assert call.pending and not call.ended
        call.press("#")
        assert call.heard_prompt("topic_menu")


def test_completed_transfer_ends_with_goodbye(caller):
    with at(2026, 12, 2, 10, 0):
        call = press_0(caller, dial_status="completed")
    assert call.heard_prompt("goodbye") and call.ended


def test_one_off_closure_in_the_database_closes_the_line(app, caller):
    with app.app_context(), services(app).db.session() as s:
        s.add(
            Closure(
                starts_at=datetime(2026, 12, 2, 12, 0, tzinfo=OSLO),
                ends_at=datetime(2026, 12, 2, 16, 0, tzinfo=OSLO),
                reason="staff day",
            )
        )
    with at(2026, 12, 2, 11, 0):
        assert transferred(press_0(caller))
    with at(2026, 12, 2, 13, 0):
        assert not transferred(press_0(caller))


def test_manual_switch_closes_and_reopens_the_line(app, caller):
    db = services(app).db
    with at(2026, 12, 2, 10, 0):
        set_switch(db, False, "fire drill", by="test")
        assert not transferred(press_0(caller))
        set_switch(db, None)
        assert transferred(press_0(caller))
    with at(2026, 12, 5, 20, 0):
        set_switch(
            db, True, "weekend shift", by="test", until=datetime(2026, 12, 5, 22, 0, tzinfo=OSLO)
        )
        assert transferred(press_0(caller))
    with at(2026, 12, 5, 22, 0):
        assert not transferred(press_0(caller))


def test_transfer_numbers_and_ring_timeout_come_from_settings(app, caller):
    db = services(app).db
    write_setting(db, "transfer_numbers", ["+4711111111", "+4722222222"])
    write_setting(db, "dial_timeout", 40)
    with at(2026, 12, 2, 10, 0):
        call = press_0(caller)
    assert call.dialed[0]["numbers"] == ["+4711111111", "+4722222222"]
    assert call.dialed[0]["timeout"] == "40"


def test_database_gone_still_uses_regular_hours(app, caller):
    break_database(app)
    with at(2026, 12, 2, 10, 0):
        assert transferred(press_0(caller))
    with at(2026, 12, 2, 17, 0):
        call = press_0(caller)
    assert not transferred(call) and call.heard_prompt("callback")


def test_locked_database_still_answers_on_the_regular_hours(app, caller):
    import sqlite3

    db = services(app).db
    set_switch(db, True, "weekend shift", by="test")  # in the database: open on Saturday
    db.engine.dispose()
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    blocker = sqlite3.connect(path)
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("DELETE FROM call_event")  # holds the lock: nobody else reads or writes
    try:
        with at(2026, 12, 5, 11, 0):
            call = press_0(caller)
            assert not transferred(call), "the switch cannot be read: regular hours apply"
            assert call.heard_prompt("callback") and call.pending
            call.press("#")
            assert call.heard_prompt("topic_menu")
    finally:
        blocker.rollback()
        blocker.close()


def test_calls_leave_anonymous_events_only(app, caller):
    with at(2026, 12, 2, 10, 0):
        press_0(caller, lang_key="2")
    from sqlalchemy import select

    from ivr.models import CallEvent

    assert services(app).events.flush()  # queued by the calls, written off their road
    with services(app).db.session() as s:
        events = s.scalars(select(CallEvent)).all()
    assert [e.event for e in events][-2:] == ["transfer", "transfer:completed"]
    assert any(e.language == "nb" and e.key == "0" for e in events)
    dump = " ".join(str(vars(e)) for e in events)
    assert "+4799999999" not in dump and "CA000" not in dump


def test_empty_database_without_tables_still_answers(app_settings, tmp_path):
    from ivr import create_app

    from .conftest import Call

    empty = tmp_path / "empty.sqlite3"
    app = create_app({**app_settings, "DATABASE_URL": f"sqlite:///{empty}"})
    with at(2026, 12, 2, 10, 0):
        call = Call(app.test_client(), services(app).catalog).start().press("1").press("0")
    assert call.dialed


def test_a_database_that_comes_back_is_used_at_once(app, caller, migrated_db):
    import shutil

    from ivr.db import DatabaseUnavailable

    db = services(app).db
    path = break_database(app)  # the database cannot open
    with at(2026, 12, 2, 10, 0):
        assert transferred(press_0(caller))
    with pytest.raises(DatabaseUnavailable):
        set_switch(db, False, "drill", by="test")
    path.rmdir()
    shutil.copy(migrated_db, path)  # restored: no pause, it works now
    set_switch(db, False, "drill", by="test")
    with at(2026, 12, 2, 10, 0):
        assert not transferred(press_0(caller))
