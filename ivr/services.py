"""The app's services, built once per app: one typed object and one accessor.

    from ivr.services import services
    services().db          # the database (engine, sessions, migrations)
    services().catalog     # the scripts, with the texts staff published laid over them
    services().recordings  # which recording plays, its history, imports and restores
    services().audio       # the caller's line: which file plays for a prompt (ManifestLookup)
    services().texts       # the published texts (PublishedTexts)
    services().store       # the audio files (AudioStore)
    services().line        # the line's settings and opening-hours rules (LineSource)
    services().events      # the queue of anonymous call events (CallEvents)

Building them reads no database: the first reader loads what it needs. Calls read snapshots
kept fresh by one background `Refresher` per process (every REFRESH_SECONDS, default 1 s);
a change made in this process is reread at once (`reread_after`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answers import AnswerCache
from .audio.library import Recordings
from .audio.lookup import ManifestLookup
from .audio.pronounce import load_twilio_rules
from .audio.store import AudioStore
from .call_events import CallEvents
from .catalog import Catalog, load_catalog
from .db import Database
from .hours import is_open
from .models import utcnow
from .schedule import LineSettings, LineSource
from .snapshot import Refresher
from .texts import PublishedTexts

if TYPE_CHECKING:
    from flask import Flask

KEY = "ivr"


# Which snapshot rereads what, when this process wrote to these tables.
WATCHED = {
    "setting": "line",
    "closure": "line",
    "line_switch": "line",
    "text_choice": "texts",
    "language_review": "texts",
    "audio_choice": "audio",
}
FIRST_READ_WAIT = 1.0  # a new process's first call waits at most this for the first reads


@dataclass(frozen=True)
class Services:
    """Everything the webhooks, the staff pages and the commands share within one app."""

    db: Database
    store: AudioStore
    recordings: Recordings
    audio: ManifestLookup
    texts: PublishedTexts
    line: LineSource
    events: CallEvents
    refresher: Refresher
    answers: AnswerCache

    @property
    def catalog(self) -> Catalog:
        """The scripts as callers hear them: files in prompts/ plus the published texts."""
        return self.texts.current()

    def ready_for_calls(self) -> None:
        """Before a webhook: the refresher runs in this process, and the first reads are done
        (a new process waits for them at most FIRST_READ_WAIT, then uses its fallbacks)."""
        self.refresher.ensure_running()
        self.refresher.wait_first_reads()

    def open_now(self) -> bool:
        """Whether KOM is open now, by the rules in memory (never waits for the database):
        what the routes and the quick path both ask."""
        return is_open(utcnow(), self.line.for_calls().rules)

    def content_version(self) -> tuple[int, int, int]:
        """Changes whenever what callers hear may change: settings, texts or audio."""
        return (
            self.line.snapshot.version,
            self.texts.snapshot.version,
            self.audio.snapshot.version,
        )

    def close(self) -> None:
        """Stop the background threads, write the queued events, close the connections."""
        self.refresher.stop()
        self.events.close()
        self.db.engine.dispose()

    def reread_after(self, tables: set[str]) -> None:
        """This process changed these tables: the snapshots in use reread them at once."""
        for name in sorted({WATCHED[t] for t in tables if t in WATCHED}):
            snapshot = getattr(self, name).snapshot
            if snapshot.started:
                snapshot.refresh()


def build_services(config: Mapping[str, Any]) -> Services:
    """Build the services from the app's settings (reads files, never the database)."""
    files = load_catalog(config["PROMPTS_DIR"])
    load_twilio_rules(files.root, files.languages)  # so that no webhook reads speech.toml
    db = Database(config["DATABASE_URL"])
    store = AudioStore(config["AUDIO_DIR"])
    cache = Path(config["CACHE_DIR"])
    texts = PublishedTexts(files, db, cache / "texts.json")
    recordings = Recordings(texts.current, db, store)
    audio = ManifestLookup(
        recordings, config["AUDIO_BASE_URL"], public_base_url=config["PUBLIC_BASE_URL"]
    )
    defaults = LineSettings((config["KOM_PHONE_NUMBER"],), config["DIAL_TIMEOUT"])
    line = LineSource(db, defaults, cache / "line.json")
    refresher = Refresher(
        [line.snapshot, texts.snapshot, audio.snapshot],
        interval=float(config.get("REFRESH_SECONDS", 1.0)),
        first_wait=float(config.get("FIRST_READ_SECONDS", FIRST_READ_WAIT)),
    )
    built = Services(
        db=db,
        store=store,
        recordings=recordings,
        audio=audio,
        texts=texts,
        line=line,
        events=CallEvents(db),
        refresher=refresher,
        answers=AnswerCache(),
    )
    db.on_change.append(_reread(built))
    return built


def _reread(built: Services) -> Callable[[set[str]], None]:
    """The database's change listener, holding the services weakly (no cycle to keep alive)."""
    ref = weakref.ref(built)

    def listener(tables: set[str]) -> None:
        if (alive := ref()) is not None:
            alive.reread_after(tables)

    return listener


def attach(app: Flask, built: Services) -> None:
    """Make `built` the services of `app` (what `services()` returns inside it)."""
    app.extensions[KEY] = built


def current_app_object() -> Flask:
    """The real app behind Flask's `current_app` proxy: for objects that outlive the request."""
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined]


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the current app inside a request or command."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions[KEY]
