"""The app's services, built once per app: one typed object and one accessor.

    from ivr.services import services
    services().db          # the database (engine, sessions, migrations)
    services().catalog     # the scripts, with the texts staff published laid over them
    services().recordings  # which recording plays, its history, imports and restores
    services().audio       # the caller's line: which file plays for a prompt (ManifestLookup)
    services().texts       # the published texts (PublishedTexts)
    services().store       # the audio files (AudioStore)
    services().line        # the line's settings and opening-hours rules (LineSource)

Building them reads no database: the first reader loads what it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .audio.library import Recordings
from .audio.lookup import ManifestLookup
from .audio.store import AudioStore
from .catalog import Catalog, load_catalog
from .db import Database
from .schedule import LineSettings, LineSource
from .texts import PublishedTexts

if TYPE_CHECKING:
    from flask import Flask

KEY = "ivr"


@dataclass(frozen=True)
class Services:
    """Everything the webhooks, the staff pages and the commands share within one app."""

    db: Database
    store: AudioStore
    recordings: Recordings
    audio: ManifestLookup
    texts: PublishedTexts
    line: LineSource

    @property
    def catalog(self) -> Catalog:
        """The scripts as callers hear them: files in prompts/ plus the published texts."""
        return self.texts.current()


def build_services(config: Mapping[str, Any]) -> Services:
    """Build the services from the app's settings (reads files, never the database)."""
    catalog = load_catalog(config["PROMPTS_DIR"])
    db = Database(config["DATABASE_URL"])
    store = AudioStore(config["AUDIO_DIR"])
    recordings = Recordings(catalog, db, store)
    audio = ManifestLookup(recordings, config["AUDIO_BASE_URL"],
                           public_base_url=config["PUBLIC_BASE_URL"])
    defaults = LineSettings((config["KOM_PHONE_NUMBER"],), config["DIAL_TIMEOUT"])
    return Services(db=db, store=store, recordings=recordings, audio=audio,
                    texts=PublishedTexts(catalog, db, store), line=LineSource(db, defaults))


def attach(app: Flask, built: Services) -> None:
    """Make `built` the services of `app` (what `services()` returns inside it)."""
    app.extensions[KEY] = built


def services(app: Flask | None = None) -> Services:
    """The services of `app`, or of the current app inside a request or command."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions[KEY]
