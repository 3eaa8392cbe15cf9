"""The same line on PostgreSQL (for more than one machine): migrations, hours, events, audio.

Runs when TEST_POSTGRES_URL points at a server whose user may create databases
(`scripts/start-test-postgres.sh` starts one; `.ci/run` does). CI sets REQUIRE_POSTGRES=1, so
there a missing server fails instead of skipping.
"""

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime

import pytest
import time_machine
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from ivr import create_app
from ivr.db import MIGRATIONS, DatabaseUnavailable
from ivr.hours import OSLO
from ivr.models import CallEvent, Closure
from ivr.schedule import set_switch
from ivr.services import services

from .conftest import Call
from .test_faults import the_same_work_waits
from .test_recorded_only_language import tone_wav

SERVER = os.environ.get("TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER and os.environ.get("REQUIRE_POSTGRES") != "1",
    reason="TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh starts a server)",
)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    assert SERVER, "REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set"
    name = f"ivr_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_app(app_settings, pg_url):
    app = create_app({**app_settings, "DATABASE_URL": pg_url})
    services(app).db.upgrade()
    yield app
    services(app).close()


def test_migrations_go_up_down_and_up_again(pg_url, app_settings):
    app = create_app({**app_settings, "DATABASE_URL": pg_url})
    db = services(app).db
    db.upgrade()
    with db.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    db.upgrade()
    with db.session() as s:
        assert s.scalars(select(CallEvent)).all() == []
    db.engine.dispose()


def test_a_call_on_postgres_obeys_closures_and_the_switch(pg_app):
    db = services(pg_app).db
    with db.session() as s:
        s.add(
            Closure(
                starts_at=datetime(2026, 12, 2, 12, 0, tzinfo=OSLO),
                ends_at=datetime(2026, 12, 2, 16, 0, tzinfo=OSLO),
                reason="staff day",
            )
        )
    catalog = services(pg_app).catalog

    def press_0_at(*moment) -> Call:
        with time_machine.travel(datetime(*moment, tzinfo=OSLO), tick=False):
            return Call(pg_app.test_client(), catalog).start().press("1").press("0")

    assert press_0_at(2026, 12, 2, 10, 0).dialed
    assert not press_0_at(2026, 12, 2, 13, 0).dialed
    set_switch(db, False, "drill", by="test")
    assert not press_0_at(2026, 12, 2, 10, 0).dialed
    assert services(pg_app).events.flush()
    with db.session() as s:
        events = s.scalars(select(CallEvent)).all()
    assert {e.event for e in events} >= {"menu", "transfer", "closed"}
    assert all(e.at.tzinfo is not None for e in events)


def test_recordings_on_postgres_play_in_calls(pg_app):
    recordings = services(pg_app).recordings
    recording = recordings.import_recording("greeting", "en", tone_wav(), by="test")
    services(pg_app).audio.invalidate()
    call = Call(pg_app.test_client(), services(pg_app).catalog).start()
    assert call.heard[0].verb == "Play" and recording.hash in call.heard[0].text


def test_locked_tables_on_postgres_do_not_hold_a_call(pg_app, pg_url):
    db = services(pg_app).db
    set_switch(db, True, "weekend shift", by="test")  # stored: open on Saturday
    blocker = create_engine(pg_url).connect()
    transaction = blocker.begin()
    blocker.execute(
        text(
            "LOCK TABLE call_event, setting, closure, line_switch, text_choice, "
            "audio_choice IN ACCESS EXCLUSIVE MODE"
        )
    )
    try:
        with time_machine.travel(datetime(2026, 12, 5, 11, 0, tzinfo=OSLO), tick=False):
            call = Call(pg_app.test_client(), services(pg_app).catalog).start()
            call.press("1").press("0")
        assert not call.dialed, "the switch cannot be read: regular hours apply"
        assert call.heard_prompt("callback") and call.pending
    finally:
        transaction.rollback()
        blocker.close()


