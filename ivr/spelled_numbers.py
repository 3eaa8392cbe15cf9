"""Numbers written so the digit check cannot see them: other scripts' digits and number words.

Staff texts must carry the same numbers, in digits, as the English text (phone numbers, 112,
opening hours). A number can hide from that check two ways: digits outside 0-9 (superscripts,
circled digits, other scripts' digits), which are refused; or words ("nine one one", "én
to"), which are flagged for a second person to check, since a single number word is often an
ordinary word ("one", "en", "un", "một").
"""

from __future__ import annotations

import functools
import re
import unicodedata

from num2words import num2words

# Languages num2words does not speak, or speaks under another code: their digits 0-10.
OWN_WORDS = {
    "bg": "нула едно един една две два три четири пет шест седем осем девет десет",
    "tl": "sero isa dalawa tatlo apat lima anim pito walo siyam sampu",
    "zh": "零 〇 幺 一 二 两 三 四 五 六 七 八 九 十",
}
NUM2WORDS_CODE = {"nb": "no", "nn": "no"}
UNSPACED = {"th", "zh"}  # scripts written without spaces between words
NUMBERS_TO_SAY = (*range(21), 30, 40, 50, 60, 70, 80, 90, 100)


def hidden_digits(text: str) -> list[str]:
    """Characters that are numbers but not the ASCII digits 0-9 (e.g. ¹, ①, ٣, Ⅻ, ½)."""
    return [
        ch
        for ch in text
        if unicodedata.category(ch) in ("Nd", "No", "Nl") and ch not in "0123456789"
    ]


@functools.cache
def number_words(lang: str) -> frozenset[str]:
    """The words for 0-20, the tens and 100 in `lang` (empty if unknown)."""
    if lang in OWN_WORDS:
        return frozenset(OWN_WORDS[lang].split())
    words: set[str] = set()
    for n in NUMBERS_TO_SAY:
        try:
            said = num2words(n, lang=NUM2WORDS_CODE.get(lang, lang))
        except (NotImplementedError, KeyError, ValueError):
            return frozenset()
        words.update(w for w in re.split(r"[\s\-,]+", said.casefold()) if w)
    return frozenset(words)


@functools.cache
def _runs(lang: str) -> re.Pattern | None:
    """Two or more number words in a row (a spelled-out number), for `lang`."""
    words = sorted(number_words(lang), key=len, reverse=True)
    if not words:
        return None
    one = "(?:" + "|".join(re.escape(w) for w in words) + ")"
    if lang in UNSPACED:
        return re.compile(f"{one}(?:[\\s,.-]*{one})+")
    return re.compile(rf"(?<!\w){one}(?:[\s,.\-]+(?:og |and |y |et |și |и |ir |і )?{one})+(?!\w)")


def spelled_numbers(text: str, lang: str) -> list[str]:
    """Runs of two or more number words in `text` ("nine one one"), to be checked by a person."""
    pattern = _runs(lang)
    return [m.group(0) for m in pattern.finditer(text.casefold())] if pattern else []
