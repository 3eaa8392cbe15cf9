"""A simulated call: the line at another instant, or with the drafts, for one call only.

The call simulator (staff page and `ivr call`) walks the real webhooks in this process, signed
as Twilio signs them. What it changes travels in the WSGI environ under `ENVIRON_KEY`: no HTTP
header or parameter can set such a key, so a caller (or anyone else on the internet) can never
move the line's clock or hear a draft, and real callers are untouched while a simulation runs.
Simulated calls are never recorded as call events: the statistics count real calls only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import request
from sqlalchemy import select

from .audio.library import Recordings
from .catalog import Catalog, Prompt, TextOverlay
from .db import Database
from .models import TextChoice, TextVersion

ENVIRON_KEY = "ivr.simulation"


@dataclass(frozen=True)
class Simulation:
    """What one simulated request changes: the instant the line sees, and drafts or live."""

    at: datetime | None = None  # aware; None: now
    drafts: bool = False


def current_simulation() -> Simulation | None:
    """The simulation this request belongs to, or None for a real call."""
    found = request.environ.get(ENVIRON_KEY)
    return found if isinstance(found, Simulation) else None


def draft_overlay(db: Database, published: TextOverlay) -> TextOverlay:
    """The published texts with each segment's newest unpublished version laid over them
    (a version saved after the published one), as a reviewer wants to hear before publishing."""
    with db.session() as s:
        chosen = {(c.lang, c.segment): c.chosen_at for c in s.scalars(select(TextChoice))}
        rows = s.scalars(
            select(TextVersion).where(TextVersion.published_at.is_(None)).order_by(TextVersion.id)
        ).all()
    texts = dict(published.texts)
    for version in rows:  # oldest first: the newest draft wins
        since = chosen.get((version.lang, version.segment))
        if since is None or version.created_at > since:
            texts[(version.lang, version.segment)] = (version.text, version.source_hash)
    return TextOverlay(texts=texts, reviews=published.reviews)


def draft_catalog(catalog: Catalog, db: Database) -> Catalog:
    """A catalog speaking the draft texts; the live catalog (immutable) is not touched."""
    return catalog.with_overlay(draft_overlay(db, catalog.overlay))


class DraftAudio:
    """An `AudioLookup` playing each prompt's newest draft recording, else what plays live."""

    def __init__(self, live, recordings: Recordings):
        self.live = live
        remote: str = getattr(live, "base_url", "")
        local: str = getattr(live, "local_base", "/audio")
        self.base = (remote or local).rstrip("/")
        self.files = {
            key: rows[0].hash
            for key, rows in recordings.drafts().items()
            if rows and (remote or recordings.store.has(rows[0].hash))
        }

    def url_for(self, prompt: Prompt) -> str | None:
        """The draft's file when the prompt has one, else the live lookup's answer."""
        digest = self.files.get((prompt.id, prompt.lang))
        return f"{self.base}/{digest}.wav" if digest else self.live.url_for(prompt)
