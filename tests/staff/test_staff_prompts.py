"""The prompt pages: grid, detail, uploads (drafts), publish, restore, purge, texts.

Real audio throughout: English is built with eSpeak NG once per session; uploads are tones
made with pydub and decoded by ffmpeg like any upload. No network beyond loopback.
"""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from sqlalchemy import select
from staff_support import ADMIN, EDITOR, REVIEWER, Staff, decimal, flashed, says

from ivr import create_app
from ivr.catalog import Prompt
from ivr.models import Recording, TextVersion
from ivr.services import services
from tests.audio_fixtures import install_built
from tests.support import tone


def after_purge_grace():
    """Eleven minutes on: versions that stopped playing may be purged (PURGE_GRACE)."""
    from datetime import UTC, datetime, timedelta

    return time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False)


pytestmark = pytest.mark.usefixtures("no_network")
GREETING = "/staff/prompts/greeting/en"


@pytest.fixture
def app(app_settings, built_english):
    """The staff app with every English prompt built (eSpeak NG)."""
    install_built(app_settings, built_english)
    app = create_app(app_settings)
    app.config["TESTING"] = True
    yield app
    services(app).db.engine.dispose()


def playing(app, prompt_id: str = "greeting", lang: str = "en") -> str:
    return services(app).recordings.manifest()[(prompt_id, lang)]


def played(call) -> list[str]:
    return [h.text for h in call.heard if h.verb == "Play"]


def upload(staff, data: bytes, name: str = "opptak.wav", path: str = GREETING, **kwargs):
    return staff.client.post(
        f"{path}/upload",
        content_type="multipart/form-data",
        data={"csrf_token": staff.token(path), "recording": (io.BytesIO(data), name)},
        **kwargs,
    )


def newest(app, prompt_id: str = "greeting", lang: str = "en") -> Recording:
    return services(app).recordings.history(prompt_id, lang)[0]


def test_grid_shows_every_prompt_and_language_with_audio_and_text_state(staff):
    staff.sign_in()
    page = staff.client.get("/staff/prompts").get_data(as_text=True)
    assert 'id="cell-greeting-en"' in page and 'id="cell-menu_rights-1-nb"' in page
    en_cell = page.split('id="cell-greeting-en"')[1].split("</td>")[0]
    assert 'class="audio tts"' in en_cell and 'class="text-state source"' in en_cell
    nb_cell = page.split('id="cell-greeting-nb"')[1].split("</td>")[0]
    assert 'class="audio say"' in nb_cell and 'class="text-state draft"' in nb_cell
    assert says("audio.say") in nb_cell and says("text.draft") in nb_cell
    only_nb = staff.client.get("/staff/prompts?lang=nb").get_data(as_text=True)
    assert 'id="cell-greeting-nb"' in only_nb and 'id="cell-greeting-en"' not in only_nb


def test_prompt_pages_need_a_sign_in(client):
    for path in ("/staff/prompts", GREETING):
        response = client.get(path)
        assert response.status_code == 302 and "/staff/sign-in" in response.location


def test_prompt_page_has_the_text_and_a_player_of_what_plays_now(staff, app, catalog):
    staff.sign_in(REVIEWER)
    page = staff.client.get(GREETING).get_data(as_text=True)
    assert f'src="/audio/{playing(app)}.wav"' in page
    assert catalog.text(Prompt("greeting", "en")) in page
    assert 'id="upload-form"' not in page  # reviewers only listen
    assert staff.client.get("/staff/prompts/nope/en").status_code == 404
    assert staff.client.get("/staff/prompts/greeting/xx").status_code == 404


