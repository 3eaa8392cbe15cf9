"""Numbers that hide from the digit check: other digits are found, number words in a row too."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import PROJECT_ROOT
from ivr.spelled_numbers import hidden_digits, spelled_numbers


@pytest.mark.parametrize(
    "text,found",
    [
        ("call ¹¹³", ["¹", "¹", "³"]),
        ("call ①", ["①"]),
        ("اتصل ١١٢", ["١", "١", "٢"]),
        ("Ⅻ o'clock", ["Ⅻ"]),
        ("call 112 or 47 45 15 00", []),
    ],
)
def test_digits_outside_0_to_9_are_found(text, found):
    assert hidden_digits(text) == found


@pytest.mark.parametrize(
    "lang,text,found",
    [
        ("en", "In danger, call nine one one.", ["nine one one"]),
        ("en", "Call forty-seven, forty-five.", ["forty-seven, forty-five"]),
        ("nb", "Ring en en tre.", ["en en tre"]),
        ("ru", "Позвоните один один два.", ["один один два"]),
        ("zh", "请拨打一一零。", ["一一零"]),
        ("bg", "Обадете се на едно едно две.", ["едно едно две"]),
    ],
)
def test_number_words_in_a_row_are_flagged(lang, text, found):
    assert spelled_numbers(text, lang) == found


@pytest.mark.parametrize(
    "lang,text",
    [
        ("en", "Press one for English. No one will ask your name."),
        ("nb", "Du kan ringe en gang til."),
        ("fr", "Un avocat gratuit."),
        ("zh", "一个人"),
    ],
)
def test_a_single_number_word_is_an_ordinary_word(lang, text):
    assert spelled_numbers(text, lang) == []


def test_no_shipped_script_is_flagged():
    flagged = {
        str(f): spelled_numbers(f.read_text(encoding="utf-8"), f.parent.name)
        for f in Path(PROJECT_ROOT, "prompts").glob("*/*.txt")
    }
    assert {f: words for f, words in flagged.items() if words} == {}