def test_the_same_work_waits_for_the_other_process_on_postgres(pg_app):
    the_same_work_waits(services(pg_app).db)


def server_processes(url: str) -> list[int]:
    """The PostgreSQL server's processes: the postmaster (from postmaster.pid) and its children."""
    engine = create_engine(url)
    with engine.connect() as c:
        folder = c.execute(text("SHOW data_directory")).scalar()
    engine.dispose()
    with open(os.path.join(folder, "postmaster.pid")) as file:
        postmaster = int(file.readline())
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        children.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return [postmaster, *children]


@contextmanager
def frozen_server(url: str) -> Iterator[None]:
    """Every process of the server stopped (SIGSTOP) inside the block, as a hung VM or network
    does, and continued after it, whatever happened inside.

    A process that ended meanwhile needs no signal: e.g. the backend of the connection that
    asked for the data directory exits while it is listed, and the postmaster reaps it once
    continued, before its own turn comes."""
    processes = server_processes(url)

    def signal_all(number: int) -> None:
        for pid in processes:
            with suppress(ProcessLookupError):
                os.kill(pid, number)

    try:
        signal_all(signal.SIGSTOP)
    except PermissionError:
        pytest.skip("this user may not stop the PostgreSQL server's processes")
    try:
        yield
    finally:
        signal_all(signal.SIGCONT)


def in_thread(work) -> tuple[threading.Event, list]:
    """Run `work` in a thread: an event set when it ended, and its result (or exception)."""
    done, result = threading.Event(), []

    def run():
        try:
            result.append(work())
        except Exception as exc:
            result.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, result


def test_a_frozen_postgres_server_never_holds_a_call(pg_app):
    """As a hung VM or network does: every server process stopped (SIGSTOP)."""
    db = services(pg_app).db
    set_switch(db, False, "staff meeting", by="test")
    open_day = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)

    def press_0():
        with time_machine.travel(open_day, tick=False):
            return (
                Call(pg_app.test_client(), services(pg_app).catalog).start().press("1").press("0")
            )

    assert not press_0().dialed  # the process has read the switch
    with frozen_server(SERVER):
        calls, answered = in_thread(lambda: [press_0() for _ in range(5)])
        assert calls.wait(20), "calls waited for a frozen database"
        assert all(not call.dialed and call.heard_prompt("callback") for call in answered[0])
        staff, failure = in_thread(lambda: set_switch(db, None))
        assert staff.wait(20), "a staff change waited for ever"
        assert isinstance(failure[0], DatabaseUnavailable)
    set_switch(db, None)  # the server is back: the cut connections were replaced
    assert press_0().dialed
    assert services(pg_app).events.flush()


def test_statistics_and_prune_on_postgres(pg_app):
    from datetime import timedelta

    from ivr import stats

    db, catalog = services(pg_app).db, services(pg_app).catalog
    wednesday = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)
    with time_machine.travel(wednesday, tick=False):
        Call(pg_app.test_client(), catalog, dial_status="busy").start().press("1").press("0")
        Call(pg_app.test_client(), catalog).start().silence()
    assert services(pg_app).events.flush()  # queued by the calls, written off their road
    result = stats.report(db, wednesday.date(), wednesday.date())
    assert result.value("calls_total", "calls") == 2
    assert result.value("transfers", "busy") == 1
    assert result.value("language_menu", "ended") == 1
    deleted, calls = stats.prune(db, wednesday + timedelta(hours=5), 13)
    assert (deleted, calls) == (0, 2)
    assert stats.report(db, wednesday.date(), wednesday.date()).value("language_menu", "ended") == 1
    assert stats.prune(db, wednesday + timedelta(days=800), 13)[0] > 0
    with db.session() as s:
        assert s.scalars(select(CallEvent)).all() == []


WATCHDOG_LIMIT = 0.5  # seconds: the watchdog's limit in the lock tests (5 s in service)


