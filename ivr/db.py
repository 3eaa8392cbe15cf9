"""The database: one engine per app, short sessions, Alembic migrations.

The caller's line must work with the database gone: calls never touch it (they read the
snapshots in memory and queue their events, see `snapshot.py` and `call_events.py`), and
everything else gives up after a client-side time limit with `DatabaseUnavailable`.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from .snapshot import after_fork

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


# Client-side limits: nothing here waits for the database longer than these, whatever the
# database does (locked, frozen, gone). Calls never wait at all (they read memory); these bound
# the background refresh, the event writer, the staff pages and the commands.
SQLITE_BUSY_SECONDS = 1.0  # a locked SQLite file: give up after this (migrations wait longer)
CONNECT_SECONDS = 2  # PostgreSQL: a connection attempt
STATEMENT_MS = 2000  # PostgreSQL: one statement (server-side)
POOL_SECONDS = 2.0  # waiting for a free pooled connection
SESSION_SECONDS = 5.0  # PostgreSQL: a connection held longer is cut (a frozen server)
# SQLite errors after which the pooled connection is useless (a file made read-only and back,
# a failing disk, a file deleted or replaced): drop it, the next session opens the file anew.
STALE_CONNECTION = (
    "readonly database",
    "read-only",
    "disk i/o error",
    "no such table",
    "unable to open database",
    "database disk image is malformed",
)


def _postgres_arguments() -> dict[str, Any]:
    """libpq settings: give up on connecting, on a statement, on a silent peer."""
    return {
        "connect_timeout": CONNECT_SECONDS,
        "options": f"-c statement_timeout={STATEMENT_MS} -c lock_timeout=1000 "
        f"-c idle_in_transaction_session_timeout=10000",
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
        "tcp_user_timeout": 5000,
    }


def _engine(url: str, for_app: bool) -> Engine:
    """An engine with client-side time limits; migrations (`for_app` False) may wait longer."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={
                "timeout": SQLITE_BUSY_SECONDS if for_app else 30,
                "check_same_thread": False,
            },
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Created private at the first connection (never at start: the app starts without it).
        event.listen(engine, "do_connect", lambda *_args: private_sqlite_file(url))
        if for_app:
            _notice_replaced_files(engine, url)
    elif url.startswith("postgresql") and for_app:
        engine = create_engine(
            url,
            connect_args=_postgres_arguments(),
            pool_timeout=POOL_SECONDS,
            pool_recycle=300,
            pool_pre_ping=False,
        )
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if for_app:
        event.listen(engine, "handle_error", _drop_stale_connections)
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
def _advisory_lock(engine: Engine, watchdog: Watchdog, name: str, wait: float) -> Iterator[None]:
    """A PostgreSQL session-level advisory lock, on a connection of its own.

    The connection is held for as long as the work inside takes (a publication, an audio
    build), so it comes from `engine` (no pool: lock waiters never take the connections the
    snapshots, the event writer and the staff pages need) and the watchdog times each of its
    statements, not the whole hold: a long publication is not a frozen server, and a frozen
    server still cuts a waiting statement.
    """
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc

    def run(statement: str) -> Any:
        with watchdog.watching(connection.connection.dbapi_connection):
            value = connection.execute(text(statement), {"k": key}).scalar()
            connection.commit()  # never idle in a transaction while the work runs
        return value

    try:
        if not _waited(lambda: bool(run("SELECT pg_try_advisory_lock(:k)")), wait):
            raise Busy(f"{name}: busy in another process")
        try:
            yield
        finally:
            run("SELECT pg_advisory_unlock(:k)")
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


def _drop_stale_connections(context) -> None:
    """Read-only, I/O and vanished-file errors invalidate the connection (and the pool's),
    so a transient fault does not stick until the process restarts."""
    message = str(context.original_exception).lower()
    if any(sign in message for sign in STALE_CONNECTION):
        context.is_disconnect = True


