"""One way to put new words live, drafts their author may discard, refused uploads in place.

Built English audio (eSpeak NG) as in test_staff_prompts.py; no network beyond loopback.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from staff_support import ADMIN, EDITOR, PASSWORD, flashed, says
from test_staff_prompts import GREETING, newest, playing, tone, upload

from ivr import create_app
from ivr.admin.accounts import add_account
from ivr.models import TextVersion
from ivr.services import services
from tests.audio_fixtures import install_built

pytestmark = pytest.mark.usefixtures("no_network")
OTHER_EDITOR = "other@kom.test"


@pytest.fixture
def app(app_settings, built_english):
    """The staff app with every English prompt built (eSpeak NG)."""
    install_built(app_settings, built_english)
    app = create_app(app_settings)
    app.config["TESTING"] = True
    yield app
    services(app).db.engine.dispose()


def test_audio_of_an_unpublished_text_draft_cannot_be_published_alone(staff, app, catalog):
    staff.sign_in()
    before = playing(app)
    staff.post(f"{GREETING}/text", {"text": "Hello. You have reached the KOM line."}, page=GREETING)
    tts = newest(app)
    page = staff.client.get(GREETING).get_data(as_text=True)
    card = page.split(f'id="recording-{tts.id}"', 1)[1].split("</li>", 1)[0]
    assert says("prompt.other_words") in card and f"{says('prompt.publish')}:" not in card
    response = staff.post(
        f"/staff/recordings/{tts.id}/publish", page=GREETING, follow_redirects=True
    )
    assert ("error", says("err.other_words")) in flashed(response.get_data(as_text=True))
    assert playing(app) == before
    with services(app).db.session() as s:
        version = s.scalars(select(TextVersion)).one()
    staff.post(f"/staff/texts/{version.id}/publish", page=GREETING)
    assert playing(app) == tts.hash


def test_the_saved_draft_is_what_the_edit_field_shows(staff, app):
    staff.sign_in()
    staff.post(f"{GREETING}/text", {"text": "Hello. You have reached the KOM line."}, page=GREETING)
    page = staff.client.get(GREETING).get_data(as_text=True)
    field = page.split('id="text-edit"', 1)[1].split("</textarea>", 1)[0]
    assert "You have reached the KOM line." in field
    assert 'id="editing-draft"' in page


def test_an_editor_discards_her_own_draft_but_not_someone_elses(staff, app, audit_actions):
    add_account(services(app).db, OTHER_EDITOR, "editor", PASSWORD, name="Ola")
    staff.sign_in()
    upload(staff, tone(), name="kari-opptak.wav")
    mine = newest(app)
    page = staff.client.get(GREETING).get_data(as_text=True)
    assert "kari-opptak.wav" in page  # the uploaded file's name is shown
    staff.post("/staff/sign-out", page=GREETING)
    staff.sign_in(OTHER_EDITOR)
    assert staff.post(f"/staff/recordings/{mine.id}/discard", page=GREETING).status_code == 403
    staff.post("/staff/sign-out", page=GREETING)
    staff.sign_in(EDITOR)
    response = staff.post(f"/staff/recordings/{mine.id}/discard", page=GREETING)
    assert response.status_code == 302
    lib = services(app).recordings
    assert lib.get(mine.id).purged_at is not None and not lib.store.has(mine.hash)
    assert audit_actions()[-1][1] == "recording.discard"


def test_a_published_version_is_not_a_draft_to_discard(staff, app):
    staff.sign_in(ADMIN)
    current = services(app).recordings.current()[("greeting", "en")]
    assert staff.post(f"/staff/recordings/{current.id}/discard", page=GREETING).status_code == 409


def test_a_refused_upload_says_why_next_to_the_upload_form_and_names_the_file(staff, app):
    staff.sign_in()
    before = playing(app)
    response = upload(staff, b"not audio at all", name="notes.txt")
    assert response.status_code == 400
    form = response.get_data(as_text=True).split('id="upload-form"', 1)[1].split("</form>")[0]
    assert 'id="upload-form-error"' in form
    assert says("upload.refused", name="notes.txt", reason="")[:-1] in form
    assert 'aria-invalid="true"' in form
    assert playing(app) == before


def test_a_translations_page_shows_the_english_before_and_now_when_outdated(staff, app):
    staff.sign_in()
    before = services(app).catalog.file_text("en", "goodbye")
    staff.post(
        "/staff/prompts/goodbye/en/text",
        {"text": "Thank you for calling KOM. Bye."},
        page="/staff/prompts/goodbye/en",
    )
    with services(app).db.session() as s:
        version = s.scalars(select(TextVersion)).one()
    staff.post(f"/staff/texts/{version.id}/publish", page="/staff/prompts/goodbye/en")
    page = staff.client.get("/staff/prompts/goodbye/nb").get_data(as_text=True)
    assert f'id="english-before">{before}<' in page
    assert 'id="english-now">Thank you for calling KOM. Bye.<' in page
