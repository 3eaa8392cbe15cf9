"""Which recording plays after a segment's text changes, decided by `Recordings` alone: no HTTP,
no Flask. A person's recording beats TTS, a draft is never published behind the staff's back,
a stale person's recording keeps playing, and TTS is rendered only when nothing says the words.

The TTS engine is a stand-in that speaks a tone (its pitch depends on the words), made
telephone-ready by the real processing: the rules are tested, not the engine.
"""

from __future__ import annotations

import io
import shutil

import pytest
from pydub.generators import Sine

from ivr.audio.library import HUMAN, TTS, Recordings, Rendered, TextAudio, build_key, words_hash
from ivr.audio.processing import AudioRejected, decode, ffmpeg_exe, telephone_ready
from ivr.audio.store import AudioStore
from ivr.catalog import Prompt, load_catalog
from ivr.config import DEFAULTS
from ivr.db import Database

GREETING = Prompt("greeting", "en")
NEW_TEXT = "Welcome to the KOM information line, now in other words."


def tone(seconds: float, freq: int) -> bytes:
    """A WAV tone, as a phone or an engine might deliver it."""
    ffmpeg_exe()  # points pydub at the same ffmpeg as the processing
    buffer = io.BytesIO()
    Sine(freq).to_audio_segment(duration=int(seconds * 1000), volume=-10).export(buffer, "wav")
    return buffer.getvalue()


class ToneEngine:
    """Speaks words as a tone whose pitch depends on them; remembers what it was asked."""

    def __init__(self, fails: str = ""):
        self.spoken: list[str] = []
        self.fails = fails

    def __call__(self, words: str, lang: str) -> Rendered:
        self.spoken.append(words)
        if self.fails:
            raise AudioRejected(self.fails)
        data, measure = telephone_ready(
            decode(tone(1.0, 300 + int(words_hash(words)[:4], 16) % 500))
        )
        return Rendered(data, measure, "tone", "sine", build_key(words, lang, "tone", "sine"))


@pytest.fixture
def lib(tmp_path, migrated_db) -> Recordings:
    """The recordings of the shipped scripts, on a fresh database and an empty store."""
    db_file = tmp_path / "ivr.sqlite3"
    shutil.copy(migrated_db, db_file)
    db = Database(f"sqlite:///{db_file}")
    files = load_catalog(DEFAULTS["PROMPTS_DIR"])
    yield Recordings(lambda: files, db, AudioStore(tmp_path / "store"))
    db.engine.dispose()


def built(lib: Recordings, prompt: Prompt, words: str | None = None):
    """A TTS recording of the prompt (of `words`, else its file text) that plays, as a build."""
    said = lib.catalog.text(prompt) if words is None else words
    rendered = ToneEngine()(said, prompt.lang)
    return lib.add(
        prompt,
        rendered.data,
        rendered.measure,
        source=TTS,
        action="build",
        by="build",
        engine="tone",
        voice="sine",
        key=rendered.key,
        text=said,
    )


def person(lib: Recordings, prompt: Prompt, words: str | None = None, draft: bool = False):
    """A person's recording of the prompt saying `words` (else its file text)."""
    recording = lib.import_recording(prompt.id, prompt.lang, tone(1.5, 220), "Eva", draft=draft)
    if words is not None:  # a recording of another text: say so in its fingerprint
        with lib.db.session() as s:
            s.merge(recording).text_hash = words_hash(words)
    return lib.get(recording.id)


def playing(lib: Recordings, prompt: Prompt = GREETING):
    return lib.current()[(prompt.id, prompt.lang)]


def test_a_saved_text_gets_a_tts_draft_per_prompt_and_nothing_plays_differently(lib):
    before = built(lib, GREETING)
    engine = ToneEngine()
    outcome = lib.draft_tts("greeting", "en", NEW_TEXT, engine, "Eva")
    assert outcome.failed is None and len(outcome.done) == 1
    assert engine.spoken == [NEW_TEXT]
    assert playing(lib).id == before.id
    draft = lib.tts_saying(GREETING, NEW_TEXT)
    assert draft is not None and draft.id in {r.id for r in lib.drafts()[("greeting", "en")]}


def test_a_text_already_rendered_is_not_rendered_again(lib):
    lib.draft_tts("greeting", "en", NEW_TEXT, ToneEngine(), "Eva")
    engine = ToneEngine()
    assert lib.draft_tts("greeting", "en", NEW_TEXT, engine, "Eva") == TextAudio()
    assert engine.spoken == []