def _notice_replaced_files(engine: Engine, url: str) -> None:
    """A pooled SQLite connection to a file that was deleted or replaced is thrown away at
    checkout (it would write to the deleted file), and a fresh one opens the path again."""
    path = Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite:///:memory:") or not url.startswith("sqlite:///"):
        return

    def identity() -> tuple[int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def opened(_dbapi_connection, record) -> None:
        record.info["file"] = identity()

    def checkout(_dbapi_connection, record, _proxy) -> None:
        if record.info.get("file") != identity():
            log.warning("the database file %s was deleted or replaced; reopening it", path)
            raise DisconnectionError("database file replaced")

    event.listen(engine, "connect", opened)
    event.listen(engine, "checkout", checkout)


class Watchdog:
    """Cuts a PostgreSQL connection checked out longer than `limit` seconds.

    libpq has no client-side limit on a statement: against a frozen server (a hung VM, a
    stopped process) a query waits forever, whatever the server-side statement_timeout. The
    watchdog shuts the connection's socket down, so the waiting query fails at once
    (DatabaseUnavailable) and the connection is discarded.
    """

    def __init__(self, limit: float):
        self.limit = limit
        self._held: dict[int, tuple[float, Any]] = {}
        self._cond = threading.Condition()
        self._pid: int | None = None
        after_fork(self, Watchdog._forked)

    def _forked(self) -> None:
        self._cond, self._pid, self._held = threading.Condition(), None, {}

    def attach(self, engine: Engine) -> None:
        """Watch every connection of `engine` from checkout to checkin."""
        event.listen(engine, "checkout", lambda conn, _record, _proxy: self.watch(conn))
        event.listen(engine, "checkin", lambda conn, _record: self.release(conn))

    def watch(self, connection: Any) -> None:
        """Start the clock for a connection that was just checked out."""
        self._ensure_thread()
        with self._cond:
            self._held[id(connection)] = (time.monotonic() + self.limit, connection)
            self._cond.notify()

    def release(self, connection: Any) -> None:
        """The connection went back to the pool in time."""
        with self._cond:
            self._held.pop(id(connection), None)

    @contextmanager
    def watching(self, connection: Any) -> Iterator[None]:
        """Time one statement on a connection held outside the pool (`_advisory_lock`)."""
        self.watch(connection)
        try:
            yield
        finally:
            self.release(connection)

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._cond:
            if self._pid != os.getpid():  # threads do not survive a fork (gunicorn workers)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="ivr-db-watchdog", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                late = [c for deadline, c in self._held.values() if deadline <= now]
                for connection in late:
                    self._held.pop(id(connection), None)
                nearest = min((d for d, _ in self._held.values()), default=now + self.limit)
                if not late:
                    self._cond.wait(max(nearest - now, 0.05))
            for connection in late:
                _cut(connection)


def _cut(connection: Any) -> None:
    """Shut a database connection's socket down: whatever waits on it fails at once."""
    try:
        duplicate = socket.socket(fileno=os.dup(connection.fileno()))
    except Exception:
        return
    log.error("the database did not answer within %.0f s: connection cut", SESSION_SECONDS)
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine = _engine(url, for_app=True)
        self._locks: tuple[Engine, Watchdog] | None = None
        if self.engine.dialect.name == "postgresql":
            watchdog = Watchdog(SESSION_SECONDS)
            watchdog.attach(self.engine)
            # Advisory locks: one connection each, outside the pool (see `_advisory_lock`).
            locks = create_engine(url, connect_args=_postgres_arguments(), poolclass=NullPool)
            self._locks = (locks, watchdog)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.on_change: list[Callable[[set[str]], None]] = []
        event.listen(self.sessions, "after_flush", _note_changed_tables)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success; database errors become `DatabaseUnavailable`.

        After a commit that changed rows, `on_change` listeners get the changed tables' names
        (the snapshots of this process reread what staff just changed).
        """
        session = self.sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
        finally:
            changed = session.info.pop("changed", set())
            session.close()
        if changed:
            for listener in self.on_change:
                listener(changed)

    @contextmanager
    def serialised(self, name: str, wait: float = LOCK_WAIT) -> Iterator[None]:
        """Run the block for `name` (e.g. publishing one prompt) in one thread of one process
        at a time, across every process and machine sharing this database: a PostgreSQL
        advisory lock, or for SQLite an exclusive lock on a file beside the database. `Busy`
        if the lock is not had within `wait` seconds (0: try once)."""
        if self._locks is not None:
            lock = _advisory_lock(*self._locks, name, wait)
        else:
            lock = _file_lock(self.url, name, wait)
        with lock:
            yield

    def upgrade(self) -> None:
        """Create or migrate every table to the newest version."""
        private_sqlite_file(self.url)
        engine = _engine(self.url, for_app=False)  # migrations may wait for locks
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        engine.dispose()
        self.engine.dispose()  # connections opened before (to a missing file) start afresh


def _note_changed_tables(session: Session, _flush_context) -> None:
    """Remember which tables a flush wrote to (read by `Database.session` after the commit)."""
    changed = session.info.setdefault("changed", set())
    for row in (*session.new, *session.dirty, *session.deleted):
        changed.add(row.__tablename__)
