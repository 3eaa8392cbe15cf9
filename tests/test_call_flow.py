"""A caller walks the menus: language, safety sentences, topics, parts, keys, wrong keys."""

import pytest

from ivr.services import services


def test_call_is_answered_with_greeting_and_language_menu(caller):
    call = caller()
    assert call.heard_prompt("greeting", "en") and call.heard_prompt("greeting", "nb")
    assert call.heard_prompt("lang_select", "en", "1")
    assert call.heard_prompt("lang_select", "nb", "2")
    assert call.pending, "the caller can press a key during the menu"


def test_each_language_option_is_spoken_in_its_own_voice(caller, catalog):
    call = caller()
    for key, lang in enumerate(("en", "nb"), start=1):
        [option] = [h for h in call.heard if h.text == call.spoken("lang_select", lang, str(key))]
        assert option.language == catalog.languages[lang].say_language


@pytest.mark.parametrize(
    "lang,key,emergency", [("en", "1", "one one two"), ("nb", "2", "en en to")]
)
def test_choosing_a_language_gives_safety_sentences_then_topics(caller, lang, key, emergency):
    call = caller().press(key)
    assert call.heard_prompt("intro", lang)
    assert emergency in call.said and "112" not in call.said, "112 is said digit by digit"
    assert call.heard_prompt("menu_rights", lang, "1")
    assert call.heard_prompt("menu_no_help", lang, "6")
    assert call.heard[0].text == call.spoken("intro", lang)


@pytest.mark.parametrize("lang,key", [("en", "1"), ("nb", "2")])
def test_every_topic_and_every_part_can_be_reached(caller, catalog, lang, key):
    for topic in catalog.topics:
        call = caller().press(key).press(topic.key)
        for number, part in enumerate(topic.parts):
            assert call.heard_prompt(part, lang), (topic.id, part)
            last = number == len(topic.parts) - 1
            assert call.heard_prompt("part_end" if last else "part_next", lang)
            if not last:
                call.press("1")


def test_star_repeats_the_part_and_hash_goes_back_to_topics(caller):
    call = caller().press("1").press("2")
    assert call.heard_prompt("reflection_1")
    call.press("*")
    assert call.heard_prompt("reflection_1")
    call.press("#")
    assert call.heard_prompt("menu_rights", "en", "1")
    assert not call.heard_prompt("intro"), "the safety sentences come once, after the language"


def test_hash_in_topic_menu_goes_back_to_language_menu(caller):
    call = caller().press("2").press("#")
    assert call.heard_prompt("lang_select", "en", "1")
    assert not call.heard_prompt("greeting")


def test_star_repeats_the_topic_menu(caller):
    call = caller().press("1").press("*")
    assert call.heard_prompt("topic_menu") and call.heard_prompt("menu_asylum", "en", "4")


@pytest.mark.parametrize(
    "path,wrong,repeated",
    [
        (("1",), "9", "topic_menu"),
        (("1", "4"), "5", "part_next"),
        (("1", "4", "1"), "1", "part_end"),
    ],
)
def test_wrong_key_says_not_an_option_and_repeats_the_menu(caller, path, wrong, repeated):
    call = caller()
    for key in path:
        call.press(key)
    call.press(wrong)
    assert call.heard[0].text == call.spoken("invalid", "en")
    assert call.heard_prompt(repeated)
    assert call.pending and not call.ended


def test_wrong_key_on_a_language_page_repeats_that_page(caller, catalog):
    pages = catalog.menu_pages()
    call = caller().press(catalog.more_key)
    assert call.heard_prompt("lang_select", pages[1][0], "1")
    call.press(str(len(pages[1]) + 1))
    assert call.heard_prompt("invalid", "en") and call.heard_prompt("invalid", "nb")
    assert call.heard_prompt("lang_select", pages[1][0], "1")
    assert call.pending and not call.ended


def test_wrong_key_in_a_long_message_repeats_only_the_options(caller):
    call = caller().press("1").press("1").press("5")
    assert call.heard_prompt("invalid") and call.heard_prompt("part_next")
    assert not call.heard_prompt("rights_1")


def test_silence_repeats_the_menu_three_times_then_callback_info_and_goodbye(caller):
    call = caller().press("1")
    for _ in range(3):
        call.silence()
        assert call.heard_prompt("topic_menu") and not call.ended
    call.silence()
    assert call.heard_prompt("callback") and call.heard_prompt("goodbye")
    assert call.ended


def test_wrong_keys_forever_end_politely(caller):
    call = caller().press("1")
    for _ in range(3):
        call.press("8")
        assert call.heard_prompt("invalid") and not call.ended
    call.press("8")
    assert call.heard_prompt("callback") and call.heard_prompt("goodbye") and call.ended


def test_silence_at_language_menu_ends_with_callback_info_in_both_languages(caller):
    call = caller().silence().silence().silence().silence()
    assert call.heard_prompt("callback", "en") and call.heard_prompt("callback", "nb")
    assert call.ended


def test_a_valid_key_resets_the_silence_count(caller):
    call = caller().press("1").silence().silence().silence().press("*")
    call.silence().silence().silence()
    assert not call.ended


def test_every_language_is_two_key_presses_away(caller, catalog):
    pages = catalog.menu_pages()
    assert len(pages) == 2
    for lang in pages[1]:
        call = caller()
        assert call.heard_prompt("more_languages", lang, catalog.more_key), lang
        call.press(catalog.more_key)
        key = str(pages[1].index(lang) + 1)
        assert call.heard_prompt("lang_select", lang, key)
        call.press(key)
        assert call.heard_prompt("intro", lang) and call.heard_prompt("menu_rights", lang, "1")


def test_second_language_page_leads_back_to_the_first(caller, catalog):
    call = caller().press(catalog.more_key)
    assert call.heard_prompt("more_languages", "en", catalog.more_key)
    call.press(catalog.more_key)
    assert call.heard_prompt("lang_select", "en", "1")
    call.press("9").press("#")
    assert call.heard_prompt("lang_select", "en", "1")


def test_a_key_means_the_language_the_caller_heard_even_if_staff_change_the_menu(app, caller):
    from ivr.schedule import write_setting

    call = caller()
    assert call.heard_prompt("lang_select", "ru", "6")
    write_setting(services(app).db, "disabled_languages", ["lt"])  # ru would move to 5
    call.press("6")
    assert call.heard_prompt("intro", "ru")


def test_forged_language_lists_are_ignored(caller, catalog):
    from ivr.flow import Position

    position = Position.from_query({"node": "language", "langs": "en,../x,NB,ro;drop"})
    assert position.langs == ("en",)


def test_callback_before_a_language_offers_only_its_keys(caller):
    from datetime import datetime

    import time_machine

    from ivr.hours import OSLO

    with time_machine.travel(datetime(2026, 12, 5, 11, 0, tzinfo=OSLO), tick=False):  # Saturday
        call = caller().press("0")
        assert call.heard_prompt("callback", "en") and call.pending
        call.press("1")
        assert call.heard_prompt("invalid", "en")
        call.press("#")
        assert call.heard_prompt("lang_select", "en", "1")
