"""Published staff texts override prompts/ everywhere; drafts, publishing and purging audio."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ivr import create_app
from ivr.catalog import Prompt, texts_fingerprint
from ivr.models import LanguageReview
from ivr.services import services
from ivr.texts import publish_version, read_overlay, save_version, use_file_text
from ivr.translations import segment_state

from .audio_fixtures import recordings
from .support import break_database
from .test_audio_build import human_wav, playing, run

pytestmark = pytest.mark.usefixtures("no_network")


def publish_text(app, segment: str, lang: str, text: str, by: str = "kari") -> None:
    db, catalog = services(app).db, services(app).catalog
    publish_version(db, save_version(db, catalog, segment, lang, text, by), by)
    services(app).texts.refresh()


def test_published_text_is_what_say_speaks_and_check_and_build_use(built_app, caller):
    publish_text(built_app, "goodbye", "en", "Goodbye from the staff text.")
    catalog = services(built_app).catalog
    assert catalog.text(Prompt("goodbye", "en")) == "Goodbye from the staff text."
    assert catalog.file_text("en", "goodbye") != "Goodbye from the staff text."
    check = run(built_app, "check", "--lang", "en")
    assert "goodbye" in check.output and "stale" in check.output
    build = run(built_app, "build", "--lang", "en", "--prompt", "goodbye")
    assert build.exit_code == 0 and playing(built_app, "goodbye").text_hash
    assert "goodbye" not in run(built_app, "check", "--lang", "en").output
    # a second build renders nothing: the published text is not overwritten by the file
    again = run(built_app, "build", "--lang", "en", "--prompt", "goodbye")
    assert again.output.splitlines()[1].split()[:3] == ["en", "0", "1"]


def test_a_changed_english_text_makes_translations_outdated_until_retranslated(app, catalog):
    before = segment_state(catalog, catalog.languages["nb"], "goodbye")
    assert before != "outdated"
    publish_text(app, "goodbye", "en", "Goodbye, and take care.")
    assert segment_state(catalog, catalog.languages["nb"], "goodbye") == "outdated"
    publish_text(app, "goodbye", "nb", "Ha det, og ta vare på deg selv.")
    assert segment_state(catalog, catalog.languages["nb"], "goodbye") == "draft"


def test_a_review_of_the_current_texts_makes_the_language_reviewed(app, catalog):
    db = services(app).db
    assert catalog.languages["nb"].status == "draft"
    with db.session() as s:
        s.add(
            LanguageReview(
                lang="nb",
                reviewed_by="Rolf",
                texts_hash=texts_fingerprint(catalog.languages["nb"].texts),
            )
        )
    services(app).texts.refresh()
    assert catalog.languages["nb"].status == "reviewed"
    publish_text(app, "goodbye", "nb", "Ha det bra, ny tekst.")
    assert catalog.languages["nb"].status == "draft"  # changed since the review


def test_back_to_the_file_text(app):
    publish_text(app, "goodbye", "en", "Staff goodbye.")
    assert use_file_text(services(app).db, "goodbye", "en")
    services(app).texts.refresh()
    catalog = services(app).catalog
    assert catalog.text(Prompt("goodbye", "en")) == catalog.file_text("en", "goodbye")


def test_published_texts_survive_a_database_outage_and_a_restart(app_settings, app):
    publish_text(app, "goodbye", "en", "Staff goodbye.")
    assert read_overlay(services(app).db).texts[("en", "goodbye")][0] == "Staff goodbye."
    break_database(app)
    restarted = create_app(app_settings)
    assert services(restarted).catalog.text(Prompt("goodbye", "en")) == "Staff goodbye."


def test_a_draft_recording_plays_only_once_published(built_app):
    lib = recordings(built_app)
    before = playing(built_app, "intro")
    draft = lib.import_recording("intro", "en", human_wav(), by="kari", draft=True)
    assert playing(built_app, "intro").hash == before.hash
    assert [r.id for r in lib.drafts()[("intro", "en")]] == [draft.id]
    lib.restore(draft.id, "kari", action="publish")
    assert playing(built_app, "intro").hash == draft.hash
    assert ("intro", "en") not in lib.drafts()


def _tts_of(app, prompt_id: str, words: str, by: str = "kari"):
    """A text-to-speech draft of `words`, as the staff pages render one for a text draft."""
    from ivr.audio.build import Builder
    from ivr.audio.engines import engines_from_setting

    lib = recordings(app)
    rendered = Builder(lib, engines_from_setting("espeak"), by=by).render(words, "en")
    return lib.add(
        lib.prompt(prompt_id, "en"),
        rendered.data,
        rendered.measure,
        source="tts",
        action="build",
        by=by,
        engine=rendered.engine,
        key=rendered.key,
        text=words,
        draft=True,
    )


def test_tts_of_an_unpublished_text_draft_cannot_play_on_its_own(built_app):
    """New words reach callers only by publishing the text: audio alone is refused, the
    CLI's restore included, and what plays keeps saying the published text."""
    from ivr.audio.library import OtherWords

    db, catalog, lib = services(built_app).db, services(built_app).catalog, recordings(built_app)
    before = playing(built_app, "goodbye")
    words = "Goodbye, in unreviewed words nobody published."
    version = save_version(db, catalog, "goodbye", "en", words, "kari")
    draft = _tts_of(built_app, "goodbye", words)
    with pytest.raises(OtherWords):
        lib.restore(draft.id, "kari", action="publish")
    refused = run(built_app, "restore", str(draft.id))
    assert refused.exit_code != 0
    assert playing(built_app, "goodbye").hash == before.hash
    publish_version(db, version, "kari")  # the text is published: now its audio may play
    lib.restore(draft.id, "kari", action="publish")
    assert playing(built_app, "goodbye").hash == draft.hash
    use_file_text(db, "goodbye", "en")  # back to the file's words: the draft's audio may not
    with pytest.raises(OtherWords):
        lib.restore(draft.id, "kari")
    lib.restore(before.id, "kari")  # the file's own audio may
    assert playing(built_app, "goodbye").hash == before.hash


