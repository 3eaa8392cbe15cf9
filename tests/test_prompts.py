"""The scripts: every prompt has text in every shipped language, with the brochure's numbers."""

import re

import pytest

from ivr.catalog import SOURCE_LANGUAGE, load_catalog
from ivr.config import DEFAULTS

CATALOG = load_catalog(DEFAULTS["PROMPTS_DIR"])
LANGUAGES = sorted(CATALOG.languages)
NUMBER = re.compile(r"\d+")


def test_english_and_norwegian_ship():
    assert {"en", "nb"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_segment_has_text_in_every_language(lang):
    texts = CATALOG.languages[lang].texts
    missing = [s for s in CATALOG.segments if not texts.get(s, "").strip()]
    assert not missing, f"{lang} lacks {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_prompt_a_caller_can_hear_has_text(lang):
    for prompt in CATALOG.all_prompts(lang):
        text = CATALOG.text(prompt)
        assert text and "{" not in text, (lang, prompt.id)


@pytest.mark.parametrize("lang", [c for c in LANGUAGES if c != SOURCE_LANGUAGE])
def test_translations_keep_the_brochures_numbers(lang):
    english = CATALOG.languages[SOURCE_LANGUAGE].texts
    texts = CATALOG.languages[lang].texts
    for segment, source in english.items():
        expected = sorted(NUMBER.findall(source))
        assert sorted(NUMBER.findall(texts[segment])) == expected, (lang, segment)
        assert texts[segment].count("{key}") == source.count("{key}"), (lang, segment)


def test_keyed_prompts_announce_their_key():
    for topic in CATALOG.topics:
        assert "{key}" in CATALOG.languages[SOURCE_LANGUAGE].texts[topic.menu_segment]


def test_callback_says_the_number_twice_and_112():
    for lang in LANGUAGES:
        text = CATALOG.languages[lang].texts["callback"]
        assert text.count("47. 45. 15. 00") == 2 and "112" in text, lang


def test_long_messages_are_split_into_parts_of_at_most_90_seconds():
    # About 2.5 words a second at a calm pace: 90 seconds is about 225 words.
    for topic in CATALOG.topics:
        for part in topic.parts:
            words = len(CATALOG.languages[SOURCE_LANGUAGE].texts[part].split())
            assert words <= 150, (part, words)


def test_any_language_reaches_the_topics_within_two_key_presses():
    pages = CATALOG.menu_pages()
    assert len(pages) <= 2 and all(len(p) <= CATALOG.per_page for p in pages)
    assert CATALOG.more_key not in {str(i + 1) for i in range(len(pages[0]))}
