"""Anonymous call events, queued in memory and written in batches off the call's road.

A webhook only appends to a bounded queue (no database, no wait). A writer thread per process
writes what is queued in one transaction every moment; when the database is away, events wait
in the queue, and once it is full new ones are dropped, counted and logged (never blocking a
caller). `close()` writes what is left at a graceful shutdown (atexit, gunicorn's worker exit).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert

from .db import Database, DatabaseUnavailable
from .models import CallEvent, utcnow
from .snapshot import after_fork

log = logging.getLogger("ivr.events")
MAX_QUEUED = 10_000  # about an hour of a busy line; beyond it, events are dropped and counted
BATCH = 500  # events per transaction
INTERVAL = 0.5  # seconds between writes while events keep coming
RETRY = 2.0  # seconds to wait after the database failed
# The table itself: a Core multi-row insert costs a sixth of what ORM objects do.
CALL_EVENT = cast(Table, CallEvent.__table__)


@dataclass(frozen=True)
class Event:
    """One step of one call, as statistics see it: never a number, never typed digits."""

    language: str | None
    node: str
    key: str | None
    event: str
    call_key: str | None = None  # a keyed hash of the call, erased hours after it (ivr/stats.py)
    at: datetime = field(default_factory=utcnow)


class CallEvents:
    """The bounded queue and its writer thread (started by the first event in each process)."""

    def __init__(self, db: Database, max_queued: int = MAX_QUEUED):
        self.db, self.max_queued = db, max_queued
        self.queue: deque[Event] = deque()
        self.written = self.dropped = 0
        self._lock = threading.Lock()
        self._pid: int | None = None
        self.stopped = False
        self._writer: threading.Thread | None = None
        self.stopping = threading.Event()
        after_fork(self, CallEvents._forked)

    def _forked(self) -> None:
        """In a forked child: the parent's writer thread (and any lock it held) is not here."""
        self._lock, self._pid = threading.Lock(), None

    def record(self, event: Event) -> None:
        """Queue an event; never waits. Counted as lost when the queue is full."""
        if len(self.queue) >= self.max_queued:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error(
                    "call events: the queue is full (database away?); %d lost so far", self.dropped
                )
            return
        self.queue.append(event)
        self._ensure_writer()

    def flush(self) -> bool:
        """Write everything queued now; False when the database failed (the events stay)."""
        with self._lock:
            while self.queue:
                batch = [self.queue[i] for i in range(min(BATCH, len(self.queue)))]
                try:
                    with self.db.session() as s:
                        s.execute(insert(CALL_EVENT), [_row(e) for e in batch])
                except DatabaseUnavailable as exc:
                    log.error(
                        "call events: cannot write %d queued (%s); retrying", len(self.queue), exc
                    )
                    return False
                for _ in batch:
                    self.queue.popleft()
                self.written += len(batch)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """End the writer thread, waiting at most `timeout` for a write to end."""
        self.stopped = True
        self.stopping.set()
        if self._writer is not None and self._pid == os.getpid():
            self._writer.join(timeout)

    def close(self) -> None:
        """At a graceful shutdown: write what is left, and say what could not be written."""
        self.stop()
        if self.queue and not self.flush():
            log.error("call events: %d could not be written before shutdown", len(self.queue))
        if self.dropped:
            log.error("call events: %d were lost while the database was away", self.dropped)

    def _ensure_writer(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():  # a forked worker starts its own writer
                return
            self._pid = os.getpid()
            self._writer = threading.Thread(
                target=_write_forever,
                args=(weakref.ref(self),),
                name="ivr-call-events",
                daemon=True,
            )
            self._writer.start()
            atexit.register(_close, weakref.ref(self))


def _row(event: Event) -> dict[str, object]:
    """An event as a row of call_event, for one multi-row insert (no ORM objects: a busy
    line writes thousands a minute, and each ORM object costs more than the webhook did)."""
    return {
        "at": event.at,
        "language": event.language,
        "node": event.node,
        "key": event.key,
        "event": event.event,
        "call_key": event.call_key,
    }


def _write_forever(ref: weakref.ref[CallEvents]) -> None:
    """The writer's loop: write what is queued, then wait a moment (longer after a failure)."""
    while (events := ref()) is not None and not events.stopped:
        pause = INTERVAL if events.flush() else RETRY
        stop = events.stopping
        del events
        stop.wait(pause)


def _close(ref: weakref.ref[CallEvents]) -> None:
    if (events := ref()) is not None:
        events.close()