@pytest.fixture
def quick_watchdog_app(app_settings, pg_url, monkeypatch):
    """A line on PostgreSQL whose watchdog cuts a connection held longer than half a second."""
    monkeypatch.setattr("ivr.db.SESSION_SECONDS", WATCHDOG_LIMIT)
    app = create_app({**app_settings, "DATABASE_URL": pg_url})
    services(app).db.upgrade()
    yield app
    services(app).close()


def test_a_publication_outlasting_the_watchdog_keeps_its_lock(quick_watchdog_app):
    """The watchdog cuts connections held too long (a frozen server). The advisory lock's
    connection is held for the whole publication, and the second editor's for the whole wait:
    neither may be cut, or the server drops the lock and both publish at once."""
    db = services(quick_watchdog_app).db
    timeline: list[str] = []
    first_inside = threading.Event()

    def first() -> None:
        with db.serialised("publish greeting en"):
            timeline.append("first in")
            first_inside.set()
            # The duration under test (not a synchronisation): a publication that renders
            # audio holds its lock this long, three times the watchdog's limit.
            time.sleep(3 * WATCHDOG_LIMIT)
            with db.session() as s:  # the work inside still reaches the database
                s.execute(text("SELECT 1"))
            timeline.append("first out")

    def second() -> None:
        assert first_inside.wait(10)
        with db.serialised("publish greeting en", wait=10):
            timeline.append("second in")

    (first_done, first_result), (second_done, second_result) = in_thread(first), in_thread(second)
    assert first_done.wait(20) and second_done.wait(20)
    assert first_result == [None] and second_result == [None], (first_result, second_result)
    assert timeline == ["first in", "first out", "second in"]


def test_a_frozen_server_still_cuts_a_wait_for_a_lock(quick_watchdog_app):
    """Each statement on a lock's connection keeps the watchdog's limit: waiting for a lock on
    a frozen server ends with DatabaseUnavailable, not never."""
    db = services(quick_watchdog_app).db
    release, first_inside = threading.Event(), threading.Event()

    def first() -> None:
        with db.serialised("audio build"):
            first_inside.set()
            release.wait(20)

    first_done, first_result = in_thread(first)
    assert first_inside.wait(10)
    try:
        with frozen_server(SERVER):
            waiting, failure = in_thread(lambda: db.serialised("audio build", wait=60).__enter__())
            assert waiting.wait(15), "a wait for a lock on a frozen server never ended"
            assert isinstance(failure[0], DatabaseUnavailable)
    finally:
        release.set()
    assert first_done.wait(20) and first_result == [None]
    with db.serialised("audio build", wait=5):  # the lock was given back
        pass


def test_set_password_links_and_audit_facts_on_postgres(pg_app):
    from ivr import audit
    from ivr.admin import account_changes
    from ivr.admin.accounts import AccountError, SignIn, add_account, sign_in
    from ivr.admin.password_links import use_link
    from ivr.models import AuditEntry

    db = services(pg_app).db
    admin = add_account(db, "admin@kom.test", "admin", "correct horse battery")
    user, first = account_changes.add_with_link(db, admin, "new@kom.test", "Nora", "editor")
    _, second = account_changes.reset(db, admin, user.id)
    with pytest.raises(AccountError) as replaced:
        use_link(db, first.token, "a long new passphrase")
    assert replaced.value.key == "err.link_replaced"
    results: list[str] = []

    def use() -> None:
        try:
            use_link(db, second.token, "a long new passphrase")
            results.append("ok")
        except AccountError as exc:
            results.append(exc.key)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["err.link_used", "ok"]  # two at once: one wins
    limits = (15, 5, 20)
    assert sign_in(db, "new@kom.test", "a long new passphrase", "10.0.0.1", limits)[0] is SignIn.OK
    with db.session() as s:
        facts = [audit.facts_of(r) for r in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert {"email": "new@kom.test", "role": "editor"} in facts
