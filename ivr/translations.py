"""Honest translations: which segments of each language are missing, draft, outdated, reviewed.

A translation records, per segment, the fingerprint of the English text it was made from
(`[translated_from]` in its language.toml). When the English changes, the fingerprint no longer
matches and that segment is outdated until a translator updates it and stamps it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .catalog import SOURCE_LANGUAGE, Catalog, Language, script_fingerprint

STATES = ("missing", "outdated", "draft", "reviewed", "source")


def segment_state(catalog: Catalog, language: Language, segment: str) -> str:
    """One of STATES for this segment in this language."""
    if language.code == SOURCE_LANGUAGE:
        return "source"
    if not language.texts.get(segment):
        return "missing"
    english = catalog.languages[SOURCE_LANGUAGE].texts[segment]
    if language.translated_from.get(segment) != script_fingerprint(english):
        return "outdated"
    return "reviewed" if language.status == "reviewed" else "draft"


@dataclass(frozen=True)
class LanguageReport:
    """How complete and how trustworthy one language's scripts are."""

    code: str
    name: str
    status: str
    reviewed_by: str
    reviewed_on: str
    counts: dict[str, int]
    outdated: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def present(self) -> int:
        return sum(n for state, n in self.counts.items() if state != "missing")


def report(catalog: Catalog) -> list[LanguageReport]:
    """A report for every language, the source first."""
    reports = []
    for code in sorted(catalog.languages, key=lambda c: (c != SOURCE_LANGUAGE, c)):
        language = catalog.languages[code]
        states = {s: segment_state(catalog, language, s) for s in catalog.segments}
        counts = {state: sum(1 for v in states.values() if v == state) for state in STATES}
        reports.append(
            LanguageReport(
                code,
                language.name,
                language.status,
                language.reviewed_by,
                language.reviewed_on,
                counts,
                outdated=tuple(s for s, v in states.items() if v == "outdated"),
                missing=tuple(s for s, v in states.items() if v == "missing"),
            )
        )
    return reports


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write_language_meta(folder: Path, language: Language) -> None:
    """Rewrite a language.toml from a Language (comments are not kept)."""
    fields = (
        "name",
        "name_nb",
        "gtts",
        "espeak",
        "say_language",
        "say_voice",
        "status",
        "reviewed_by",
        "reviewed_on",
    )
    lines = [f"{name} = {_toml_string(str(getattr(language, name)))}" for name in fields]
    lines += ["", "[translated_from]"]
    lines += [f"{seg} = {_toml_string(h)}" for seg, h in sorted(language.translated_from.items())]
    (folder / "language.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def stamp(catalog: Catalog, code: str, segments: list[str]) -> list[str]:
    """Record that these segments now translate the current English (all present if none).

    Writes the file's own metadata (not the staff texts laid over it); the English is the one
    callers hear, published staff texts included.
    """
    language = catalog.files[code]
    english = catalog.languages[SOURCE_LANGUAGE].texts
    chosen = segments or [s for s in catalog.segments if language.texts.get(s)]
    unknown = [s for s in chosen if s not in english or not language.texts.get(s)]
    if unknown:
        raise ValueError(f"no {code} text for: {', '.join(unknown)}")
    language.translated_from.update({s: script_fingerprint(english[s]) for s in chosen})
    write_language_meta(catalog.root / code, language)
    return chosen


def mark_reviewed(catalog: Catalog, code: str, reviewer: str, on: date) -> Language:
    """A native speaker checked every segment of this language against the current English."""
    from dataclasses import replace

    language = catalog.files[code]
    missing = [s for s in catalog.segments if not language.texts.get(s)]
    if missing:
        raise ValueError(f"{code} cannot be reviewed while segments are missing: {missing}")
    english = catalog.languages[SOURCE_LANGUAGE].texts
    reviewed = replace(
        language,
        status="reviewed",
        reviewed_by=reviewer,
        reviewed_on=on.isoformat(),
        translated_from={s: script_fingerprint(english[s]) for s in catalog.segments},
    )
    write_language_meta(catalog.root / code, reviewed)
    return reviewed


# The worklist ---------------------------------------------------------------------------------

WORK_KINDS = ("outdated", "missing", "waiting", "unreviewed")


@dataclass(frozen=True)
class Work:
    """One segment of a language that needs a translator, a reviewer or a publisher, with the
    words to work from: the English now and, when outdated, the English it was made from."""

    segment: str
    kind: str  # one of WORK_KINDS
    text: str  # the words callers hear in this language now ("" when missing)
    english: str  # the English now
    english_before: str | None = None  # outdated: the English it translates (None: not known)
    draft: str | None = None  # waiting: the newest unpublished text version
    draft_id: int | None = None
    audio_drafts: int = 0  # waiting: recordings uploaded or rendered and not published


@dataclass(frozen=True)
class Worklist:
    """Everything to do for one language, by kind, in the order given."""

    code: str
    items: tuple[Work, ...]

    def of(self, kind: str) -> list[Work]:
        """The items of one kind."""
        return [w for w in self.items if w.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        """How many of each kind (every kind present, zero or more)."""
        return {kind: len(self.of(kind)) for kind in WORK_KINDS}


@dataclass(frozen=True)
class Waiting:
    """What staff saved for a segment and language and nobody has published yet."""

    text: str | None = None
    text_id: int | None = None
    audio_drafts: int = 0


def english_before(
    catalog: Catalog, code: str, segment: str, english_texts: list[str]
) -> str | None:
    """The English a translation was made from, found by its fingerprint among the file's
    English and `english_texts` (every English version staff saved); None when not known."""
    wanted = catalog.languages[code].translated_from.get(segment)
    candidates = [*english_texts, catalog.files[SOURCE_LANGUAGE].texts.get(segment, "")]
    return next((t for t in reversed(candidates) if t and script_fingerprint(t) == wanted), None)


def worklist(
    catalog: Catalog,
    code: str,
    english_texts: list[str],
    waiting: dict[str, Waiting],
    order: list[str] | None = None,
) -> Worklist:
    """What is outdated, missing, waiting to be published and not reviewed in a language.

    `english_texts` are English texts the translations may have been made from (the files'
    and every version staff saved): an outdated translation's fingerprint finds its English
    among them. `waiting` maps a segment to what is saved and unpublished in this language.
    """
    language = catalog.languages[code]
    english_now = catalog.languages[SOURCE_LANGUAGE].texts
    items: list[Work] = []
    for segment in order or catalog.segments:
        english, text = english_now[segment], language.texts.get(segment, "")
        state = segment_state(catalog, language, segment)
        if state == "outdated":
            before = english_before(catalog, code, segment, english_texts)
            items.append(Work(segment, "outdated", text, english, english_before=before))
        elif state == "missing":
            items.append(Work(segment, "missing", "", english))
        elif state == "draft":
            items.append(Work(segment, "unreviewed", text, english))
        if segment in waiting:
            w = waiting[segment]
            items.append(
                Work(
                    segment,
                    "waiting",
                    text,
                    english,
                    draft=w.text,
                    draft_id=w.text_id,
                    audio_drafts=w.audio_drafts,
                )
            )
    return Worklist(code, tuple(items))
