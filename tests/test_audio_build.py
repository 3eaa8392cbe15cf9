"""The build and the CLI: nothing twice, stale texts, human recordings win, bad files refused."""

from __future__ import annotations

import pytest

from ivr import create_app
from ivr.audio import build as build_module
from ivr.audio import engines as engines_module
from ivr.audio.build import RERENDER_COMMAND
from ivr.audio.engines import EngineUnreachable
from ivr.services import services

from .audio_fixtures import recordings
from .support import tone

pytestmark = pytest.mark.usefixtures("no_network")


def run(app, *args):
    return app.test_cli_runner(mix_stderr=False).invoke(args=["audio", *args])


def human_wav(freq: int = 220, seconds: float = 2.0) -> bytes:
    """A person's recording, as far as the build can tell: a WAV file of a tone."""
    return tone(seconds, freq)


def playing(app, prompt_id: str, lang: str = "en"):
    return recordings(app).current()[(prompt_id, lang)]


def nothing_may_be_spoken(monkeypatch) -> None:
    """From now on, speaking or decoding any audio fails the test: a build must only look."""

    def refuse(*args, **kwargs):
        raise AssertionError("the build rendered audio that was up to date")

    monkeypatch.setattr(engines_module.ESpeakEngine, "speak", refuse)
    monkeypatch.setattr(build_module, "decode", refuse)


def test_build_renders_then_a_second_build_renders_nothing(app, monkeypatch):
    first = run(app, "build", "--lang", "en", "--prompt", "goodbye", "--prompt", "invalid")
    assert first.exit_code == 0, first.output + first.stderr
    assert first.output.splitlines()[1].split()[:3] == ["en", "2", "0"]
    nothing_may_be_spoken(monkeypatch)
    second = run(app, "build", "--lang", "en", "--prompt", "goodbye", "--prompt", "invalid")
    assert second.exit_code == 0, second.output + second.stderr
    assert second.output.splitlines()[1].split()[:3] == ["en", "0", "2"]


def test_full_rebuild_of_a_built_language_renders_nothing(built_app, monkeypatch):
    before = recordings(built_app).manifest()
    nothing_may_be_spoken(monkeypatch)
    result = run(built_app, "build", "--lang", "en")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines()[1].split()[1:3] == ["0", str(len(before))]
    assert recordings(built_app).manifest() == before


def test_changed_text_is_stale_in_check_and_rendered_again_by_build(app_settings, prompts_copy):
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    assert run(app, "build", "--lang", "nb", "--prompt", "goodbye").exit_code == 0
    (prompts_copy / "nb" / "goodbye.txt").write_text("Ha det bra. Ring oss gjerne igjen.\n")
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    state = recordings(app).state(
        recordings(app).prompt("goodbye", "nb"), playing(app, "goodbye", "nb")
    )
    assert state.state == "stale"
    check = run(app, "check", "--lang", "nb")
    assert check.exit_code == 1
    assert "goodbye" in check.output and "stale" in check.output
    rebuild = run(app, "build", "--lang", "nb", "--prompt", "goodbye")
    assert rebuild.output.splitlines()[1].split()[:2] == ["nb", "1"]
    state = recordings(app).state(
        recordings(app).prompt("goodbye", "nb"), playing(app, "goodbye", "nb")
    )
    assert state.state == "tts"


def test_import_replaces_tts_and_survives_rebuild_and_force(built_app, tmp_path):
    tts = playing(built_app, "greeting")
    upload = tmp_path / "greeting.wav"
    upload.write_bytes(human_wav())
    result = run(
        built_app, "import", str(upload), "--prompt", "greeting", "--lang", "en", "--by", "kari"
    )
    assert result.exit_code == 0, result.output + result.stderr
    human = playing(built_app, "greeting")
    assert human.source == "human" and human.hash != tts.hash and human.created_by == "kari"
    for args in (
        ["build", "--lang", "en"],
        ["build", "--lang", "en", "--force-tts", "--prompt", "greeting"],
    ):
        assert run(built_app, *args).exit_code == 0
        assert playing(built_app, "greeting").hash == human.hash
    assert recordings(built_app).store.read_manifest()[("greeting", "en")] == human.hash


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt garbage" + bytes(500), "not a readable audio file"),
        (b"Dear KOM, this is a text file, not a recording.\n" * 20, "not a readable audio file"),
        (b"", "empty"),
    ],
)
def test_corrupt_or_non_audio_import_is_refused_and_old_file_stays(
    built_app, tmp_path, content, reason
):
    before = playing(built_app, "intro")
    bad = tmp_path / "upload.wav"
    bad.write_bytes(content)
    result = run(built_app, "import", str(bad), "--prompt", "intro", "--lang", "en")
    assert result.exit_code == 1
    assert "refused" in result.stderr and reason in result.stderr
    assert "current audio stays" in result.stderr
    assert playing(built_app, "intro").hash == before.hash
    assert recordings(built_app).store.has(before.hash)