def test_upload_is_a_draft_until_published_then_callers_hear_it_and_restore_undoes(
    staff, app, caller, audit_actions
):
    staff.sign_in()
    old = playing(app)
    assert f"/audio/{old}.wav" in played(caller())
    response = upload(staff, tone())
    assert response.status_code == 302 and response.location.endswith(
        f"#recording-{newest(app).id}"
    )
    draft = newest(app)
    assert draft.source == "human" and draft.duration > 1 and playing(app) == old
    stored = [p.name for p in services(app).recordings.store.root.rglob("*")]
    assert f"{draft.hash}.wav" in stored  # stored under its hash ...
    assert not any("opptak" in name for name in stored)  # ... never under the uploaded name
    page = staff.client.get(GREETING).get_data(as_text=True)
    assert f'src="/audio/{draft.hash}.wav"' in page
    assert f'aria-label="{says("prompt.publish")}: {says("prompt.version")} {draft.id}"' in page
    assert f"/audio/{old}.wav" in played(caller())  # callers still hear the old one

    assert staff.post(f"/staff/recordings/{draft.id}/publish", page=GREETING).status_code == 302
    assert playing(app) == draft.hash
    assert f"/audio/{draft.hash}.wav" in played(caller())

    old_id = next(r.id for r in services(app).recordings.history("greeting", "en") if r.hash == old)
    assert staff.post(f"/staff/recordings/{old_id}/publish", page=GREETING).status_code == 302
    assert f"/audio/{old}.wav" in played(caller())
    actions = [a[1] for a in audit_actions()]
    assert actions[-3:] == ["recording.upload", "recording.publish", "recording.restore"]


