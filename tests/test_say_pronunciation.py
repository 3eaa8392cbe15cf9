"""What Twilio's <Say> speaks goes through the pronunciation step, as recorded audio does.

Whenever a prompt has no recording (no audio yet, a language with no offline voice such as
Tagalog, a text published but not yet rendered, the fallback and error answers), Twilio's voice
reads the text. It must say "112" digit by digit and KOM's number as the language's
speech.toml says, never "one hundred and twelve"; KOM in the language's own script. The
expected words are read straight from each speech.toml here, not through the code under test.
"""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
import pytest
import time_machine

from ivr import create_app
from ivr.audio.engines import ESpeakEngine
from ivr.audio.pronounce import said_by_twilio
from ivr.catalog import Prompt, load_catalog
from ivr.config import DEFAULTS
from ivr.hours import OSLO
from ivr.services import services
from ivr.simulator import Options, SimulatedCall

from .conftest import BASE, CALL_PARAMS, Call, sign

CATALOG = load_catalog(DEFAULTS["PROMPTS_DIR"])
LANGUAGES = sorted(CATALOG.languages)
CHRISTMAS_DAY = (2026, 12, 25, 10, 0)  # KOM is closed: pressing 0 gives the callback prompt


def rules(lang: str) -> dict:
    """The language's speech.toml, read as a file."""
    return tomllib.loads((CATALOG.root / lang / "speech.toml").read_text(encoding="utf-8"))


def emergency(lang: str) -> str:
    return rules(lang)["numbers"]["112"]


def kom_number(lang: str) -> str:
    return rules(lang)["numbers"]["47 45 15 00"]


def post(client, path: str, extra: dict | None = None) -> ET.Element:
    url = BASE + path
    params = {**CALL_PARAMS, **(extra or {})}
    response = client.post(url, data=params, headers={"X-Twilio-Signature": sign(url, params)})
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return ET.fromstring(response.get_data(as_text=True))


def says(root: ET.Element) -> list[ET.Element]:
    return list(root.iter("Say"))


