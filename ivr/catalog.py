"""Languages, segments and the menu tree, loaded from the `prompts/` folder.

The folder holds `menu.toml` (keys, language order, topics) and one folder per language with a
`language.toml` and one `<segment>.txt` per segment. Adding a language means adding a folder:
no code changes.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

SOURCE_LANGUAGE = "en"
HINT_KEY = "1"  # the key of the language of the caller's country, offered before the others
REGION_CODE = re.compile(r"^[A-Z]{2}$")
STAFF_DEFAULTS = {
    "whisper": "Anrop fra informasjonslinjen. Språk: {language}.",
    "unknown_language": "ikke valgt",
    "language": "nb-NO",
    "voice": "Polly.Liv",
}


class CatalogError(ValueError):
    """The prompts folder is incomplete or malformed."""


def script_fingerprint(text: str) -> str:
    """A short (12 hex) fingerprint of a script text, to notice when the English source changed.
    (Not `audio.library.words_hash`, the full hash of the words a recording says.)"""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


def texts_fingerprint(texts: dict[str, str]) -> str:
    """A fingerprint of all of a language's texts, to see whether they changed since a review."""
    return script_fingerprint("\n".join(f"{k}={texts[k]}" for k in sorted(texts)))


@dataclass(frozen=True)
class Review:
    """A reviewer confirmed a language's texts on the staff pages (`language_review`)."""

    by: str
    on: str  # ISO date
    texts_hash: str


@dataclass(frozen=True)
class TextOverlay:
    """What staff published over the files in prompts/: texts and reviews.

    `texts` maps (lang, segment) to (text, fingerprint of the English it translates or "").
    """

    texts: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    reviews: dict[str, Review] = field(default_factory=dict)


@dataclass(frozen=True)
class Keys:
    """The keys that mean the same thing in every menu and every language."""

    person: str = "0"
    repeat: str = "*"
    back: str = "#"
    next_part: str = "1"


@dataclass(frozen=True)
class Topic:
    """One entry of the topic menu: a recorded message in one or more parts."""

    id: str
    key: str
    parts: tuple[str, ...]

    @property
    def menu_segment(self) -> str:
        """The segment that announces this topic in the topic menu."""
        return f"menu_{self.id}"


@dataclass(frozen=True)
class Language:
    """One language the line speaks, with its voices and review status."""

    code: str
    name: str
    name_nb: str
    gtts: str
    espeak: str
    say_language: str
    say_voice: str
    status: str
    reviewed_by: str
    reviewed_on: str
    texts: dict[str, str] = field(repr=False)
    translated_from: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def has_tts(self) -> bool:
        """Whether any text-to-speech engine can speak this language."""
        return bool(self.gtts or self.espeak)

    @property
    def has_say(self) -> bool:
        """Whether Twilio's <Say> has a voice for this language."""
        return bool(self.say_language)


@dataclass(frozen=True)
class Prompt:
    """One thing a caller hears: a segment in a language, with the key it announces if any."""

    segment: str
    lang: str
    key: str | None = None

    @property
    def id(self) -> str:
        """The prompt's name in the audio store: the segment, plus the key it announces."""
        return self.segment if self.key is None else f"{self.segment}.{self.key}"


