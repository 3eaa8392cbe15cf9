"""Which file plays for a prompt, asked for every prompt of every call: cheap and outage-proof.

The manifest (prompt, language -> file hash) is read from the database at most once every
REFRESH_SECONDS per process and kept in memory; each successful read is also saved as
`manifest.json` in the store. When the database fails, the last good manifest stays in use
(from memory, or from the file after a restart): a database outage never silences a recording.
"""

from __future__ import annotations

import logging
import threading
import time

from ..catalog import Prompt
from .library import Recordings

log = logging.getLogger("ivr.audio")
REFRESH_SECONDS = 5.0


class ManifestLookup:
    """The `AudioLookup` of the caller's line: a URL for the prompt's file, or None (<Say>)."""

    def __init__(self, recordings: Recordings, base_url: str = "",
                 refresh_seconds: float = REFRESH_SECONDS, public_base_url: str = ""):
        self.recordings = recordings
        self.base_url = (base_url or "").rstrip("/")
        # Files served by this app live under /audio of the public address (which may have a
        # path, e.g. https://host/kom), the same base the webhook URLs use.
        self.local_base = (public_base_url or "").rstrip("/") + "/audio"
        self.refresh_seconds = refresh_seconds
        self._files: dict[tuple[str, str], str] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def url_for(self, prompt: Prompt) -> str | None:
        """`/audio/<hash>.wav` (or under AUDIO_BASE_URL) when the prompt has a recording."""
        if self._loaded_at is None or time.monotonic() - self._loaded_at >= self.refresh_seconds:
            self.refresh()
        digest = self._files.get((prompt.id, prompt.lang))
        if digest is None:
            return None
        return f"{self.base_url or self.local_base}/{digest}.wav"

    def invalidate(self) -> None:
        """Read the database again at the next prompt (after an import or a restore)."""
        self._loaded_at = None

    def refresh(self) -> None:
        """Reload from the database; on failure keep the last good manifest (memory, then file)."""
        first = self._loaded_at is None
        if not self._lock.acquire(blocking=first):
            return  # another thread is reloading: the current manifest is good enough
        try:
            store = self.recordings.store
            try:
                files = self.recordings.manifest()
            except Exception as exc:  # noqa: BLE001 - any failure: keep playing what we know
                log.warning("audio manifest: database unavailable (%s); using the last good one "
                            "(a new database needs `ivr init-db`)", exc)
                if not self._files:
                    self._files = store.read_manifest()
            else:
                if not self.base_url:  # files served here must be here
                    files = {k: h for k, h in files.items() if store.has(h)}
                if files != self._files:
                    self._files = files
                    try:
                        store.write_manifest(files)
                    except OSError as exc:
                        log.warning("audio manifest: cannot save %s (%s)", store.root, exc)
            self._loaded_at = time.monotonic()
        finally:
            self._lock.release()
