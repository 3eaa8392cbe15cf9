"""A value read from the database, held in memory for the calls and kept fresh off their road.

A `Snapshot` holds the last good value of one read (the line's settings, the published texts,
the audio manifest). Calls only ever read `.value`: one attribute, swapped by reference, never a
wait. The read itself runs in `refresh()`, called by the process's `Refresher` thread (every
second), or right after a change in the process that made it. When the read fails, the last good
value stays; until a read succeeds, the copy saved in a fallback file is used (a new process
starts from it at once); a value the `accept` rule refuses (an empty manifest after a database was
wiped) never replaces a good one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

log = logging.getLogger("ivr.snapshot")
T = TypeVar("T")
OwnerT = TypeVar("OwnerT")


def after_fork(owner: OwnerT, reset: Callable[[OwnerT], None]) -> None:
    """Call `reset(owner)` in a forked child (its threads are gone, their locks may be held),
    for as long as `owner` lives."""
    ref = weakref.ref(owner)

    def in_child() -> None:
        if (alive := ref()) is not None:
            reset(alive)

    os.register_at_fork(after_in_child=in_child)


@dataclass(frozen=True)
class FallbackFile(Generic[T]):
    """Where the last good value is saved as JSON, and how to turn it into a document and back."""

    path: Path
    to_document: Callable[[T], dict]
    from_document: Callable[[dict], T]

    def load(self) -> T | None:
        """The saved value, or None when the file is missing, unreadable or malformed."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            return self.from_document(document)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, value: T) -> None:
        """Write atomically (a temporary file renamed), readable by this user only."""
        data = json.dumps(self.to_document(value), indent=1, ensure_ascii=False).encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class Snapshot(Generic[T]):
    """The last good value of `read`; see the module docstring."""

    def __init__(
        self,
        name: str,
        read: Callable[[], T],
        default: T,
        fallback: FallbackFile[T] | None = None,
        accept: Callable[[T, T], bool] = lambda new, old: True,
    ):
        self.name, self._read, self._fallback, self._accept = name, read, fallback, accept
        self.value: T = default
        self.version = 0  # counts changes of `value`
        self.first_read = threading.Event()  # set when the first read ended, however it ended
        self.started = False  # reads were started (by the refresher or a command)
        self._known = False  # the value is a good one: read, or the saved copy
        self._saved: tuple[Any, os.stat_result] | None = None  # what the fallback file holds
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        after_fork(self, Snapshot._forked)

    def _forked(self) -> None:
        self._lock, self._changed = threading.Lock(), threading.Condition()

    def refresh(self) -> bool:
        """Read again; True when the value changed. Failures keep the last good value."""
        self.started = True
        with self._lock:
            try:
                return self._read_and_swap()
            finally:
                self.first_read.set()

    def _read_and_swap(self) -> bool:
        self.use_saved()  # the first time: what a read must not wrongly replace (`accept`)
        try:
            new = self._read()
        except Exception as exc:
            log.warning(
                "%s: database unavailable (%s); using the last good copy",
                self.name,
                str(exc).splitlines()[0] if str(exc) else repr(exc),
            )
            self.use_saved()
            return False
        if self._known and not self._accept(new, self.value):
            log.warning("%s: refused a suspicious read; keeping the last good one", self.name)
            return False
        changed = new != self.value or not self._known
        if changed:
            self._swap(new)
        self._known = True
        self._keep(new)
        return changed

    def use_saved(self) -> None:
        """Before any good value: take the copy saved in the fallback file, if there is one."""
        if self._known or self._fallback is None:
            return
        saved = self._fallback.load()
        if saved is not None:
            self._swap(saved)
            self._known = True

    def ensure_loaded(self) -> T:
        """The value, read first if nobody has started reading it yet (commands, staff pages)."""
        if not self.started:
            self.refresh()
        return self.value

    def wait_for_change(self, version: int, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) until the version is past `version`."""
        with self._changed:
            return self._changed.wait_for(lambda: self.version > version, timeout)

    def _swap(self, new: T) -> None:
        with self._changed:
            self.value = new
            self.version += 1
            self._changed.notify_all()

    def _keep(self, value: T) -> None:
        """Save a good value, also when the file went missing or corrupt (it is repaired)."""
        if self._fallback is None or self._file_holds(value):
            return
        try:
            self._fallback.save(value)
            self._saved = (value, self._fallback.path.stat())
        except OSError as exc:
            log.warning("%s: cannot save %s (%s)", self.name, self._fallback.path, exc)

    def _file_holds(self, value: T) -> bool:
        """Whether the fallback file holds `value`: unchanged since we wrote or checked it."""
        assert self._fallback is not None
        try:
            stat = self._fallback.path.stat()
        except OSError:
            return False
        if self._saved is not None and self._saved[0] == value and _same(self._saved[1], stat):
            return True
        if self._fallback.load() != value:
            return False
        self._saved = (value, stat)
        return True


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_size, b.st_mtime_ns)


class Refresher:
    """One daemon thread per process that refreshes snapshots every `interval` seconds.

    Started by the first call (`ensure_running`), so a forked worker (gunicorn) starts its own:
    threads do not survive a fork. The thread holds the refresher weakly and ends with it.
    """

    def __init__(
        self, snapshots: list[Snapshot[Any]], interval: float = 1.0, first_wait: float = 1.0
    ):
        self.snapshots, self.interval, self.first_wait = snapshots, interval, first_wait
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.stopped = False
        self._thread: threading.Thread | None = None
        self._waited: int | None = None
        after_fork(self, Refresher._forked)

    def _forked(self) -> None:
        self._lock, self._pid, self._waited = threading.Lock(), None, None

    def ensure_running(self) -> None:
        """Start the thread in this process if it is not running (cheap when it is). From then
        on only the thread reads: callers never start a read themselves."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            for snapshot in self.snapshots:
                snapshot.started = True  # from now on the thread reads, never a caller
                snapshot.use_saved()  # a new process starts from the last good copies
            self._wake = threading.Event()
            self._thread = threading.Thread(
                target=_run, args=(weakref.ref(self), self._wake), name="ivr-refresher", daemon=True
            )
            self._thread.start()
            self._pid = os.getpid()

    def wait_first_reads(self) -> None:
        """Once per process: wait (at most `first_wait` s) for the first reads of the database."""
        if self._waited == os.getpid():
            return
        deadline = time.monotonic() + self.first_wait
        for snapshot in self.snapshots:
            snapshot.first_read.wait(max(deadline - time.monotonic(), 0))
        self._waited = os.getpid()

    def refresh_all(self) -> None:
        """Refresh every snapshot once (each keeps its last good value on failure)."""
        for snapshot in self.snapshots:
            snapshot.refresh()

    def wake(self) -> None:
        """Refresh now instead of at the next tick."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread (the app is closed), waiting at most `timeout` for a read to end."""
        self.stopped = True
        self._wake.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)


def _run(ref: Callable[[], Refresher | None], wake: threading.Event) -> None:
    """The refresher's loop: refresh, then wait for the interval or a wake-up."""
    while (refresher := ref()) is not None and not refresher.stopped:
        interval = refresher.interval
        try:
            refresher.refresh_all()
        except Exception:
            log.exception("refreshing the snapshots failed")
        del refresher
        wake.wait(interval)
        wake.clear()
