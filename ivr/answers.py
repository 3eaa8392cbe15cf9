"""The TwiML of a position is the same for every caller: computed once, kept (bounded).

The key is everything the answer depends on: the request (position, key pressed, the line's
number), whether KOM is open, and the content version (settings, texts, audio). When the
version changes the whole cache is dropped, so staff changes are heard at once.

Flask's routes fill the cache (`get`); the quick path in front of Flask (ivr/voice/quick.py)
only reads it (`peek`) and sends the answer's prebuilt bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

MAX_ANSWERS = 4096


@dataclass(frozen=True)
class Answer:
    """A rendered answer and what it records for statistics."""

    twiml: str
    lang: str | None
    event: str
    node: str
    key: str | None
    counted: bool = True  # a step of a call for statistics (the staff's whisper is not)
    body: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", self.twiml.encode())  # encoded once, sent many times


class AnswerCache:
    """A least-recently-used map from a request's key to its `Answer`, for one content version."""

    def __init__(self, size: int = MAX_ANSWERS):
        self.size = size
        self.hits = self.misses = 0
        self._version: Hashable = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, version: Hashable, key: Hashable) -> Answer | None:
        """The answer kept for `key` under `version`, or None (never computes anything)."""
        with self._lock:
            return self._kept(key) if version == self._version else None

    def get(self, version: Hashable, key: Hashable, compute: Callable[[], Answer]) -> Answer:
        """The answer for `key` under `version`: cached, or computed and kept."""
        with self._lock:
            if version != self._version:
                self._answers.clear()
                self._version = version
            found = self._kept(key)
            if found is not None:
                return found
        answer = compute()
        with self._lock:
            self.misses += 1
            if version == self._version:
                self._answers[key] = answer
                if len(self._answers) > self.size:
                    self._answers.popitem(last=False)
        return answer

    def _kept(self, key: Hashable) -> Answer | None:
        """The answer kept for `key` (a hit: it becomes the most recently used), or None. Call
        with the lock held."""
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
            self.hits += 1
        return found
