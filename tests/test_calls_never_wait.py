"""Calls never wait on the database: what they need is in memory, their events are queued."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select, text

from ivr import create_app
from ivr.call_events import CallEvents, Event
from ivr.catalog import Prompt
from ivr.db import DatabaseUnavailable
from ivr.hours import OSLO
from ivr.models import CallEvent
from ivr.schedule import set_switch
from ivr.services import services
from ivr.texts import publish_version, save_version

from .conftest import Call

OPEN = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)  # a Wednesday morning


def press_0(app) -> Call:
    with time_machine.travel(OPEN, tick=False):
        return Call(app.test_client(), services(app).catalog).start().press("1").press("0")


def event_count(app) -> int:
    with services(app).db.session() as s:
        return s.scalar(select(func.count()).select_from(CallEvent))


def lock_exclusively(app) -> sqlite3.Connection:
    """Another program holds the SQLite file: nobody else can read or write it. (This app's
    background threads stop first: in WAL mode an open connection keeps others from locking;
    the test refreshes by hand.)"""
    services(app).refresher.stop()
    services(app).events.stop()
    services(app).db.engine.dispose()
    blocker = sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    blocker.execute("PRAGMA locking_mode=EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("DELETE FROM call_event")
    return blocker


def test_close_now_switch_reaches_another_process_within_two_seconds(app, app_settings):
    calls = create_app(app_settings)  # another gunicorn worker
    assert press_0(calls).dialed
    line = services(calls).line.snapshot
    assert line.first_read.wait(10)
    version = line.version
    set_switch(services(app).db, False, "fire drill", by="staff")  # made in the staff's process
    assert line.wait_for_change(version, timeout=2.0), "the switch took more than 2 s"
    call = press_0(calls)
    assert not call.dialed and call.heard_prompt("callback")
    services(calls).close()


def test_a_change_made_in_this_process_is_heard_at_the_next_call(app):
    assert press_0(app).dialed
    set_switch(services(app).db, False, "fire drill", by="staff")
    assert not press_0(app).dialed


def test_calls_keep_the_switch_and_texts_while_the_database_is_locked(app):
    db, catalog = services(app).db, services(app).catalog
    set_switch(db, False, "staff meeting", by="staff")
    publish_version(
        db, save_version(db, catalog, "goodbye", "en", "Staff goodbye.", by="t"), by="t"
    )
    assert not press_0(app).dialed
    blocker = lock_exclusively(app)
    try:
        services(app).refresher.refresh_all()  # the background reads fail: nothing changes
        call = press_0(app)
        assert not call.dialed, "the line stays closed as staff set it"
        assert services(app).catalog.text(Prompt("goodbye", "en")) == "Staff goodbye."
    finally:
        blocker.rollback()
        blocker.close()


def test_a_new_process_uses_the_last_good_copy_when_the_database_is_away(app, app_settings):
    set_switch(services(app).db, False, "closed for the day", by="staff")
    assert not press_0(app).dialed  # the process read it and saved the last good copy
    blocker = lock_exclusively(app)
    try:
        restarted = create_app(app_settings)
        call = press_0(restarted)
        assert not call.dialed and call.heard_prompt("callback")
        services(restarted).close()
    finally:
        blocker.rollback()
        blocker.close()


def test_call_events_are_written_in_batches_off_the_call(app, caller):
    before = event_count(app)
    caller().press("1")
    events = services(app).events
    assert events.flush()
    assert event_count(app) == before + 2 and events.written >= 2


def test_events_wait_in_a_bounded_queue_and_losses_are_counted(app, caplog):
    db = services(app).db
    events = CallEvents(db, max_queued=3)
    events.stop()  # no writer thread: this test writes by hand
    blocker = lock_exclusively(app)
    try:
        for node in ("a", "b", "c", "d", "e"):
            events.record(Event("en", node, None, "menu"))  # never waits, never raises
        assert not events.flush() and len(events.queue) == 3
    finally:
        blocker.rollback()
        blocker.close()
    assert events.dropped == 2 and "queue is full" in caplog.text
    assert events.flush() and not events.queue
    with db.session() as s:
        assert s.scalars(select(CallEvent.node).order_by(CallEvent.id)).all()[-3:] == [
            "a",
            "b",
            "c",
        ]


def test_queued_events_are_written_when_the_process_exits(app_settings):
    script = (
        "import sys; from ivr import create_app; from ivr.services import services; "
        "from ivr.call_events import Event; app = create_app(json.loads(sys.argv[1])); "
        "e = services(app).events; e.stop(); e.record(Event('en', 'exit', None, 'x'))"
    )
    subprocess.run(
        [sys.executable, "-c", "import json; " + script, json.dumps(app_settings)],
        check=True,
        timeout=60,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    with sqlite3.connect(app_settings["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        assert db.execute("SELECT count(*) FROM call_event WHERE node='exit'").fetchone() == (1,)


def test_a_read_only_error_does_not_stick_to_the_pooled_connection(app):
    db = services(app).db
    with db.session() as s:
        s.execute(text("PRAGMA query_only=ON"))  # as if the file were read-only for a moment
    with pytest.raises(DatabaseUnavailable, match="readonly"):
        set_switch(db, False, "drill", by="t")
    set_switch(db, False, "drill", by="t")  # the broken connection was thrown away
    assert not press_0(app).dialed


def test_a_deleted_and_recreated_database_file_is_noticed(app, migrated_db):
    db = services(app).db
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    set_switch(db, False, "before", by="t")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copy(migrated_db, path)  # e.g. restored from a backup
    set_switch(db, True, "after", by="t")
    with sqlite3.connect(path) as fresh:
        assert fresh.execute("SELECT reason FROM line_switch").fetchall() == [("after",)]


def test_the_same_answer_is_computed_once_and_follows_staff_changes(app, caller):
    answers = services(app).answers
    first = caller().documents[-1]
    misses = answers.misses
    assert caller().documents[-1] == first and answers.misses == misses
    db, catalog = services(app).db, services(app).catalog
    publish_version(
        db, save_version(db, catalog, "greeting", "en", "A new greeting.", by="t"), by="t"
    )
    call = caller()
    assert call.documents[-1] != first and "A new greeting." in call.said


def test_published_texts_are_kept_outside_the_audio_store(app):
    db, catalog = services(app).db, services(app).catalog
    publish_version(
        db, save_version(db, catalog, "goodbye", "en", "Staff goodbye.", by="t"), by="t"
    )
    services(app).texts.refresh()
    saved = json.loads((Path(app.config["CACHE_DIR"]) / "texts.json").read_text())
    assert saved["texts"][0]["text"] == "Staff goodbye."
    assert not (services(app).store.root / "texts.json").exists()


def test_a_frozen_first_read_lets_the_first_call_through(app_settings):
    """A new process whose database never answers: the first call waits a bounded moment."""
    app = create_app({**app_settings, "FIRST_READ_SECONDS": 1.0})
    gate = threading.Event()
    snapshot = services(app).line.snapshot
    read = snapshot._read
    snapshot._read = lambda: (gate.wait(30), read())[1]  # the database hangs
    try:
        done = threading.Event()
        result: list[Call] = []
        worker = threading.Thread(target=lambda: (result.append(press_0(app)), done.set()))
        worker.start()
        assert done.wait(10), "the call waited for a frozen database"
        assert result[0].dialed  # the regular hours: open on a Wednesday morning
    finally:
        gate.set()
        services(app).close()