def test_silent_import_is_refused(built_app, tmp_path):
    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(tone(3, 300, volume=-110))
    result = run(built_app, "import", str(quiet), "--prompt", "intro", "--lang", "en")
    assert result.exit_code == 1 and "silent" in result.stderr


def test_import_of_unknown_prompt_names_the_choices(built_app, tmp_path):
    upload = tmp_path / "x.wav"
    upload.write_bytes(human_wav())
    result = run(built_app, "import", str(upload), "--prompt", "nope", "--lang", "en")
    assert result.exit_code == 1 and "greeting" in result.stderr


def test_history_and_restore_bring_back_the_tts_version(built_app):
    lib = recordings(built_app)
    tts = playing(built_app, "goodbye")
    lib.import_recording("goodbye", "en", human_wav(330), by="ola")
    versions = lib.history("goodbye", "en")
    assert [v.source for v in versions] == ["human", "tts"]
    lib.restore(tts.id, by="kari")
    assert playing(built_app, "goodbye").hash == tts.hash
    assert "now plays recording" in run(built_app, "restore", str(versions[0].id)).output
    assert playing(built_app, "goodbye").source == "human"
    listing = run(built_app, "history", "--prompt", "goodbye", "--lang", "en").output
    assert listing.splitlines()[0].startswith("*") and "human" in listing.splitlines()[0]


def test_states_for_staff_pages(built_app):
    states = {(s.prompt.id, s.prompt.lang): s.state for s in recordings(built_app).states()}
    assert states[("greeting", "en")] == "tts"
    assert states[("greeting", "nb")] == "missing"
    recordings(built_app).import_recording("greeting", "nb", human_wav(), by="kari")
    states = {(s.prompt.id, s.prompt.lang): s.state for s in recordings(built_app).states(["nb"])}
    assert states[("greeting", "nb")] == "human"


def test_check_passes_when_all_built_and_flags_quality_problems(built_app):
    assert run(built_app, "check", "--lang", "en").exit_code == 0
    from ivr.models import Recording

    with services(built_app).db.session() as session:
        rec = session.get(Recording, playing(built_app, "intro").id)
        rec.loudness, rec.duration = -40.0, 120.0
    result = run(built_app, "check", "--lang", "en")
    assert result.exit_code == 1
    assert "too quiet" in result.output and "too long" in result.output


class UnreachableGTTS:
    name = "gtts"
    calls = 0

    def voice_for(self, language):
        return language.gtts or None

    def speak(self, text, voice):
        UnreachableGTTS.calls += 1
        raise EngineUnreachable("gTTS unreachable: Failed to connect")


def test_unreachable_gtts_falls_back_offline_and_says_so_once(app, monkeypatch):
    monkeypatch.setitem(engines_module.ENGINES, "gtts", UnreachableGTTS)
    result = run(
        app,
        "build",
        "--engine",
        "gtts",
        "--engine",
        "espeak",
        "--lang",
        "en",
        "--lang",
        "nb",
        "--prompt",
        "goodbye",
        "--prompt",
        "invalid",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(RERENDER_COMMAND) == 1
    assert UnreachableGTTS.calls == 1, "an unreachable engine is not tried again"
    assert playing(app, "goodbye", "nb").engine == "espeak"


def test_a_language_without_tts_gets_none_and_check_demands_recordings(app_settings, prompts_copy):
    folder = prompts_copy / "xx"
    folder.mkdir()
    (folder / "language.toml").write_text(
        'name = "Testish"\ngtts = ""\nespeak = ""\nsay_language = ""\n'
    )
    (folder / "goodbye.txt").write_text("Bye in testish.")
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    build = run(app, "build", "--lang", "xx")
    assert build.exit_code == 0
    assert build.output.splitlines()[1].split() == [
        "xx",
        "0",
        "0",
        "0",
        "0",
        str(len(services(app).catalog.all_prompts("xx"))),
    ]
    check = run(app, "check", "--lang", "xx")
    assert check.exit_code == 1 and "no TTS and no <Say> voice" in check.output


def test_audio_migration_goes_down_and_up_again(app):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from ivr.db import MIGRATIONS

    db = services(app).db
    with db.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial")
    assert "recording" not in inspect(db.engine).get_table_names()
    db.upgrade()
    assert {"recording", "audio_choice", "audio_choice_event"} <= set(
        inspect(db.engine).get_table_names()
    )


def test_human_recording_of_a_changed_text_is_stale_but_never_replaced(app_settings, prompts_copy):
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    recordings(app).import_recording("goodbye", "nb", human_wav(), by="kari")
    (prompts_copy / "nb" / "goodbye.txt").write_text("Ha det bra. Ny tekst.\n")
    app = create_app({**app_settings, "PROMPTS_DIR": str(prompts_copy)})
    human = playing(app, "goodbye", "nb")
    check = run(app, "check", "--lang", "nb")
    assert "stale" in check.output and "record it again" in check.output
    build = run(app, "build", "--lang", "nb", "--prompt", "goodbye")
    assert build.output.splitlines()[1].split()[:4] == ["nb", "0", "0", "1"]
    assert playing(app, "goodbye", "nb").hash == human.hash
