"""The caller's country first: a call from a foreign number hears its language on key 1, in
that language, before anything else; the number itself is never kept anywhere."""

from __future__ import annotations

import logging
import random
import shutil
import sqlite3
from dataclasses import dataclass

import phonenumbers
import pytest

from ivr import create_app
from ivr.caller_country import country_of, listed_country_of
from ivr.catalog import CatalogError, load_catalog
from ivr.config import DEFAULTS, PROJECT_ROOT
from ivr.services import services

from .conftest import Call, CurrentCatalog, line_settings

# Each line language's main country (Norwegian's is Norway: a Norwegian number hears the
# usual menu, where Norwegian is on key 2).
MAIN_COUNTRY = {
    "en": "GB",
    "ro": "RO",
    "bg": "BG",
    "lt": "LT",
    "ru": "RU",
    "uk": "UA",
    "es": "ES",
    "fr": "FR",
    "ar": "EG",
    "th": "TH",
    "vi": "VN",
    "zh": "CN",
    "tl": "PH",
}
# Countries of origin the issue names, and what they should hear first.
ORIGIN = {
    "NG": "en",
    "GH": "en",
    "MD": "ro",
    "BY": "ru",
    "KZ": "ru",
    "MA": "ar",
    "SA": "ar",
    "SN": "fr",
    "CI": "fr",
    "MX": "es",
    "CO": "es",
    "TW": "zh",
    "HK": "zh",
    "PH": "tl",
}
WITHHELD = [
    "anonymous",
    "Anonymous",
    "restricted",
    "unknown",
    "",
    "+266696687",
    "+7378742833",
    "+2562533",
    "+86282452253",
    "+123",
    "+4799999999",
    "+47 22 00 00 00",
    "4021234567",
]


def mobile_number(country: str) -> str:
    """A valid mobile number of the country, as Twilio sends it (E.164)."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class CallFrom(Call):
    """A call from a given number: Twilio sends it as `From` with every webhook."""

    number: str = "+4799999999"

    def post(self, url, extra=None):
        return super().post(url, {"From": self.number, **(extra or {})})


@pytest.fixture
def call_from(client, catalog):
    """Start a call from a number: `call_from("+40...")` returns the answered Call."""
    return lambda number: CallFrom(client, catalog, number=number).start()


@pytest.fixture(scope="module")
def one_line(tmp_path_factory, migrated_db):
    """One app for the calls that only listen: each is a new call (its own CallSid) and
    changes nothing another call hears. Sharing it also checks again that the cached answers
    never cross countries."""
    app = create_app(line_settings(tmp_path_factory.mktemp("country"), migrated_db))
    app.config["TESTING"] = True
    yield app
    services(app).close()


@pytest.fixture
def listening_call_from(one_line):
    """Like `call_from`, on the module's shared line (`one_line`)."""
    client, catalog = one_line.test_client(), CurrentCatalog(one_line)
    return lambda number: CallFrom(client, catalog, number=number).start()


def test_every_line_language_but_norwegian_has_a_main_country(catalog):
    assert set(MAIN_COUNTRY) == set(catalog.languages) - {"nb"}


@pytest.mark.parametrize("lang", sorted(MAIN_COUNTRY))
def test_a_call_from_the_main_country_hears_its_language_first_on_key_1(listening_call_from, lang):
    call = listening_call_from(mobile_number(MAIN_COUNTRY[lang]))
    first = call.spoken("lang_hint", lang, "1")
    assert call.heard[0].text == first, "the hinted option is the very first thing heard"
    assert call.heard_prompt("greeting", "en") and call.heard_prompt("greeting", "nb")
    assert not any(call.heard_prompt("lang_select", lang, str(k)) for k in range(1, 9)), (
        "the usual menu does not repeat the hinted language"
    )
    call.press("1")
    assert call.heard_prompt("intro", lang) and call.heard_prompt("menu_rights", lang, "1")


@pytest.mark.parametrize("country,lang", sorted(ORIGIN.items()))
def test_large_countries_of_origin_hear_their_callers_language_first(
    listening_call_from, country, lang
):
    call = listening_call_from(mobile_number(country))
    assert call.heard[0].text == call.spoken("lang_hint", lang, "1")


def test_after_the_hinted_language_the_usual_menu_moves_one_key_on(call_from, catalog):
    call = call_from(mobile_number("RO"))
    assert call.heard_prompt("lang_select", "en", "2") and call.heard_prompt(
        "lang_select", "nb", "3"
    )
    call.press("2")
    assert call.heard_prompt("intro", "en")


@pytest.mark.parametrize("number", WITHHELD)
def test_norwegian_withheld_and_unreadable_numbers_hear_the_usual_menu(listening_call_from, number):
    call = listening_call_from(number)
    assert call.heard[0].text == call.spoken("greeting", "en")
    assert call.heard_prompt("lang_select", "en", "1")
    assert not any(
        h.text == call.spoken("lang_hint", code, "1")
        for code in call.catalog.languages
        for h in call.heard
    )


