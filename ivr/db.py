"""The database: one engine per app, short sessions, Alembic migrations.

The caller's line must work with the database gone: every read on a call's path goes through
code that catches `DatabaseUnavailable` and falls back to the regular rules.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or used; callers fall back to safe defaults."""


class Busy(DatabaseUnavailable):
    """Another process holds the lock for this work (see `Database.serialised`)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; one fsync per checkpoint
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# After the database failed to answer, calls do not wait for it again for this long: each
# webhook would otherwise pay every timeout anew, and Twilio gives up after 15 seconds.
PAUSE_AFTER_FAILURE = 10.0
UNREACHABLE = (OperationalError, InterfaceError, PoolTimeout)


def _engine(url: str, for_calls: bool) -> Engine:
    """An engine; for calls, one that gives up quickly on a locked or unresponsive database."""
    kwargs: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        # A locked SQLite file must not hold a call: give up after half a second.
        kwargs["connect_args"] = {"timeout": 0.5 if for_calls else 30}
    elif url.startswith("postgresql") and for_calls:
        kwargs["connect_args"] = {
            "connect_timeout": 2,
            "options": "-c statement_timeout=2000 -c lock_timeout=1000",
        }
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
        # Created private at the first connection (never at start: the app starts without it).
        event.listen(engine, "do_connect", lambda *_args: private_sqlite_file(url))
    return engine


def private_sqlite_file(url: str) -> None:
    """Create a SQLite file that does not exist yet readable by this user only (0600, in a
    0700 folder when the folder is new): it holds staff password hashes. SQLite gives its
    -wal and -shm files the same permissions."""
    if not url.startswith("sqlite:///") or url.removeprefix("sqlite:///") in ("", ":memory:"):
        return
    path = Path(url.removeprefix("sqlite:///").split("?")[0])
    if path.exists():
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass  # another process made it first, the same way
    except OSError as exc:
        log.error("could not create the database file %s: %s", path, exc)


LOCK_WAIT = 10.0  # seconds to wait for another process's publishing to finish
LOCK_POLL = 0.05
_process_lock = threading.Lock()  # for a database without a file (SQLite in memory)


def _waited(try_once, wait: float) -> bool:
    """Call `try_once` until it returns True or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    while not try_once():
        if time.monotonic() >= deadline:
            return False
        time.sleep(LOCK_POLL)  # the lock's holder gives no signal across processes: poll
    return True


@contextmanager
def _advisory_lock(engine: Engine, name: str, wait: float) -> Iterator[None]:
    """A PostgreSQL session-level advisory lock on its own connection."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
    try:
        took = _waited(lambda: connection.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar(), wait)
        connection.commit()
        if not took:
            raise Busy(f"{name}: busy in another process")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
    finally:
        connection.close()


@contextmanager
def _file_lock(url: str, name: str, wait: float) -> Iterator[None]:
    """An exclusive flock on `<database file>.locks/<name's hash>` (each open file conflicts
    with the others, in this process's threads too)."""
    path = url.removeprefix("sqlite:///").split("?")[0] if url.startswith("sqlite:///") else ""
    if path in ("", ":memory:"):
        if not _process_lock.acquire(timeout=wait):
            raise Busy(f"{name}: busy in another thread")
        try:
            yield
        finally:
            _process_lock.release()
        return
    folder = Path(f"{path}.locks")
    folder.mkdir(mode=0o700, exist_ok=True)
    lock_file = folder / hashlib.sha256(name.encode()).hexdigest()[:16]
    descriptor = os.open(lock_file, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        def take() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        if not _waited(take, wait):
            raise Busy(f"{name}: busy in another process")
        yield
    finally:
        os.close(descriptor)  # releases the lock


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = _engine(url, for_calls=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._paused_until = 0.0

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success; database errors become `DatabaseUnavailable`.

        When the database could not be reached or was locked, it is not asked again for
        PAUSE_AFTER_FAILURE seconds: until then every session fails at once.
        """
        if time.monotonic() < self._paused_until:
            raise DatabaseUnavailable("the database failed a moment ago; not asked again yet")
        session = self.sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            if isinstance(exc, UNREACHABLE):
                self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
            raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
        finally:
            session.close()

    @contextmanager
    def serialised(self, name: str, wait: float = LOCK_WAIT) -> Iterator[None]:
        """Run the block for `name` (e.g. publishing one prompt) in one thread of one process
        at a time, across every process and machine sharing this database: a PostgreSQL
        advisory lock, or for SQLite an exclusive lock on a file beside the database. `Busy`
        if the lock is not had within `wait` seconds (0: try once)."""
        if self.engine.dialect.name == "postgresql":
            lock = _advisory_lock(self.engine, name, wait)
        else:
            lock = _file_lock(self.url, name, wait)
        with lock:
            yield

    def upgrade(self) -> None:
        """Create or migrate every table to the newest version."""
        private_sqlite_file(self.url)
        engine = _engine(self.url, for_calls=False)  # migrations may wait for locks
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        engine.dispose()
        self._paused_until = 0.0  # a database without tables failed before: it works now
