"""Which languages callers are offered, decided without HTTP or a database: the voice edge's
menu and the staff's languages form both ask `ivr.line`."""

from __future__ import annotations

import dataclasses

import pytest

from ivr.catalog import Catalog, load_catalog
from ivr.config import DEFAULTS
from ivr.line import languages_in_order, offered_languages
from ivr.schedule import LineSettings

SETTINGS = LineSettings(("+4747451500",), 30)


@pytest.fixture(scope="module")
def scripts() -> Catalog:
    return load_catalog(DEFAULTS["PROMPTS_DIR"])


def without_voice(scripts: Catalog, code: str) -> Catalog:
    """The catalog with `code` losing its Twilio voice (like a language only people record)."""
    languages = dict(scripts.languages)
    languages[code] = dataclasses.replace(languages[code], say_language="", say_voice="")
    return dataclasses.replace(scripts, languages=languages)


def nothing_recorded(prompt) -> bool:
    return False


def test_every_language_with_a_voice_is_offered_by_default(scripts):
    assert offered_languages(scripts, SETTINGS, nothing_recorded) == set(scripts.languages)


def test_a_switched_off_language_is_not_offered(scripts):
    settings = dataclasses.replace(SETTINGS, disabled_languages=frozenset({"ro", "th"}))
    assert offered_languages(scripts, settings, nothing_recorded) == set(scripts.languages) - {
        "ro",
        "th",
    }


def test_draft_translations_are_hidden_when_drafts_are_not_offered(scripts):
    settings = dataclasses.replace(SETTINGS, offer_drafts=False)
    expected = {c for c, lang in scripts.languages.items() if lang.status != "draft"}
    assert "en" in expected and "ro" not in expected
    assert offered_languages(scripts, settings, nothing_recorded) == expected


def test_a_language_without_a_voice_is_offered_once_every_prompt_is_recorded(scripts):
    silent = without_voice(scripts, "ro")
    assert "ro" not in offered_languages(silent, SETTINGS, nothing_recorded)
    missing_one = silent.all_prompts("ro")[0]
    assert "ro" not in offered_languages(silent, SETTINGS, lambda p: p != missing_one)
    assert "ro" in offered_languages(silent, SETTINGS, lambda p: True)


def test_languages_follow_the_menu_order(scripts):
    order = languages_in_order(scripts)
    assert order[: len(scripts.order)] == [c for c in scripts.order if c in scripts.languages]
    assert sorted(order) == sorted(scripts.languages)
