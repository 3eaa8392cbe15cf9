"""Texts staff write on the prompt pages: versions in the database, published over prompts/.

Every save is a new `TextVersion` (never changed or deleted); publishing one makes it the
`TextChoice` of its segment and language. The published texts and the staff's language reviews
form the catalog's overlay (`Catalog.with_overlay`): `Catalog.text`, the audio build, `ivr audio
check` and the translation states all read the overlaid languages, so a published text wins over the
file everywhere. Each process keeps the overlay in memory, refreshed in the background like the
audio manifest (see `snapshot.py`), and keeps the last good one (in memory and in `texts.json`
in CACHE_DIR) when the database is away.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from .catalog import SOURCE_LANGUAGE, Catalog, Review, TextOverlay, script_fingerprint
from .db import Database
from .models import LanguageReview, TextChoice, TextVersion, utcnow
from .snapshot import FallbackFile, Snapshot
from .spelled_numbers import hidden_digits

log = logging.getLogger("ivr.texts")
FALLBACK = "texts.json"
# Twilio's <Say> takes up to 3000 characters, and a prompt must stay well under 90 seconds.
MAX_TEXT = 1000
NUMBERS = re.compile(r"\d+")
KEY = "{key}"


class TextRefused(ValueError):
    """A text staff may not save: `reason` is empty | too_long | key | digits | numbers |
    unknown."""

    def __init__(self, reason: str, expected: tuple[str, ...] = ()):
        super().__init__(reason)
        self.reason, self.expected = reason, expected


def numbers_in(text: str) -> tuple[str, ...]:
    """The digit sequences of a text as a sorted multiset, any script's digits written 0-9
    (so 112 in Arabic-Indic digits is still 112, and 00 stays 00)."""
    return tuple(
        sorted(
            "".join(str(unicodedata.digit(ch)) for ch in found) for found in NUMBERS.findall(text)
        )
    )


def check_text(catalog: Catalog, segment: str, lang: str, text: str) -> None:
    """Refuse (TextRefused) a text that is empty or too long, drops {key} where the English
    file text has it, or whose numbers differ from the English file text's (prompts/en): phone
    numbers, 112 and opening hours cannot be changed from the web, in any language. Digits
    other than 0-9 (¹¹³, ①, ٣) are refused: the check could not compare them."""
    if not text:
        raise TextRefused("empty")
    if len(text) > MAX_TEXT:
        raise TextRefused("too_long")
    english = catalog.file_text(SOURCE_LANGUAGE, segment)
    if english is None or lang not in catalog.languages:
        raise TextRefused("unknown")
    if KEY in english and KEY not in text:
        raise TextRefused("key")
    if hidden := hidden_digits(text):
        raise TextRefused("digits", tuple(dict.fromkeys(hidden)))
    if numbers_in(text) != numbers_in(english):
        raise TextRefused("numbers", numbers_in(english))


def read_overlay(db: Database) -> TextOverlay:
    """The published texts and the latest review of each language, from the database."""
    with db.session() as s:
        rows = s.execute(
            select(
                TextChoice.lang, TextChoice.segment, TextVersion.text, TextVersion.source_hash
            ).join(TextVersion, TextVersion.id == TextChoice.version_id)
        ).all()
        reviews = s.scalars(
            select(LanguageReview).order_by(LanguageReview.reviewed_at, LanguageReview.id)
        ).all()
    return TextOverlay(
        texts={(lang, seg): (text, source) for lang, seg, text, source in rows},
        reviews={
            r.lang: Review(r.reviewed_by, r.reviewed_at.date().isoformat(), r.texts_hash)
            for r in reviews
        },
    )


def _document(overlay: TextOverlay) -> dict:
    return {
        "version": 1,
        "texts": [
            {"lang": lang, "segment": seg, "text": text, "source": source}
            for (lang, seg), (text, source) in sorted(overlay.texts.items())
        ],
        "reviews": [
            {"lang": lang, "by": r.by, "on": r.on, "texts_hash": r.texts_hash}
            for lang, r in sorted(overlay.reviews.items())
        ],
    }


def _from_document(document: dict) -> TextOverlay:
    return TextOverlay(
        texts={(t["lang"], t["segment"]): (t["text"], t["source"]) for t in document["texts"]},
        reviews={r["lang"]: Review(r["by"], r["on"], r["texts_hash"]) for r in document["reviews"]},
    )


class PublishedTexts:
    """The catalog callers hear: the files in prompts/ with the published texts laid over them,
    kept in step with the database by a `Snapshot` (last good copy in `fallback`)."""

    def __init__(self, files: Catalog, db: Database, fallback: Path | None = None):
        self.files, self.db = files, db
        saved = FallbackFile(fallback, _document, _from_document) if fallback else None
        self.snapshot: Snapshot[TextOverlay] = Snapshot(
            "published texts", lambda: read_overlay(db), TextOverlay(), saved
        )
        self._current = (files.overlay, files)

    def current(self) -> Catalog:
        """The catalog with the published texts (read first when nobody has read them yet)."""
        overlay = self.snapshot.ensure_loaded()
        built_for, catalog = self._current
        if overlay is not built_for:
            catalog = self.files.with_overlay(overlay)
            self._current = (overlay, catalog)  # one assignment: readers see old or new
        return catalog

    def refresh(self) -> None:
        """Read the database now (after staff published something, or for a command)."""
        self.snapshot.refresh()

    invalidate = refresh


# Versions -------------------------------------------------------------------------------------


def save_version(
    db: Database, catalog: Catalog, segment: str, lang: str, text: str, by: str
) -> TextVersion:
    """A new (unpublished) version of a segment's text; TextRefused (see check_text) when it
    may not be saved."""
    text = text.replace("\r\n", "\n").strip()
    if segment not in catalog.segments or lang not in catalog.languages:
        raise TextRefused("unknown")
    check_text(catalog, segment, lang, text)
    source = ""
    if lang != SOURCE_LANGUAGE:
        source = script_fingerprint(catalog.languages[SOURCE_LANGUAGE].texts[segment])
    with db.session() as s:
        version = TextVersion(
            segment=segment,
            lang=lang,
            text=text,
            source_hash=source,
            created_at=utcnow(),
            created_by=by,
        )
        s.add(version)
    return version


def versions(db: Database, segment: str, lang: str) -> list[TextVersion]:
    """Every version of a segment's text in a language, newest first."""
    with db.session() as s:
        return list(
            s.scalars(
                select(TextVersion)
                .where(TextVersion.segment == segment, TextVersion.lang == lang)
                .order_by(TextVersion.id.desc())
            )
        )


