"""A language with no text-to-speech and no Twilio voice (like Tigrinya) lives on human
recordings alone: hidden from callers until every prompt is recorded, then offered and played."""

import io
import math
import shutil
import struct
import wave

import pytest

from ivr import create_app
from ivr.catalog import load_catalog
from ivr.config import DEFAULTS
from ivr.services import services
from ivr.translations import stamp

from .conftest import Call


def tone_wav(seconds: float = 1.2, hz: float = 330.0, rate: int = 16000) -> bytes:
    """A short tone standing in for a person's recording of a prompt."""
    frames = b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


@pytest.fixture
def recorded_only(app_settings, tmp_path):
    """The shipped prompts plus `ti`: texts (for staff and reviewers) but no voice anywhere."""
    prompts = tmp_path / "prompts"
    shutil.copytree(DEFAULTS["PROMPTS_DIR"], prompts)
    ti = prompts / "ti"
    shutil.copytree(prompts / "en", ti)
    (ti / "language.toml").write_text(
        'name = "Tigrinya (test)"\nname_nb = "tigrinja"\ngtts = ""\nespeak = ""\n'
        'say_language = ""\nsay_voice = ""\nstatus = "draft"\n',
        encoding="utf-8",
    )
    stamp(load_catalog(prompts), "ti", [])
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts)})
    app.config["TESTING"] = True
    return app


def offered(app) -> list[str]:
    from ivr.voice.routes import _line

    with app.test_request_context("/voice", method="POST"):
        return [code for page in _line().pages for code in page]


def test_language_without_any_voice_waits_for_recordings(recorded_only):
    app = recorded_only
    runner = app.test_cli_runner()
    assert "ti" not in offered(app), "callers would hear nothing (or English)"
    build = runner.invoke(args=["audio", "build", "--lang", "ti"])
    assert build.exit_code == 0, build.output
    assert services(app).recordings.current() == {}
    check = runner.invoke(args=["audio", "check", "--lang", "ti"])
    missing = [
        line
        for line in check.output.splitlines()
        if line.startswith("ti ") and "no TTS and no <Say> voice" in line
    ]
    assert check.exit_code != 0
    assert len(missing) == len(services(app).catalog.all_prompts("ti"))


def test_fully_recorded_language_is_offered_and_played(recorded_only, tmp_path):
    app = recorded_only
    catalog = services(app).catalog
    recordings = services(app).recordings
    recording = tone_wav()
    for prompt in catalog.all_prompts("ti"):
        recordings.import_recording(prompt.id, "ti", recording, by="test")
    services(app).audio.invalidate()

    assert "ti" in offered(app)
    check = app.test_cli_runner().invoke(args=["audio", "check", "--lang", "ti"])
    assert check.exit_code == 0, check.output

    pages = catalog.menu_pages(set(offered(app)))
    page = next(i for i, p in enumerate(pages) if "ti" in p)
    call = Call(app.test_client(), catalog).start()
    if page:
        call.press(catalog.more_key)
    call.press(str(pages[page].index("ti") + 1))
    assert call.heard and all(h.verb == "Play" for h in call.heard)
    assert all(h.text.startswith("/audio/") and h.text.endswith(".wav") for h in call.heard)
