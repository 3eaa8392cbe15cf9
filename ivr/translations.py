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
        reports.append(LanguageReport(
            code, language.name, language.status, language.reviewed_by, language.reviewed_on,
            counts,
            outdated=tuple(s for s, v in states.items() if v == "outdated"),
            missing=tuple(s for s, v in states.items() if v == "missing"),
        ))
    return reports


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def write_language_meta(folder: Path, language: Language) -> None:
    """Rewrite a language.toml from a Language (comments are not kept)."""
    fields = ("name", "name_nb", "gtts", "espeak", "say_language", "say_voice", "status",
              "reviewed_by", "reviewed_on")
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
    reviewed = replace(language, status="reviewed", reviewed_by=reviewer,
                       reviewed_on=on.isoformat(),
                       translated_from={s: script_fingerprint(english[s]) for s in catalog.segments})
    write_language_meta(catalog.root / code, reviewed)
    return reviewed
