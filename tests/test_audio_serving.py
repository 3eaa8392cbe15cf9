"""Serving the store, and what callers hear: <Play> where a file exists, even without a database."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import event

from ivr import create_app
from ivr.catalog import Prompt
from ivr.services import services

from .audio_fixtures import recordings
from .conftest import Call
from .support import break_database

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def app(built_app):
    """Every English prompt has audio; no other language has any."""
    return built_app


def a_file(app) -> str:
    return recordings(app).current()[("greeting", "en")].hash


def test_audio_file_is_served_with_immutable_caching_and_strong_etag(app, client):
    digest = a_file(app)
    response = client.get(f"/audio/{digest}.wav")
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert response.headers["ETag"] == f'"{digest}"'
    cache = {p.strip() for p in response.headers["Cache-Control"].split(",")}
    assert cache == {"public", "max-age=31536000", "immutable"}
    assert response.data == recordings(app).store.read(digest)


def test_if_none_match_gives_304(app, client):
    digest = a_file(app)
    response = client.get(f"/audio/{digest}.wav", headers={"If-None-Match": f'"{digest}"'})
    assert response.status_code == 304
    assert not response.data


@pytest.mark.parametrize(
    "path",
    [
        "/audio/../ivr.sqlite3",
        "/audio/..%2Fivr.sqlite3",
        "/audio/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/audio/manifest.json",
        "/audio/" + "0" * 64 + ".wav",
        "/audio/" + "A" * 64 + ".wav",
    ],
)
def test_nothing_outside_the_stored_files_can_be_read(app, client, path):
    assert client.get(path).status_code == 404


def test_symlink_out_of_the_store_is_refused(app, client, tmp_path):
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF secret")
    name = "f" * 64
    os.symlink(secret, recordings(app).store.root / f"{name}.wav")
    assert client.get(f"/audio/{name}.wav").status_code == 404


def test_call_plays_files_for_prompts_with_audio_and_says_the_rest(app, caller):
    call = caller()
    by_text = {h.text: h for h in call.heard}
    played = [h for h in call.heard if h.verb == "Play"]
    assert played and all(h.text.startswith("/audio/") for h in played)
    assert all(h.text.endswith(".wav") for h in played)
    lookup = services(app).audio
    assert lookup.url_for(Prompt("greeting", "en")) in [h.text for h in played]
    assert by_text[call.spoken("greeting", "nb")].verb == "Say", "Norwegian has no audio here"
    call.press("1")
    assert call.heard and all(h.verb == "Play" for h in call.heard)
    for h in call.heard:
        assert call.client.get(h.text).status_code == 200


def test_audio_base_url_points_plays_at_a_cdn(app_settings, built_english):
    from .audio_fixtures import install_built

    install_built(app_settings, built_english)
    app = create_app({**app_settings, "AUDIO_BASE_URL": "https://cdn.example.org/kom/"})
    url = services(app).audio.url_for(Prompt("greeting", "en"))
    assert url.startswith("https://cdn.example.org/kom/") and url.endswith(".wav")
    services(app).db.engine.dispose()


def test_audio_urls_follow_a_public_base_url_with_a_path(app_settings, built_english):
    from .audio_fixtures import install_built

    install_built(app_settings, built_english)
    app = create_app({**app_settings, "PUBLIC_BASE_URL": "https://line.example.org/kom"})
    url = services(app).audio.url_for(Prompt("greeting", "en"))
    assert url.startswith("https://line.example.org/kom/audio/") and url.endswith(".wav")
    services(app).db.engine.dispose()


def test_recordings_keep_playing_when_the_database_fails_mid_service(app, caller):
    assert any(h.verb == "Play" for h in caller().heard)
    break_database(app)
    services(app).audio.invalidate()  # as if the refresh interval had passed
    call = caller()
    assert any(h.verb == "Play" for h in call.heard)
    assert call.press("1").heard[0].verb == "Play"


def test_a_restart_without_database_plays_from_the_manifest_file(app, app_settings):
    expected = services(app).audio.url_for(Prompt("intro", "en"))
    assert expected
    break_database(app)
    restarted = create_app(app_settings)
    assert services(restarted).audio.url_for(Prompt("intro", "en")) == expected
    services(restarted).db.engine.dispose()


def test_lookup_is_cheap_per_prompt(app, monkeypatch):
    """Within the refresh interval every prompt is answered from memory: no query, no disk."""
    lookup = services(app).audio
    prompt = Prompt("intro", "en")
    expected = lookup.url_for(prompt)
    queries = []
    event.listen(
        services(app).db.engine, "before_cursor_execute", lambda *args: queries.append(args[2])
    )
    monkeypatch.setattr(type(services(app).store), "has", lambda *a: pytest.fail("disk read"))
    assert all(lookup.url_for(prompt) == expected for _ in range(1000))
    assert queries == []


def test_an_emptied_database_never_silences_the_recordings(app, app_settings, migrated_db):
    """E.g. the SQLite file deleted and `ivr init-db` run: the manifest reads 0 entries."""
    import shutil

    assert any(
        h.verb == "Play" for h in Call(app.test_client(), services(app).catalog).start().heard
    )
    manifest = services(app).store.root / "manifest.json"
    saved = manifest.read_text()
    services(app).db.engine.dispose()
    shutil.copy(migrated_db, app_settings["DATABASE_URL"].removeprefix("sqlite:///"))
    services(app).audio.refresh()
    assert any(
        h.verb == "Play" for h in Call(app.test_client(), services(app).catalog).start().heard
    )
    restarted = create_app(app_settings)  # a new process, on the empty database
    assert services(restarted).audio.url_for(Prompt("intro", "en"))
    services(restarted).close()
    assert manifest.read_text() == saved


def test_a_corrupt_manifest_file_is_repaired_while_the_database_is_healthy(app):
    manifest = services(app).store.root / "manifest.json"
    services(app).audio.refresh()
    good = manifest.read_text()
    manifest.write_text('{"version": 1, "choices": [')  # truncated, e.g. a full disk
    services(app).audio.refresh()
    assert manifest.read_text() == good