def test_a_language_switched_off_is_not_offered_by_country(app, call_from):
    from ivr.schedule import write_setting

    write_setting(services(app).db, "disabled_languages", ["ro"])
    call = call_from(mobile_number("MD"))
    assert call.heard[0].text == call.spoken("greeting", "en")


def test_the_number_is_never_logged_put_in_a_url_or_stored(app, call_from, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="ivr")
    number = mobile_number("MD")
    national = str(phonenumbers.parse(number).national_number)
    call = call_from(number)
    call.press("9").press("#").press("1").press("2").press("*").press("#").silence()
    answers = "\n".join(call.documents)
    assert "hint=ro" in answers, "only the language travels in the URL"
    assert national not in answers and national not in caplog.text
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    assert services(app).events.flush()  # queued by the calls, written off their road
    services(app).db.engine.dispose()
    with open(database, "rb") as raw:
        assert national.encode() not in raw.read()
    with sqlite3.connect(database) as db:
        dump = "\n".join(db.iterdump())
        events = db.execute("SELECT node, event FROM call_event ORDER BY id").fetchall()
    assert national not in dump
    assert events[0] == ("incoming", "country_hint"), "one yes/no: the hint was offered"


def test_a_call_without_a_hint_records_the_usual_first_event(app, call_from):
    call_from("anonymous")
    assert services(app).events.flush()
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT event FROM call_event").fetchall() == [("language_menu",)]


@pytest.mark.parametrize(
    "number,country",
    [
        ("+40721234567", "RO"),
        ("+37360123456", "MD"),
        ("+77011234567", "KZ"),
        ("+79161234567", "RU"),
        ("+85291234567", "HK"),
        ("+4799999999", "NO"),
    ],
)
def test_country_of_reads_the_country_from_the_number(number, country):
    assert country_of(number) == country


@pytest.mark.parametrize("number", [*WITHHELD[:-3], None, "+" + "4" * 40])
def test_country_of_gives_nothing_for_withheld_or_malformed_numbers(number):
    assert country_of(number) is None


@pytest.mark.parametrize(
    "table,error",
    [
        ('ro = ["RO", "MD"]\nru = ["MD"]', "both ro and ru"),
        ('ro = ["Romania"]', "two-letter"),
        ('ro = "RO"', "must be a list"),
    ],
)
def test_a_malformed_country_map_is_refused_with_a_clear_message(tmp_path, table, error):
    prompts = tmp_path / "prompts"
    shutil.copytree(DEFAULTS["PROMPTS_DIR"], prompts)
    menu = (prompts / "menu.toml").read_text(encoding="utf-8")
    start = menu.index("[caller_country]")
    end = menu.index("\n[", start + 1)
    (prompts / "menu.toml").write_text(
        menu[:start] + "[caller_country]\n" + table + "\n" + menu[end:], encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=error):
        load_catalog(prompts)


def test_cached_answers_never_cross_countries(call_from):
    """The answer cache keys on the hinted language: a Romanian hint is not served to others."""
    romanian = call_from(mobile_number("RO")).documents[0]
    norwegian = call_from("+4799999999").documents[0]
    assert "hint=ro" in romanian and "hint=ro" not in norwegian
    assert call_from(mobile_number("RO")).documents[0] == romanian


def _numbers_to_compare() -> list[str | None]:
    """Numbers of every calling code (valid, too short, too long), and odd forms."""
    chance = random.Random(9)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    numbers: list[str | None] = [*WITHHELD, None, "", "+", "+0123456789", "+47 999 99 999"]
    numbers += ["+٤٧٩٩٩٩٩٩٩٩", "+1-876-555-0100", "+18765550100", "+447911123456", "+999"]
    for code in codes:
        for length in (4, 8, 9, 10, 12):
            numbers.append(f"+{code}" + "".join(chance.choice("0123456789") for _ in range(length)))
    return numbers


CATALOG = load_catalog(PROJECT_ROOT / "prompts")
NUMBERS_TO_COMPARE = _numbers_to_compare()


@pytest.mark.parametrize(
    "listed", [frozenset(CATALOG.caller_country), frozenset({"JM", "SJ", "GG"}), frozenset()]
)
def test_the_quick_country_check_agrees_with_the_full_one(listed):
    """The shortcut (no parsing when the calling code serves no listed country) never changes
    the answer: e.g. +1 serves the US and Jamaica alike, +44 Britain and Guernsey."""
    for number in NUMBERS_TO_COMPARE:
        full = country_of(number)
        assert listed_country_of(number, listed) == (full if full in listed else None), number
