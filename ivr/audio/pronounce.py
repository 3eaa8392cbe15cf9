"""How a language is said: the text prepared for a text-to-speech engine, and the speaking rate.

The texts staff read and edit stay as they are ("112", "47. 45. 15. 00", "KOM"). Just before a
text goes to an engine, this step rewrites it for the ear, following `prompts/<lang>/speech.toml`:

    [numbers]   "112" = "en, en, to"        a number, in any grouping of its digits, said so
    [names]     KOM = "kom"                 a name or acronym, said in the language's script
    [pauses]    between = "\u0e00-\u0e7f"     a space between two such letters is a clause break
    [rate]      espeak = 150                eSpeak NG's words a minute; `band` is the target
    [engine.gtts.names] ...                 rules for one engine only, over the common ones

A missing file means no rules. What the step produces is part of the audio's build key, so a
changed rule makes the audio out of date and the next build renders it again.

Twilio's <Say> is an engine too (`TWILIO`): whatever the line speaks with <Say> instead of a
recording goes through `said_by_twilio`, so "112" is "one one two" there as well. Twilio gets
plain text (no SSML; the XML is escaped by VoiceResponse) and no rate: its voices keep their own.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

SPEECH_FILE = "speech.toml"
log = logging.getLogger(__name__)
TWILIO = "twilio"  # the engine name of Twilio's <Say> voices, for [engine.twilio.*] rules
# The letters of scripts written with spaces between words: a name in one of them is replaced
# only where it is not part of a longer word of the same script ("KOM" in "KOMMUNE", "كوم" in
# "حكومة"). Names in Thai or Chinese script have no such edge, and "KOM" inside Chinese text is
# still a word of its own.
_SCRIPTS = (
    "A-Za-z\u00c0-\u024f",
    "\u0370-\u03ff",
    "\u0400-\u04ff",
    "\u0621-\u063f\u0641-\u064a\u066e-\u06d3",
)  # Latin, Greek, Cyrillic, Arabic


class SpeechRulesError(ValueError):
    """A speech.toml is malformed."""


@dataclass(frozen=True)
class Band:
    """The speaking rate a language should land in: words a minute, or syllables a second."""

    unit: str  # "wpm" or "syllables/s"
    low: float
    high: float

    def holds(self, value: float) -> bool:
        """Whether a measured rate is inside the band."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Prepared:
    """A text as an engine should get it, with the engine settings it goes with."""

    text: str
    rate: int = 0  # the engine's speaking rate (eSpeak: words a minute); 0 = its default

    @property
    def key(self) -> str:
        """What the audio depends on beyond the engine and voice: part of the build key."""
        return f"{self.text}\x1frate={self.rate}"


@dataclass(frozen=True)
class Pronunciation:
    """The rules for one language and one engine."""

    numbers: tuple[tuple[str, str], ...] = ()
    names: tuple[tuple[str, str], ...] = ()
    pause_between: str = ""  # a character class, e.g. Thai letters; "" = no pause rule
    pause_mark: str = ","
    rate: int = 0

    def prepare(self, text: str) -> Prepared:
        """The text as this engine should say it."""
        text = self._pauses(text)
        for pattern, said in self._number_patterns:
            text = pattern.sub(said, text)
        for pattern, said in self._name_patterns:
            text = pattern.sub(said, text)
        return Prepared(text, self.rate)

    @cached_property
    def _number_patterns(self) -> list[tuple[re.Pattern, str]]:
        # "47 45 15 00" also matches "47. 45. 15. 00": the groups, with or without full stops.
        found = []
        for number, said in self.numbers:
            groups = number.replace(".", " ").split()
            body = r"\.?\s+".join(re.escape(g) for g in groups)
            found.append((re.compile(rf"(?<![\d.]){body}(?!\d)"), said))
        return found

    @cached_property
    def _name_patterns(self) -> list[tuple[re.Pattern, str]]:
        return [
            (
                re.compile(
                    _edge(name[0], "(?<!", ")") + re.escape(name) + _edge(name[-1], "(?!", ")")
                ),
                said,
            )
            for name, said in self.names
        ]

    def _pauses(self, text: str) -> str:
        """A clause break where a script without punctuation puts a space between words."""
        if not self.pause_between:
            return text
        letter = f"[{self.pause_between}]"
        names = {name for name, _ in self.names}
        words = text.split(" ")
        out = words[:1]
        for word in words[1:]:
            before = out[-1]
            if (
                before
                and word
                and re.search(f"{letter}$", before)
                and re.match(letter, word)
                and before not in names
                and word not in names
            ):
                out[-1] = before + self.pause_mark
            out.append(word)
        return " ".join(out)


def _edge(letter: str, opening: str, closing: str) -> str:
    """A look-around refusing a letter of the same script as `letter` ("" when there is none)."""
    for letters in _SCRIPTS:
        if re.fullmatch(f"[{letters}]", letter):
            return f"{opening}[{letters}]{closing}"
    return ""