def test_purge_removes_the_file_only_when_no_other_recording_uses_it(built_app):
    lib = recordings(built_app)
    old = playing(built_app, "intro")
    first = lib.import_recording("intro", "en", human_wav(), by="kari")
    twin = lib.import_recording("goodbye", "en", human_wav(), by="kari")
    assert first.hash == twin.hash
    with pytest.raises(ValueError, match="plays now"):
        lib.purge(first.id, "admin")
    second = lib.import_recording("intro", "en", human_wav(440), by="kari")
    with pytest.raises(ValueError, match="calls in progress may still fetch it"):
        lib.purge(first.id, "admin")  # it stopped playing a moment ago
    later = datetime.now(UTC) + timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        assert lib.purge(old.id, "admin") is True and not lib.store.has(old.hash)
        assert lib.purge(first.id, "admin") is False  # goodbye still plays the same file
        assert lib.store.has(first.hash)
        with pytest.raises(ValueError, match="purged"):
            lib.restore(first.id, "x")
        with pytest.raises(ValueError):
            lib.purge(first.id, "admin")  # once is enough
    assert playing(built_app, "intro").hash == second.hash


def test_say_fallback_speaks_the_published_text_as_the_pronunciation_step_prepares_it(app, caller):
    publish_text(app, "greeting", "en", "Welcome to KOM, from the staff text.")
    assert any(
        h.verb == "Say" and h.text == "Welcome to Kom, from the staff text." for h in caller().heard
    )


def test_another_process_sees_the_published_text_at_start_and_within_seconds(
    app_settings, app, caller
):
    other = create_app(app_settings)  # another gunicorn worker, answering calls
    other.test_client().get("/healthz")  # its first request starts its refresher
    texts = services(other).texts.snapshot
    assert texts.first_read.wait(10)
    version = texts.version
    publish_text(app, "goodbye", "en", "Staff goodbye.")
    fresh = create_app(app_settings)  # e.g. `ivr audio check` or a new worker
    assert services(fresh).catalog.text(Prompt("goodbye", "en")) == "Staff goodbye."
    assert texts.wait_for_change(version, timeout=2.0), "not seen within 2 s"
    assert services(other).catalog.text(Prompt("goodbye", "en")) == "Staff goodbye."
    for each in (other, fresh):
        services(each).close()
