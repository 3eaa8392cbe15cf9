"""Two editors publishing the same prompt's text at once: one text and the audio that says it
end up live, never one's text with the other's audio (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from staff_support import ADMIN, EDITOR, Staff

from ivr import create_app, texts
from ivr.admin.accounts import add_account
from ivr.audio.library import Recordings, words_hash
from ivr.models import AuditEntry, TextVersion
from ivr.services import services
from tests.test_postgres import SERVER, pg_url  # noqa: F401  (a fixture)

GOODBYE = "/staff/prompts/goodbye/en"
TEXTS = ("Thank you for calling. Goodbye for now.", "Thank you for your call. Goodbye.")


@pytest.fixture(params=["sqlite", "postgresql"])
def race_app(request, app_settings):
    """The line on SQLite, or on a fresh PostgreSQL database when TEST_POSTGRES_URL is set."""
    settings = dict(app_settings)
    if request.param == "postgresql":
        if not SERVER:
            pytest.skip("TEST_POSTGRES_URL is not set (scripts/start-test-postgres.sh)")
        settings["DATABASE_URL"] = request.getfixturevalue("pg_url")
    app = create_app(settings)
    app.config["TESTING"] = True
    services(app).db.upgrade()
    yield app
    services(app).db.engine.dispose()


def live(app) -> tuple[str, str]:
    """(text hash of the published text, text hash of the audio that plays) for goodbye/en."""
    db = services(app).db
    with db.session() as s:
        choice = texts.choice(db, "goodbye", "en")
        text = s.get(TextVersion, choice.version_id).text
    playing = services(app).recordings.current()[("goodbye", "en")]
    return words_hash(text), playing.text_hash


def test_two_editors_publishing_at_once_leave_one_text_and_its_audio(race_app, monkeypatch):
    for email, role in ((EDITOR, "editor"), (ADMIN, "admin")):
        add_account(services(race_app).db, email, role, "correct horse battery")
    people = [Staff(race_app.test_client()), Staff(race_app.test_client())]
    for person, email in zip(people, (EDITOR, ADMIN), strict=True):
        assert person.sign_in(email).status_code == 302
    for person, text in zip(people, TEXTS, strict=True):
        assert person.post(f"{GOODBYE}/text", {"text": text}, page=GOODBYE).status_code == 302
    with services(race_app).db.session() as s:
        versions = [v.id for v in s.scalars(select(TextVersion).order_by(TextVersion.id))]
    tokens = [person.token(GOODBYE) for person in people]

    # Widen the window: whoever publishes its text first waits (at most a second) until the
    # other has published its text and audio too. Serialised, the other cannot start meanwhile.
    entered, restored = threading.Event(), threading.Event()
    real_publish, real_restore = texts.publish_version, Recordings.restore

    def publish_version(db, version, by):
        real_publish(db, version, by)
        if not entered.is_set():
            entered.set()
            restored.wait(1.0)

    def restore(self, *args, **kwargs):
        result = real_restore(self, *args, **kwargs)
        if threading.current_thread().name == "second":
            restored.set()
        return result

    monkeypatch.setattr(texts, "publish_version", publish_version)
    monkeypatch.setattr(Recordings, "restore", restore)
    answers = []

    def publish(index: int) -> None:
        if index == 1:
            entered.wait(5)
        response = people[index].client.post(
            f"/staff/texts/{versions[index]}/publish", data={"csrf_token": tokens[index]}
        )
        answers.append(response.status_code)

    threads = [
        threading.Thread(target=publish, args=(i,), name=("first", "second")[i]) for i in (0, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [302, 302]
    text_said, audio_said = live(race_app)
    assert text_said == audio_said, "the live audio does not say the live text"
    with services(race_app).db.session() as s:
        actions = [
            a.action
            for a in s.scalars(select(AuditEntry))
            if a.action.startswith("text.p") or a.action.startswith("text.r")
        ]
    assert actions == ["text.publish", "text.publish"], "both were first publications"
