"""Which file plays for a prompt, asked for every prompt of every call: in memory, outage-proof.

The manifest (prompt, language -> file hash) is a `Snapshot`: read from the database off the
call's road (by the process's refresher, or right after a change here) and kept in memory; each
good read is also saved as `manifest.json` in the store, and rewritten when that file went
missing or corrupt. When the database fails, the last good manifest stays in use (from memory,
or from the file after a restart); an empty read never replaces a good manifest (a wiped or new
database after `ivr init-db`), so a database outage never silences a recording.
"""

from __future__ import annotations

from ..catalog import Prompt
from ..snapshot import FallbackFile, Snapshot
from .library import Recordings
from .store import MANIFEST, NAME

Manifest = dict[tuple[str, str], str]


def manifest_document(entries: Manifest) -> dict:
    """The manifest as saved in `manifest.json`."""
    rows = [{"prompt": p, "lang": lang, "hash": h} for (p, lang), h in sorted(entries.items())]
    return {"version": 1, "choices": rows}


def manifest_from_document(document: dict) -> Manifest:
    """The manifest saved in `manifest.json` (KeyError/TypeError when malformed)."""
    return {
        (r["prompt"], r["lang"]): r["hash"] for r in document["choices"] if NAME.match(r["hash"])
    }


def _keeps_a_good_manifest(new: Manifest, old: Manifest) -> bool:
    """An empty manifest never replaces one that plays recordings."""
    return bool(new) or not old


class ManifestLookup:
    """The `AudioLookup` of the caller's line: a URL for the prompt's file, or None (<Say>)."""

    def __init__(self, recordings: Recordings, base_url: str = "", public_base_url: str = ""):
        self.recordings = recordings
        self.base_url = (base_url or "").rstrip("/")
        # Files served by this app live under /audio of the public address (which may have a
        # path, e.g. https://host/kom), the same base the webhook URLs use.
        self.local_base = (public_base_url or "").rstrip("/") + "/audio"
        saved = FallbackFile(
            recordings.store.root / MANIFEST, manifest_document, manifest_from_document
        )
        self.snapshot: Snapshot[Manifest] = Snapshot(
            "audio manifest", self._read, {}, saved, accept=_keeps_a_good_manifest
        )

    def _read(self) -> Manifest:
        files = self.recordings.manifest()
        if not self.base_url:  # files served here must be here
            store = self.recordings.store
            files = {k: h for k, h in files.items() if store.has(h)}
        return files

    def url_for(self, prompt: Prompt) -> str | None:
        """`/audio/<hash>.wav` (or under AUDIO_BASE_URL) when the prompt has a recording."""
        digest = self.snapshot.ensure_loaded().get((prompt.id, prompt.lang))
        if digest is None:
            return None
        return f"{self.base_url or self.local_base}/{digest}.wav"

    def refresh(self) -> None:
        """Read the database now (after an import, a build or a restore)."""
        self.snapshot.refresh()

    invalidate = refresh