@dataclass(frozen=True)
class Catalog:
    """Everything the call flow needs to know about content. Immutable: the published texts
    make a new catalog (`with_overlay`), which replaces the old one by reference."""

    root: Path
    keys: Keys
    languages: dict[str, Language]
    order: tuple[str, ...]
    per_page: int
    more_key: str
    greeting_languages: tuple[str, ...]
    more_in: tuple[str, ...]
    topics: tuple[Topic, ...]
    max_misses: int
    gather_timeout: int
    staff: dict[str, str] = field(default_factory=dict)
    # The language offered first to a caller from this country (ISO 3166 region, e.g. "MD":
    # "ro"), from menu.toml's [caller_country]; countries not listed get the usual menu.
    caller_country: dict[str, str] = field(default_factory=dict)
    files: dict[str, Language] = field(default_factory=dict, repr=False)
    overlay: TextOverlay = field(default_factory=TextOverlay, repr=False)

    def __post_init__(self) -> None:
        if not self.files:
            object.__setattr__(self, "files", dict(self.languages))

    def with_overlay(self, overlay: TextOverlay) -> Catalog:
        """This catalog with the texts and reviews staff published laid over the files."""
        if overlay == self.overlay:
            return self
        languages = {
            code: _overlaid(language, overlay, set(self.segments))
            for code, language in self.files.items()
        }
        return replace(self, languages=languages, overlay=overlay)

    def file_text(self, lang: str, segment: str) -> str | None:
        """The text of a segment as the file in prompts/ has it (None when there is none)."""
        language = self.files.get(lang)
        return language.texts.get(segment) if language else None

    @cached_property
    def segments(self) -> tuple[str, ...]:
        """Every segment of the source language, sorted by name."""
        return tuple(sorted(self.languages[SOURCE_LANGUAGE].texts))

    def language_for_country(self, country: str | None) -> str | None:
        """The language offered first to a caller from this country (menu.toml), or None."""
        return self.caller_country.get(country or "")

    def topic(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return next((t for t in self.topics if t.id == topic_id), None)

    def topic_for_key(self, key: str) -> Topic | None:
        """The topic the topic menu offers on this key, or None."""
        return next((t for t in self.topics if t.key == key), None)

    def text(self, prompt: Prompt) -> str:
        """The words of a prompt, with its key filled in; English where a translation lacks it."""
        language = self.languages.get(prompt.lang) or self.languages[SOURCE_LANGUAGE]
        raw = language.texts.get(prompt.segment)
        if raw is None:
            raw = self.languages[SOURCE_LANGUAGE].texts[prompt.segment]
        return raw.replace("{key}", prompt.key or "")

    def menu_pages(self, enabled: set[str] | None = None) -> list[list[str]]:
        """The language menu split into pages of language codes, in the configured order."""
        codes = [c for c in self.order if c in self.languages]
        codes += sorted(c for c in self.languages if c not in codes)
        if enabled is not None:
            codes = [c for c in codes if c in enabled]
        size = self.per_page
        return [codes[i : i + size] for i in range(0, len(codes), size)] or [[SOURCE_LANGUAGE]]

    def all_prompts(self, lang: str) -> list[Prompt]:
        """Every prompt a caller can hear in this language, with the keys the menus announce."""
        keyed = {"lang_select", "lang_hint", "more_languages"}
        keyed |= {t.menu_segment for t in self.topics}
        prompts = [Prompt(s, lang) for s in self.segments if s not in keyed]
        prompts += [Prompt(t.menu_segment, lang, t.key) for t in self.topics]
        # Staff can switch languages off, which moves the others to other keys: so every
        # language has its "press N" prompt for every key a language page can use.
        prompts += [Prompt("lang_select", lang, str(k)) for k in range(1, self.per_page + 1)]
        prompts.append(Prompt("more_languages", lang, self.more_key))
        prompts.append(Prompt("lang_hint", lang, HINT_KEY))  # the caller's country's language
        return prompts


def _overlaid(language: Language, overlay: TextOverlay, segments: set[str]) -> Language:
    """A language with the staff's published texts; reviewed when a review matches its texts.

    A language counts as reviewed when the latest review on the staff pages was made of exactly
    its current texts, or when its language.toml says so and staff changed none of its texts.
    """
    mine = {
        seg: value
        for (lang, seg), value in overlay.texts.items()
        if lang == language.code and seg in segments
    }
    texts = {**language.texts, **{seg: text for seg, (text, _) in mine.items()}}
    translated_from = {
        **language.translated_from,
        **{seg: source for seg, (_, source) in mine.items() if source},
    }
    status, by, on = language.status, language.reviewed_by, language.reviewed_on
    review = overlay.reviews.get(language.code)
    if status != "source":
        if review is not None and review.texts_hash == texts_fingerprint(texts):
            status, by, on = "reviewed", review.by, review.on
        elif texts != language.texts:
            status = "draft"
    return replace(
        language,
        texts=texts,
        translated_from=translated_from,
        status=status,
        reviewed_by=by,
        reviewed_on=on,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"missing {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path} is not valid TOML: {exc}") from exc


def load_language(folder: Path) -> Language:
    """Read one language folder."""
    meta = _read_toml(folder / "language.toml")
    texts = {p.stem: p.read_text(encoding="utf-8").strip() for p in sorted(folder.glob("*.txt"))}
    try:
        return Language(
            code=folder.name,
            name=meta["name"],
            name_nb=meta.get("name_nb", meta["name"]),
            gtts=meta.get("gtts", ""),
            espeak=meta.get("espeak", ""),
            say_language=meta.get("say_language", ""),
            say_voice=meta.get("say_voice", ""),
            status=meta.get("status", "draft"),
            reviewed_by=meta.get("reviewed_by", ""),
            reviewed_on=str(meta.get("reviewed_on", "")),
            texts=texts,
            translated_from=dict(meta.get("translated_from", {})),
        )
    except KeyError as exc:
        raise CatalogError(f"{folder / 'language.toml'} lacks {exc}") from exc


def _caller_countries(by_language: dict[str, object]) -> dict[str, str]:
    """menu.toml's `[caller_country]` (language = [regions]) as region -> language."""
    countries: dict[str, str] = {}
    for lang, regions in by_language.items():
        if not isinstance(regions, list):
            raise CatalogError(f"menu.toml [caller_country] {lang} must be a list of countries")
        for region in regions:
            if not isinstance(region, str) or not REGION_CODE.match(region):
                raise CatalogError(
                    f"menu.toml [caller_country] {lang}: {region!r} is not a "
                    'two-letter country code such as "RO"'
                )
            if region in countries:
                raise CatalogError(
                    f"menu.toml [caller_country] lists {region} under both "
                    f"{countries[region]} and {lang}"
                )
            countries[region] = lang
    return countries


def load_catalog(root: Path) -> Catalog:
    """Read the whole prompts folder and check that the menu refers to segments that exist."""
    root = Path(root)
    menu = _read_toml(root / "menu.toml")
    languages = {
        d.name: load_language(d)
        for d in sorted(root.iterdir())
        if d.is_dir() and (d / "language.toml").exists()
    }
    if SOURCE_LANGUAGE not in languages:
        raise CatalogError(f"{root} has no {SOURCE_LANGUAGE}/ folder: it is the source language")
    lm = menu.get("language_menu", {})
    limits = menu.get("limits", {})
    catalog = Catalog(
        root=root,
        keys=Keys(**menu.get("keys", {})),
        languages=languages,
        order=tuple(lm.get("order", [SOURCE_LANGUAGE])),
        per_page=int(lm.get("per_page", 8)),
        more_key=str(lm.get("more_key", "9")),
        greeting_languages=tuple(lm.get("greeting", [SOURCE_LANGUAGE])),
        more_in=tuple(lm.get("more_in", [])),
        topics=tuple(
            Topic(id=t["id"], key=str(t["key"]), parts=tuple(t["parts"]))
            for t in menu.get("topics", [])
        ),
        max_misses=int(limits.get("max_misses", 3)),
        gather_timeout=int(limits.get("gather_timeout", 6)),
        staff={**STAFF_DEFAULTS, **menu.get("staff", {})},
        caller_country=_caller_countries(menu.get("caller_country", {})),
    )
    source = languages[SOURCE_LANGUAGE].texts
    needed = {s for t in catalog.topics for s in (*t.parts, t.menu_segment)}
    missing = sorted(needed - set(source))
    if missing:
        raise CatalogError(f"menu.toml names segments with no English text: {missing}")
    return catalog