def assert_callback_said_right(root: ET.Element, lang: str) -> None:
    """The callback prompt, in the language's voice: 112 and KOM's number as speech.toml says,
    and no raw number or name anywhere in what is spoken."""
    language = CATALOG.languages[lang]
    spoken = [s for s in says(root) if kom_number(lang) in (s.text or "")]
    assert spoken, f"{lang}: KOM's number is not said as speech.toml says"
    callback = spoken[0]
    assert callback.get("language") == language.say_language
    assert callback.get("voice") == language.say_voice
    assert (callback.text or "").count(kom_number(lang)) == 2, "the number is said twice"
    assert emergency(lang) in (callback.text or "")
    for said in says(root):
        text = said.text or ""
        assert "112" not in text and "47. 45" not in text, (lang, text)
        assert not any(name in text for name in rules(lang)["names"]), (lang, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_callback_prompt_said_by_twilio_says_112_and_koms_number_digit_by_digit(client, lang):
    with time_machine.travel(datetime(*CHRISTMAS_DAY, tzinfo=OSLO), tick=False):
        root = post(client, f"/voice/step?node=menu&lang={lang}", {"Digits": "0"})
    assert_callback_said_right(root, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_fallback_url_says_the_numbers_right_in_the_callers_language(client, lang):
    assert_callback_said_right(post(client, f"/voice/fallback?lang={lang}"), lang)


@pytest.mark.parametrize("lang", ["en", "th", "tl", "zh"])
def test_an_error_in_a_webhook_still_says_the_numbers_right(client, monkeypatch, lang):
    import ivr.flow

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ivr.flow, "next_step", broken)
    root = post(client, f"/voice/step?node=menu&lang={lang}", {"Digits": "1"})
    assert_callback_said_right(root, lang)
    assert root.find("Hangup") is not None


def test_the_last_resort_answer_says_the_numbers_as_english_speech_rules_do(client, monkeypatch):
    from ivr.voice import routes, twiml

    def broken(*args, **kwargs):
        raise RuntimeError("no catalog")

    monkeypatch.setattr(routes, "say_only", broken)
    [said] = says(post(client, "/voice/fallback"))
    assert said.text == said_by_twilio(CATALOG.root, "en", twiml.EMERGENCY_TEXT)
    assert emergency("en") in said.text and kom_number("en") in said.text
    assert "112" not in said.text and "KOM" not in said.text


@dataclass
class CallFrom(Call):
    """A call from a given number (Twilio's `From`)."""

    number: str = "+4799999999"

    def post(self, url, extra=None):
        return super().post(url, {"From": self.number, **(extra or {})})


def philippine_number() -> str:
    example = phonenumbers.example_number_for_type("PH", phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def test_tagalog_has_no_offline_voice_so_a_call_in_tagalog_hears_twilio_say_the_digits(
    built_app,
):
    assert ESpeakEngine().voice_for(CATALOG.languages["tl"]) is None
    catalog = services(built_app).catalog
    with time_machine.travel(datetime(*CHRISTMAS_DAY, tzinfo=OSLO), tick=False):
        call = CallFrom(built_app.test_client(), catalog, number=philippine_number()).start()
        assert call.heard[0].verb == "Say" and call.heard[0].language == "fil-PH"
        assert any(h.verb == "Play" for h in call.heard), "English is recorded"
        call.press("1")  # Tagalog, offered first to a Philippine number
        intro = call.heard[0]
        assert intro.verb == "Say" and intro.language == "fil-PH"
        assert emergency("tl") in intro.text and "112" not in intro.text
        assert "Kom" in intro.text and "KOM" not in intro.text
        call.press("0")
    assert call.heard_prompt("closed", "tl") and call.heard_prompt("callback", "tl")
    assert call.said.count(kom_number("tl")) == 2 and "47. 45" not in call.said
    assert emergency("tl") in call.said and "112" not in call.said


def test_a_twilio_only_rule_changes_what_say_speaks_and_is_read_at_start(
    prompts_copy, app_settings
):
    speech = prompts_copy / "en" / "speech.toml"
    speech.write_text(
        speech.read_text(encoding="utf-8") + '\n[engine.twilio.names]\nKOM = "Komm"\n',
        encoding="utf-8",
    )
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    try:
        speech.unlink()  # not read while a caller waits: a webhook reading it now finds none
        call = Call(app.test_client(), services(app).catalog).start()
        assert call.heard_prompt("greeting", "en"), "the twilio target is what <Say> speaks"
        assert "Komm" in call.spoken("greeting", "en") and "KOM" not in call.said
    finally:
        services(app).close()


def test_a_broken_speech_file_is_logged_and_say_speaks_the_words_as_written(
    prompts_copy, app_settings, caplog
):
    (prompts_copy / "en" / "speech.toml").write_text("[numbers\n", encoding="utf-8")
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    try:
        assert any("speech rules of en" in r.getMessage() for r in caplog.records)
        catalog = services(app).catalog
        with time_machine.travel(datetime(*CHRISTMAS_DAY, tzinfo=OSLO), tick=False):
            call = Call(app.test_client(), catalog).start().press("1").press("0")
        assert call.heard_prompt("callback", "en"), "the callback prompt, not an error answer"
        assert "112" in call.said and catalog.text(Prompt("callback", "en")) in call.said
        assert emergency("nb") in Call(app.test_client(), catalog).start().press("2").said
    finally:
        services(app).close()


def test_the_simulator_names_the_prompt_shows_the_staff_text_and_how_it_is_spoken(app):
    at = datetime(*CHRISTMAS_DAY, tzinfo=OSLO)
    call = SimulatedCall(app, Options(at=at, caller=philippine_number()))
    call.start()
    call.press("1")
    lines = call.press("0")
    [callback] = [line for line in lines if line.prompt == "callback"]
    assert callback.kind == "say" and callback.lang == "tl"
    catalog = services(app).catalog
    assert callback.text == catalog.text(Prompt("callback", "tl"))
    assert "112" in callback.text and "47. 45. 15. 00" in callback.text
    assert emergency("tl") in callback.spoken and kom_number("tl") in callback.spoken
    assert callback.english == catalog.text(Prompt("callback", "en"))


def test_ivr_call_names_the_prompt_and_prints_how_twilio_says_it(app):
    result = app.test_cli_runner().invoke(
        args=["call", "--at", "2026-12-25 10:00", "--keys", "2,0"]  # Norwegian, then 0
    )
    assert result.exit_code == 0, result.output
    assert "prompt callback" in result.output
    assert services(app).catalog.file_text("nb", "callback") in result.output
    rows = result.output.splitlines()
    spoken = [row for row in rows if row.strip().startswith("said as:") and "en en to" in row]
    assert any(kom_number("nb") in row for row in spoken)
    assert not any("112" in row for row in spoken)
