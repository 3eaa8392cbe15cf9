"""How fast a voice speaks: words a minute, or syllables a second, measured on real audio.

Words a minute suit languages written with spaces between words of a few syllables (English,
Norwegian, Spanish...). Thai, Vietnamese and Mandarin are counted in syllables a second, read
off eSpeak NG's own phonemes (one syllable per run of vowels), since their words are not
separated by spaces (Thai, Mandarin) or are written one syllable at a time (Vietnamese).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .engines import ESpeakEngine, Speech
from .processing import AudioSegment, decode, trim
from .pronounce import Band, Pronunciation

WPM, SYLLABLES = "wpm", "syllables/s"
# IPA vowel letters; tone letters, stress and length marks are not vowels.
_VOWEL_RUN = re.compile(r"[aeiouyɑɐɒæɔəɘɚɛɜɞɤɨɪɯɵøœɶʉʊʌʏ\u0303]+")
_WORD = re.compile(r"\w+(?:[’'-]\w+)*")  # "l’aide", "п’ятниці" and "twenty-one" are one word


@dataclass(frozen=True)
class RateMeasure:
    """A language's rate over some texts: how much was said, in how many seconds of speech."""

    words: int
    syllables: int
    seconds: float

    @property
    def wpm(self) -> float:
        """Words a minute."""
        return self.words / self.seconds * 60 if self.seconds else 0.0

    @property
    def syllables_per_second(self) -> float:
        """Syllables a second."""
        return self.syllables / self.seconds if self.seconds else 0.0

    def value(self, unit: str) -> float:
        """The rate in the unit a band is given in."""
        return self.wpm if unit == WPM else self.syllables_per_second


def count_words(text: str) -> int:
    """Words in a text as a listener hears them: numbers already written out count as words."""
    return len(_WORD.findall(text))


def count_syllables(ipa_clauses: Iterable[str]) -> int:
    """Syllables in eSpeak NG's IPA output: one per run of vowel letters."""
    return sum(len(_VOWEL_RUN.findall(clause)) for clause in ipa_clauses)


def speech_seconds(speech: Speech) -> float:
    """Seconds from the first sound to the last, as the telephone processing trims them."""
    if speech.format == "s16le":
        segment = AudioSegment(speech.data, sample_width=2, frame_rate=speech.rate, channels=1)
    else:
        segment = decode(speech.data, speech.format, speech.rate)
    return len(trim(segment)) / 1000


def measure_rate(
    engine: ESpeakEngine, voice: str, rules: Pronunciation, texts: Iterable[str]
) -> RateMeasure:
    """Speak each text as the build would (prepared, at its rate) and add up what was said."""
    words = syllables = 0
    seconds = 0.0
    for text in texts:
        prepared = rules.prepare(text)
        seconds += speech_seconds(engine.speak(prepared.text, voice, prepared.rate))
        words += count_words(prepared.text)
        syllables += count_syllables(engine.phonemes(prepared.text, voice, ipa=True))
    return RateMeasure(words, syllables, seconds)


def within(band: Band, measured: RateMeasure) -> bool:
    """Whether a measured rate lies in the language's band."""
    return band.holds(measured.value(band.unit))
