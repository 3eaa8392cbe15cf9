"""The engines: eSpeak NG speaks offline, gTTS failures are told apart, the setting is checked."""

from __future__ import annotations

import pytest
from gtts.tts import gTTSError

from ivr import create_app
from ivr.audio.engines import (
    EngineError,
    EngineUnreachable,
    ESpeakEngine,
    GTTSEngine,
    engines_from_setting,
)
from ivr.config import ConfigError

pytestmark = pytest.mark.usefixtures("no_network")


def test_espeak_speaks_every_language_of_the_catalog(catalog):
    engine = ESpeakEngine()
    for code, language in catalog.languages.items():
        if not language.espeak:
            assert engine.voice_for(language) is None, code
            continue
        speech = engine.speak(
            catalog.text(catalog.all_prompts(code)[0]), engine.voice_for(language)
        )
        assert speech.format == "s16le" and speech.rate == 22050
        assert len(speech.data) > speech.rate, code  # more than half a second


def test_engines_follow_the_setting_and_skip_languages_they_cannot_speak(catalog):
    gtts, espeak = engines_from_setting("gtts, espeak")
    assert (gtts.name, espeak.name) == ("gtts", "espeak")
    assert gtts.voice_for(catalog.languages["nb"]) == "no"
    assert espeak.voice_for(catalog.languages["nb"]) == "nb"
    assert gtts.timeout == (2, 4)


def test_unknown_engine_refuses_to_start(app_settings):
    with pytest.raises(ConfigError, match="TTS_ENGINES"):
        create_app({**app_settings, "TTS_ENGINES": "gtts,festival"})
    with pytest.raises(ValueError):
        engines_from_setting("polly")


def test_gtts_without_an_answer_is_unreachable_and_a_refusal_is_an_error(monkeypatch):
    def no_answer(self, fp):
        raise gTTSError("Failed to connect")

    monkeypatch.setattr("gtts.tts.gTTS.write_to_fp", no_answer)
    with pytest.raises(EngineUnreachable):
        GTTSEngine().speak("Hello", "en")

    class Answer:
        status_code = 500
        reason = "Internal Server Error"

    def refused(self, fp):
        raise gTTSError("500", response=Answer())

    monkeypatch.setattr("gtts.tts.gTTS.write_to_fp", refused)
    with pytest.raises(EngineError) as caught:
        GTTSEngine().speak("Hello", "en")
    assert not isinstance(caught.value, EngineUnreachable)