@pytest.mark.parametrize(
    "fmt, name", [("mp3", "memo.mp3"), ("ogg", "memo.ogg"), ("adts", "memo.aac")]
)
def test_phone_formats_are_accepted(staff, app, fmt, name):
    staff.sign_in()
    response = upload(staff, tone(fmt=fmt), name=name, follow_redirects=True)
    draft = newest(app)
    assert draft.source == "human" and 1.5 < draft.duration < 3
    saved = says("upload.saved", duration=decimal(draft.duration), loudness=decimal(draft.loudness))
    assert ("info", saved) in flashed(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "data, message",
    [
        (b"this is a text file, not audio" * 10, "ikke en lydfil"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "ikke en lydfil"),
        ("silent", "stille"),
        ("long", "lengre enn 90 sekunder"),
        (b"", "Filen er tom"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_changes(
    staff, app, audit_actions, data, message
):
    staff.sign_in()
    if data == "silent":
        data = tone(volume=-120)
    elif data == "long":
        data = tone(seconds=95, volume=-10)
    before, count = playing(app), len(services(app).recordings.history("greeting", "en"))
    response = upload(staff, data, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert playing(app) == before
    assert len(services(app).recordings.history("greeting", "en")) == count
    assert "recording.upload" not in [a[1] for a in audit_actions()]


def test_too_large_upload_is_refused_before_it_is_read(app_settings, accounts):
    small = create_app({**app_settings, "STAFF_UPLOAD_MAX_MB": 1})
    staff = Staff(small.test_client())
    staff.sign_in(EDITOR)
    response = upload(staff, b"\0" * (1024 * 1024 + 10))
    assert response.status_code == 413
    assert ("error", says("upload.too_large", mb=1)) in flashed(response.get_data(as_text=True))
    services(small).db.engine.dispose()


def test_refusals_wrong_role_bad_csrf_not_signed_in(staff, app, client):
    before = playing(app)
    count = len(services(app).recordings.history("greeting", "en"))
    # not signed in: sent to sign in, nothing stored
    response = client.post(
        f"{GREETING}/upload",
        data={"recording": (io.BytesIO(tone()), "a.wav")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    staff.sign_in(REVIEWER)
    assert upload(staff, tone()).status_code == 403
    rid = newest(app).id
    assert staff.post(f"/staff/recordings/{rid}/publish", page=GREETING).status_code == 403
    assert staff.post(f"{GREETING}/text", {"text": "x"}, page=GREETING).status_code == 403
    staff.client.post("/staff/sign-out", data={"csrf_token": staff.token(GREETING)})
    staff.sign_in(EDITOR)
    bad = staff.client.post(
        f"{GREETING}/upload",
        content_type="multipart/form-data",
        data={"csrf_token": "forged", "recording": (io.BytesIO(tone()), "a")},
    )
    assert bad.status_code == 400
    assert staff.client.get(f"/staff/recordings/{rid}/purge").status_code == 403  # admins only
    assert playing(app) == before
    assert len(services(app).recordings.history("greeting", "en")) == count


def test_admin_purges_an_old_version_after_confirming(staff, app, audit_actions):
    staff.sign_in(ADMIN)
    lib = services(app).recordings
    old = lib.current()[("greeting", "en")]
    upload(staff, tone())
    staff.post(f"/staff/recordings/{newest(app).id}/publish", page=GREETING)
    page = f"/staff/recordings/{old.id}/purge"
    too_soon = staff.post(page, page=page, follow_redirects=True)
    assert ("error", says("err.purge_soon")) in flashed(too_soon.get_data(as_text=True))
    assert lib.store.has(old.hash)
    with after_purge_grace():
        confirm = staff.client.get(page)
        assert confirm.status_code == 200
        assert f">{says('purge.confirm')}</button>" in confirm.get_data(as_text=True)
        assert staff.post(page, page=page).status_code == 302
        assert not lib.store.has(old.hash) and lib.get(old.id).purged_at is not None
        assert audit_actions()[-1][1] == "recording.purge"
        current = newest(app)
        refused = staff.post(
            f"/staff/recordings/{current.id}/purge", page=GREETING, follow_redirects=True
        )
        assert ("error", says("err.purge_current")) in flashed(refused.get_data(as_text=True))
        assert lib.store.has(current.hash)


def test_a_draft_stays_a_draft_after_a_newer_recording_is_published(staff, app):
    staff.sign_in(ADMIN)
    lib = services(app).recordings
    upload(staff, tone())
    older = newest(app)
    upload(staff, tone(freq=440))
    staff.post(f"/staff/recordings/{newest(app).id}/publish", page=GREETING)
    assert older.id in {r.id for r in lib.drafts()[("greeting", "en")]}
    page = staff.client.get("/staff/prompts?lang=en").get_data(as_text=True)
    assert 'data-draft="audio"' in page.split('id="cell-greeting-en"')[1].split("</td>")[0]
    purge = f"/staff/recordings/{older.id}/purge"
    staff.post(purge, page=purge)
    assert ("greeting", "en") not in lib.drafts()  # purged: no longer waiting


def test_players_have_accessible_names(staff, app):
    staff.sign_in(ADMIN)
    current = services(app).recordings.current()[("greeting", "en")]
    page = staff.client.get(GREETING).get_data(as_text=True)
    player = re.search(r'<audio id="player-now"[^>]*>', page).group(0)
    listen, version = says("prompt.listen"), says("prompt.version")
    assert f'aria-label="{listen}: {says("prompt.now")} ({version} {current.id})"' in player
    upload(staff, tone())
    draft = newest(app)
    confirm = staff.client.get(f"/staff/recordings/{draft.id}/purge").get_data(as_text=True)
    assert re.search(rf'<audio [^>]*aria-label="{listen}: {version} {draft.id}"', confirm)


def test_recorder_script_gets_where_to_go_as_json(staff, app):
    staff.sign_in()
    response = upload(staff, tone(fmt="ogg"), name="browser-recording", headers={"X-Recorder": "1"})
    assert response.status_code == 200
    assert response.json["location"].startswith(GREETING)


def test_edited_text_is_a_draft_with_tts_then_published_everywhere_and_restorable(
    staff, app, catalog, caller, audit_actions
):
    staff.sign_in()
    old_text, old_audio = catalog.text(Prompt("greeting", "en")), playing(app)
    new_text = "Welcome to the KOM line. This is the corrected greeting."
    response = staff.post(
        f"{GREETING}/text", {"text": new_text}, page=GREETING, follow_redirects=True
    )
    assert ("info", says("text.saved")) in flashed(response.get_data(as_text=True))
    draft = newest(app)
    assert draft.source == "tts" and playing(app) == old_audio
    assert catalog.text(Prompt("greeting", "en")) == old_text
    with services(app).db.session() as s:
        version = s.scalars(select(TextVersion)).one()
    assert version.text == new_text and version.created_by.endswith(f"<{EDITOR}>")

    assert staff.post(f"/staff/texts/{version.id}/publish", page=GREETING).status_code == 302
    assert catalog.text(Prompt("greeting", "en")) == new_text
    assert playing(app) == draft.hash and f"/audio/{draft.hash}.wav" in played(caller())
    check = app.test_cli_runner().invoke(args=["audio", "check", "--lang", "en"])
    assert "greeting" not in check.output  # not stale: the audio says the published text
    page = staff.client.get("/staff/prompts/greeting/nb").get_data(as_text=True)
    assert 'class="text-state outdated"' in page  # the translation no longer matches the English

    response = staff.post(f"{GREETING}/text/file", page=GREETING)
    assert response.status_code == 302
    assert catalog.text(Prompt("greeting", "en")) == old_text
    assert staff.post(f"/staff/texts/{version.id}/publish", page=GREETING).status_code == 302
    assert catalog.text(Prompt("greeting", "en")) == new_text
    actions = [a[1] for a in audit_actions() if a[1].startswith("text.")]
    assert actions == ["text.save", "text.publish", "text.file", "text.restore"]


def test_publishing_a_text_keeps_a_human_recording_playing_and_says_it_is_stale(
    staff, app, catalog, caller
):
    staff.sign_in()
    upload(staff, tone())
    human = newest(app)
    staff.post(f"/staff/recordings/{human.id}/publish", page=GREETING)
    new_text = "Hello, this is the KOM line, with corrected words."
    staff.post(f"{GREETING}/text", {"text": new_text}, page=GREETING)
    tts = newest(app)
    with services(app).db.session() as s:
        version = s.scalars(select(TextVersion)).one()
    response = staff.post(
        f"/staff/texts/{version.id}/publish", page=GREETING, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert catalog.text(Prompt("greeting", "en")) == new_text
    assert playing(app) == human.hash and f"/audio/{human.hash}.wav" in played(caller())
    assert ("error", says("text.published_kept_human")) in flashed(page)
    assert 'class="audio stale"' in page
    lib = services(app).recordings
    assert lib.state(Prompt("greeting", "en"), lib.get(human.id)).state == "stale"
    # "use TTS": the rendering of the new text is a draft that can be published
    assert tts.source == "tts" and tts.id in {r.id for r in lib.drafts()[("greeting", "en")]}
    staff.post(f"/staff/recordings/{tts.id}/publish", page=GREETING)
    assert playing(app) == tts.hash


def _publish_new_text(staff, app, text: str = "Hello, this is the KOM line, new words."):
    staff.post(f"{GREETING}/text", {"text": text}, page=GREETING)
    with services(app).db.session() as s:
        version = s.scalars(select(TextVersion).order_by(TextVersion.id.desc())).first()
    staff.post(f"/staff/texts/{version.id}/publish", page=GREETING)


def test_file_text_again_brings_back_the_audio_that_says_it(staff, app, caller):
    staff.sign_in()
    old_audio = playing(app)
    _publish_new_text(staff, app)
    assert playing(app) != old_audio
    response = staff.post(f"{GREETING}/text/file", page=GREETING, follow_redirects=True)
    assert ("info", says("text.file_again")) in flashed(response.get_data(as_text=True))
    assert playing(app) == old_audio and f"/audio/{old_audio}.wav" in played(caller())


def test_file_text_again_prefers_a_persons_recording_of_it(staff, app):
    staff.sign_in()
    upload(staff, tone())
    first = newest(app)  # a person saying the file's text
    staff.post(f"/staff/recordings/{first.id}/publish", page=GREETING)
    _publish_new_text(staff, app)
    upload(staff, tone(freq=440))  # a person saying the new words
    staff.post(f"/staff/recordings/{newest(app).id}/publish", page=GREETING)
    staff.post(f"{GREETING}/text/file", page=GREETING)
    assert playing(app) == first.hash


def test_file_text_again_never_publishes_a_draft(staff, app):
    staff.sign_in()
    built = playing(app)
    upload(staff, tone())  # a person's draft of the file's text, never published
    draft = newest(app)
    _publish_new_text(staff, app)
    staff.post(f"{GREETING}/text/file", page=GREETING)
    assert playing(app) == built and playing(app) != draft.hash


def test_file_text_again_renders_tts_when_no_recording_says_it(staff, app):
    staff.sign_in(ADMIN)
    lib = services(app).recordings
    built = lib.current()[("greeting", "en")]
    _publish_new_text(staff, app)
    with after_purge_grace():
        staff.post(
            f"/staff/recordings/{built.id}/purge", page=f"/staff/recordings/{built.id}/purge"
        )
        assert lib.get(built.id).purged_at is not None
        staff.post(f"{GREETING}/text/file", page=GREETING)
        now = lib.current()[("greeting", "en")]
        assert now.id != built.id and now.source == "tts"
        assert lib.state(Prompt("greeting", "en"), now).state == "tts"  # says the file's text


def test_file_text_again_says_plainly_when_no_audio_can_say_it(staff, app, monkeypatch):
    from ivr.audio.build import Builder
    from ivr.audio.processing import AudioRejected

    staff.sign_in(ADMIN)
    lib = services(app).recordings
    built = lib.current()[("greeting", "en")]
    _publish_new_text(staff, app)
    with after_purge_grace():
        staff.post(
            f"/staff/recordings/{built.id}/purge", page=f"/staff/recordings/{built.id}/purge"
        )

        def no_engine(self, text, lang):
            raise AudioRejected("no TTS engine in use speaks en")

        monkeypatch.setattr(Builder, "render", no_engine)
        response = staff.post(f"{GREETING}/text/file", page=GREETING, follow_redirects=True)
        page = response.get_data(as_text=True)
        refusal = says("text.file_again_no_audio", reason="no TTS engine in use speaks en")
        assert ("error", refusal) in flashed(page)


def test_text_of_a_keyed_prompt_renders_every_key(staff, app):
    staff.sign_in()
    path = "/staff/prompts/lang_select.3/en"
    staff.post(f"{path}/text", {"text": "To hear English, press the key {key} now."}, page=path)
    lib = services(app).recordings
    keys = {p.id for p in services(app).catalog.all_prompts("en") if p.segment == "lang_select"}
    assert all(lib.history(k, "en")[0].source == "tts" for k in keys)
    drafts = lib.drafts()
    assert all((k, "en") in drafts for k in keys)


def test_empty_text_is_refused(staff, app):
    staff.sign_in()
    response = staff.post(f"{GREETING}/text", {"text": "   "}, page=GREETING, follow_redirects=True)
    assert re.search("Skriv en tekst", response.get_data(as_text=True))


def _versions(app) -> int:
    with services(app).db.session() as s:
        return len(s.scalars(select(TextVersion)).all())


def test_a_keyed_text_without_key_is_refused_next_to_the_field_and_not_saved(staff, app):
    staff.sign_in()
    path = "/staff/prompts/lang_select.3/en"
    response = staff.post(f"{path}/text", {"text": "For English, press three."}, page=path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="edit-error"' in page and ("field", says("err.text_key")) in flashed(page)
    assert "For English, press three.</textarea>" in page  # what they typed is kept
    assert _versions(app) == 0


CALLBACK = "/staff/prompts/callback"


@pytest.mark.parametrize(
    "lang,text",
    [
        (
            "en",
            (
                "Call KOM on 47. 45. 15. 01. Again: 47. 45. 15. 01. In danger, call 112. "
                "From 8 until 4."
            ),
        ),
        ("en", "Call KOM on 47. 45. 15. 00. Again: 47. 45. 15. 00. From 8 until 4."),  # no 112
        ("nb", "Ring KOM på 47 45 15 00 fra 8 til 4. I fare: ring 113."),
    ],
)
def test_a_text_whose_numbers_differ_from_the_english_is_refused(staff, app, lang, text):
    staff.sign_in()
    staff.client.get("/staff/ui/en")
    path = f"{CALLBACK}/{lang}"
    response = staff.post(f"{path}/text", {"text": text}, page=path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    numbers = "00, 00, 112, 15, 15, 4, 45, 45, 47, 47, 8"  # the English text's
    assert ("field", says("err.text_numbers", "en", numbers=numbers)) in flashed(page)
    assert _versions(app) == 0


def test_numbers_may_move_within_the_text(staff, app):
    staff.sign_in()
    path = f"{CALLBACK}/ar"
    text = "في خطر: 112. من 8 إلى 4. الرقم: 47. 45. 15. 00. مرة أخرى: 47. 45. 15. 00."
    response = staff.post(f"{path}/text", {"text": text}, page=path)
    assert response.status_code == 302 and _versions(app) == 1


@pytest.mark.parametrize(
    "lang,text,shown",
    [
        ("ar", "في خطر: ١١٢. من 8 إلى 4. الرقم: 47. 45. 15. 00. مرة أخرى: 47. 45. 15. 00.", "١, ٢"),
        (
            "en",
            (
                "Call KOM on 47. 45. 15. 00. Again: 47. 45. 15. 00. From 8 until 4. "
                "In danger, call 112, or ¹¹³."
            ),
            "¹, ³",
        ),
        (
            "en",
            (
                "Call KOM on 47. 45. 15. 00. Again: 47. 45. 15. 00. From 8 until 4. "
                "In danger, call ①①②."
            ),
            "①, ②",
        ),
    ],
)
def test_digits_other_than_0_to_9_are_refused(staff, app, lang, text, shown):
    staff.sign_in()
    staff.client.get("/staff/ui/en")
    path = f"{CALLBACK}/{lang}"
    response = staff.post(f"{path}/text", {"text": text}, page=path)
    assert response.status_code == 400
    refusal = says("err.text_digits", "en", numbers=shown)
    assert ("field", refusal) in flashed(response.get_data(as_text=True))
    assert _versions(app) == 0


def test_a_text_over_1000_characters_is_refused(staff, app):
    staff.sign_in()
    response = staff.post(f"{GREETING}/text", {"text": "Welcome. " * 112}, page=GREETING)
    assert response.status_code == 400
    refusal = says("err.text_too_long", max=1000)
    assert ("field", refusal) in flashed(response.get_data(as_text=True))
    assert _versions(app) == 0


def test_an_expired_session_cannot_upload_or_publish(staff, app):
    from datetime import timedelta

    import time_machine

    from ivr.models import utcnow

    staff.sign_in(EDITOR)
    token = staff.token(GREETING)
    before = playing(app)
    count = len(services(app).recordings.history("greeting", "en"))
    old_id = newest(app).id
    with time_machine.travel(utcnow() + timedelta(hours=9)):
        sent = staff.client.post(
            f"{GREETING}/upload",
            content_type="multipart/form-data",
            data={"csrf_token": token, "recording": (io.BytesIO(tone()), "a.wav")},
        )
        published = staff.client.post(
            f"/staff/recordings/{old_id}/publish", data={"csrf_token": token}
        )
    for response in (sent, published):
        assert response.status_code == 302 and "/staff/sign-in" in response.location
    assert playing(app) == before
    assert len(services(app).recordings.history("greeting", "en")) == count


def test_grid_shows_drafts_waiting_and_stale_audio(staff, app):
    staff.sign_in()
    upload(staff, tone())
    staff.post("/staff/prompts/goodbye/en/text", {"text": "Goodbye, new words."}, page=GREETING)
    db, catalog = services(app).db, services(app).catalog
    from ivr.texts import publish_version, save_version

    publish_version(
        db, save_version(db, catalog, "intro", "en", "A new intro: call 112, press 0.", "x"), "x"
    )
    services(app).texts.invalidate()  # as if published by another process 5 s ago
    page = staff.client.get("/staff/prompts?lang=en").get_data(as_text=True)

    def cell(prompt_id: str) -> str:
        return page.split(f'id="cell-{prompt_id}-en"')[1].split("</td>")[0]

    def drafts(prompt_id: str) -> set[str]:
        return set(re.findall(r'data-draft="(\w+)"', cell(prompt_id)))

    assert drafts("greeting") == {"audio"}
    assert drafts("goodbye") == {"text", "audio"}
    assert 'class="audio stale"' in cell("intro")  # published text, audio of the old words
    assert drafts("rights_1") == set()


def test_numbers_written_in_words_are_saved_but_flagged_for_a_second_reader(
    staff, app, audit_facts
):
    staff.sign_in()
    staff.client.get("/staff/ui/en")
    text = (
        "Call KOM on 47. 45. 15. 00. Again: 47. 45. 15. 00. From 8 until 4. "
        "In danger, call 112, or nine one one."
    )
    response = staff.post(
        f"{CALLBACK}/en/text", {"text": text}, page=f"{CALLBACK}/en", follow_redirects=True
    )
    assert _versions(app) == 1
    warning = says("text.number_words", "en", words="“nine one one”")
    assert ("error", warning) in flashed(response.get_data(as_text=True))
    flagged = [facts for action, facts, _ in audit_facts() if action == "text.number_words"]
    assert len(flagged) == 1 and flagged[0]["words"] == ["nine one one"]


def test_an_ordinary_text_is_not_flagged(staff, app, audit_actions):
    staff.sign_in()
    staff.post(
        f"{GREETING}/text",
        {"text": "Welcome to the KOM line. No one needs your name."},
        page=GREETING,
    )
    assert _versions(app) == 1
    assert "text.number_words" not in [a[1] for a in audit_actions()]