def test_a_keyed_segment_gets_the_key_filled_in_for_each_prompt(lib):
    engine = ToneEngine()
    lib.draft_tts("lang_select", "en", "For English, press {key}.", engine, "Eva")
    keys = [p.key for p in lib.segment_prompts("lang_select", "en")]
    assert len(keys) > 1
    assert engine.spoken == [f"For English, press {k}." for k in keys]


def test_when_no_engine_speaks_the_reason_is_given_and_nothing_changes(lib):
    before = built(lib, GREETING)
    outcome = lib.draft_tts("greeting", "en", NEW_TEXT, ToneEngine(fails="espeak: broken"), "Eva")
    assert outcome.failed == "espeak: broken"
    assert playing(lib).id == before.id and lib.tts_saying(GREETING, NEW_TEXT) is None


def test_a_published_text_plays_its_tts(lib):
    built(lib, GREETING)
    lib.draft_tts("greeting", "en", NEW_TEXT, ToneEngine(), "Eva")
    outcome = lib.play_text("greeting", "en", NEW_TEXT, "Eva")
    assert not outcome.kept_human
    assert playing(lib).source == TTS and playing(lib).text_hash == words_hash(NEW_TEXT)
    assert lib.store.read_manifest()[("greeting", "en")] == playing(lib).hash


def test_a_persons_recording_keeps_playing_when_a_text_is_published_and_is_stale(lib):
    recorded = person(lib, GREETING)
    lib.draft_tts("greeting", "en", NEW_TEXT, ToneEngine(), "Eva")
    outcome = lib.play_text("greeting", "en", NEW_TEXT, "Eva")
    assert outcome.kept_human
    assert playing(lib).id == recorded.id and playing(lib).source == HUMAN


def test_a_persons_recording_of_the_same_words_is_not_called_stale(lib):
    person(lib, GREETING, words=NEW_TEXT)
    assert not lib.play_text("greeting", "en", NEW_TEXT, "Eva").kept_human


def test_going_back_to_the_file_plays_the_recording_that_said_it_before(lib):
    before = built(lib, GREETING)
    lib.draft_tts("greeting", "en", NEW_TEXT, ToneEngine(), "Eva")
    lib.play_text("greeting", "en", NEW_TEXT, "Eva")
    engine = ToneEngine()
    outcome = lib.play_file_text("greeting", "en", engine, "Eva")
    assert playing(lib).id == before.id and engine.spoken == []
    assert outcome.done == (f"greeting: version {before.id} (tts)",)


def test_going_back_to_the_file_prefers_a_persons_earlier_recording_to_tts(lib):
    recorded = person(lib, GREETING)
    built(lib, GREETING)  # a later build of the same words
    built(lib, GREETING, words=NEW_TEXT)  # then a staff text played
    lib.play_file_text("greeting", "en", ToneEngine(), "Eva")
    assert playing(lib).id == recorded.id


def test_going_back_to_the_file_never_publishes_a_draft(lib):
    built(lib, GREETING, words=NEW_TEXT)
    draft = person(lib, GREETING, draft=True)  # says the file's words but never played
    engine = ToneEngine()
    outcome = lib.play_file_text("greeting", "en", engine, "Eva")
    assert playing(lib).id != draft.id and playing(lib).source == TTS
    assert engine.spoken == [lib.catalog.text(GREETING)]
    assert outcome.done == (f"greeting: TTS {playing(lib).id}",)


def test_going_back_to_the_file_keeps_a_playing_persons_recording_and_drafts_the_tts(lib):
    recorded = person(lib, GREETING, words=NEW_TEXT)
    outcome = lib.play_file_text("greeting", "en", ToneEngine(), "Eva")
    assert outcome.kept_human and playing(lib).id == recorded.id
    assert lib.tts_saying(GREETING, lib.catalog.text(GREETING)) is not None


def test_going_back_to_the_file_with_nothing_to_do_changes_nothing(lib):
    before = built(lib, GREETING)
    engine = ToneEngine()
    assert lib.play_file_text("greeting", "en", engine, "Eva") == TextAudio()
    assert playing(lib).id == before.id and engine.spoken == []


def test_going_back_to_the_file_says_why_when_no_audio_could_be_made(lib):
    before = built(lib, GREETING, words=NEW_TEXT)
    outcome = lib.play_file_text("greeting", "en", ToneEngine(fails="no engine"), "Eva")
    assert outcome.failed == "no engine" and not outcome.kept_human
    assert playing(lib).id == before.id