@dataclass(frozen=True)
class SpeechRules:
    """A language's pronunciation rules, common and per engine, and its target rate."""

    common: dict = field(default_factory=dict)
    engines: dict = field(default_factory=dict)
    band: Band | None = None

    def for_engine(self, engine: str) -> Pronunciation:
        """The rules one engine follows: its own entries win over the common ones."""
        own = self.engines.get(engine, {})
        numbers = {**self.common.get("numbers", {}), **own.get("numbers", {})}
        names = {**self.common.get("names", {}), **own.get("names", {})}
        pauses = {**self.common.get("pauses", {}), **own.get("pauses", {})}
        rate = self.common.get("rate", {}).get(engine, 0)
        # Longer names first, so "KOM's" rules never cut into a longer acronym.
        ordered = sorted(names.items(), key=lambda item: -len(item[0]))
        return Pronunciation(
            tuple(numbers.items()),
            tuple(ordered),
            pauses.get("between", ""),
            pauses.get("mark", ","),
            int(rate),
        )

    def prepare(self, text: str, engine: str) -> Prepared:
        """The text as `engine` should say it."""
        return self.for_engine(engine).prepare(text)


def load_speech_rules(folder: Path) -> SpeechRules:
    """Read `speech.toml` in a language folder; no file means no rules."""
    path = Path(folder) / SPEECH_FILE
    if not path.exists():
        return SpeechRules()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpeechRulesError(f"{path} is not valid TOML: {exc}") from exc
    for where in [data, *data.get("engine", {}).values()]:
        _check(path, where)
    rate = data.get("rate", {})
    band = None
    if "band" in rate:
        low, high = rate["band"]
        band = Band(rate.get("unit", "wpm"), float(low), float(high))
    return SpeechRules(
        common={k: data.get(k, {}) for k in ("numbers", "names", "pauses", "rate")},
        engines=dict(data.get("engine", {})),
        band=band,
    )


def _check(path: Path, data: dict) -> None:
    """SpeechRulesError, naming the file, for entries of the wrong kind."""
    for table in ("numbers", "names", "pauses"):
        if not all(isinstance(v, str) for v in data.get(table, {}).values()):
            raise SpeechRulesError(f"{path}: every entry of [{table}] must be a string")
    rate = data.get("rate", {})
    band = rate.get("band", [0, 0])
    if not (
        isinstance(band, list) and len(band) == 2 and all(isinstance(v, int | float) for v in band)
    ):
        raise SpeechRulesError(f"{path}: [rate] band must be two numbers, e.g. [140, 160]")
    if rate.get("unit", "wpm") not in ("wpm", "syllables/s"):
        raise SpeechRulesError(f'{path}: [rate] unit must be "wpm" or "syllables/s"')
    engines = {k: v for k, v in rate.items() if k not in ("band", "unit")}
    if not all(isinstance(v, int) and 0 <= v <= 450 for v in engines.values()):
        raise SpeechRulesError(f"{path}: an engine's [rate] is words a minute, 0 to 450")


class SpeechBook:
    """Every language's rules under a prompts folder, read once per build."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._rules: dict[str, SpeechRules] = {}
        self._engines: dict[tuple[str, str], Pronunciation] = {}

    def rules(self, lang: str) -> SpeechRules:
        """The rules of one language."""
        if lang not in self._rules:
            self._rules[lang] = load_speech_rules(self.root / lang)
        return self._rules[lang]

    def pronunciation(self, lang: str, engine: str) -> Pronunciation:
        """The rules one engine follows in one language (built once: patterns compile once)."""
        key = (lang, engine)
        if key not in self._engines:
            self._engines[key] = self.rules(lang).for_engine(engine)
        return self._engines[key]

    def prepare(self, text: str, lang: str, engine: str) -> Prepared:
        """The text of a prompt in `lang` as `engine` should say it."""
        return self.pronunciation(lang, engine).prepare(text)


@lru_cache(maxsize=256)
def twilio_pronunciation(root: Path | str, lang: str) -> Pronunciation:
    """The rules <Say> follows in `lang`, read once per process (`load_twilio_rules` reads them
    all at start, so no webhook reads a file). A `speech.toml` that cannot be read is logged
    and <Say> speaks the texts as written: a caller hears a number said less well, never an
    error (`ivr audio build` names the file and what is wrong)."""
    try:
        return load_speech_rules(Path(root) / lang).for_engine(TWILIO)
    except (OSError, UnicodeDecodeError, SpeechRulesError) as exc:
        log.error("speech rules of %s not used for <Say>: %s", lang, exc)
        return SpeechRules().for_engine(TWILIO)


def load_twilio_rules(root: Path | str, languages: Iterable[str]) -> None:
    """Read the <Say> rules of these languages now (at start), not in a caller's webhook."""
    for lang in languages:
        twilio_pronunciation(root, lang)


@lru_cache(maxsize=8192)
def said_by_twilio(root: Path | str, lang: str, text: str) -> str:
    """The words Twilio's <Say> speaks for a text of `lang` under the prompts folder `root`:
    the same prepared words the audio gets, worked out once per text and kept."""
    return twilio_pronunciation(root, lang).prepare(text).text