def choice(db: Database, segment: str, lang: str) -> TextChoice | None:
    """The published staff text of a segment (None: the file in prompts/ is used)."""
    with db.session() as s:
        return s.get(TextChoice, (segment, lang))


def get_version(db: Database, version_id: int) -> TextVersion | None:
    """A text version by id, or None if there is no such version."""
    with db.session() as s:
        return s.get(TextVersion, version_id)


def was_published(db: Database, version_id: int) -> bool:
    """Whether this (existing) version has ever been the published text."""
    with db.session() as s:
        return s.get_one(TextVersion, version_id).published_at is not None


def publish_version(db: Database, version: TextVersion, by: str) -> None:
    """Make a version the text callers hear (and <Say> speaks) for its segment and language."""
    with db.session() as s:
        row = s.get(TextChoice, (version.segment, version.lang))
        if row is None:
            row = TextChoice(segment=version.segment, lang=version.lang)
            s.add(row)
        row.version_id, row.chosen_at, row.chosen_by = version.id, utcnow(), by
        stored = s.get_one(TextVersion, version.id)
        if stored.published_at is None:
            stored.published_at = row.chosen_at


def publishing(db: Database, segment: str, lang: str):
    """Hold this while changing which text and audio of a segment are live: one editor at a
    time per segment and language, across processes (`Database.serialised`)."""
    return db.serialised(f"publish {segment} {lang}")


def use_file_text(db: Database, segment: str, lang: str) -> bool:
    """Back to the text in prompts/ (the versions stay); True when a staff text was published."""
    with db.session() as s:
        row = s.get(TextChoice, (segment, lang))
        if row is None:
            return False
        s.delete(row)
    return True


def is_draft(version: TextVersion, published: TextChoice | None) -> bool:
    """Never published, and saved after the current text was published: waiting."""
    since: datetime | None = published.chosen_at if published else None
    return version.published_at is None and (since is None or version.created_at > since)


def drafts(db: Database) -> set[tuple[str, str]]:
    """(segment, lang) of every text with a version saved after its published one."""
    with db.session() as s:
        chosen = {(c.segment, c.lang): c for c in s.scalars(select(TextChoice))}
        rows = s.execute(
            select(TextVersion.segment, TextVersion.lang, TextVersion.created_at).where(
                TextVersion.published_at.is_(None)
            )
        ).all()
    return {
        (seg, lang)
        for seg, lang, at in rows
        if (chosen.get((seg, lang)) is None or at > chosen[(seg, lang)].chosen_at)
    }


def english_versions(db: Database) -> list[str]:
    """Every English text staff ever saved: what an outdated translation may translate."""
    with db.session() as s:
        return list(
            s.scalars(
                select(TextVersion.text)
                .where(TextVersion.lang == SOURCE_LANGUAGE)
                .order_by(TextVersion.id)
            )
        )


def newest_drafts(db: Database, lang: str) -> dict[str, TextVersion]:
    """Per segment of a language, the newest version saved after its published one (a draft
    waiting to be published)."""
    with db.session() as s:
        chosen = {
            c.segment: c for c in s.scalars(select(TextChoice).where(TextChoice.lang == lang))
        }
        rows = s.scalars(
            select(TextVersion).where(TextVersion.lang == lang).order_by(TextVersion.id.desc())
        ).all()
    found: dict[str, TextVersion] = {}
    for version in rows:
        if version.segment not in found and is_draft(version, chosen.get(version.segment)):
            found[version.segment] = version
    return found
