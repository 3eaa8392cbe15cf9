"""One set of services per app, built without reading the database."""

from __future__ import annotations

from ivr import create_app
from ivr.services import services


def test_the_app_starts_without_a_database(tmp_path, app_settings):
    missing = tmp_path / "nowhere" / "ivr.sqlite3"
    app = create_app({**app_settings, "DATABASE_URL": f"sqlite:///{missing}"})
    assert not missing.exists()  # nothing was opened, let alone created
    services(app).db.engine.dispose()


def test_services_are_built_once_and_shared_by_requests(app, caller):
    built = services(app)
    caller()
    with app.app_context():
        assert services() is built
    assert built.recordings.store is built.store and built.audio.recordings is built.recordings


def test_default_line_settings_put_callers_through_to_kom(tmp_path, app_settings):
    app = create_app(
        {
            **app_settings,
            "KOM_PHONE_NUMBER": "+4747451500",
            "DIAL_TIMEOUT": 25,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        }
    )
    settings = services(app).line.defaults
    assert settings.transfer_numbers == ("+4747451500",)
    assert settings.dial_timeout == 25 and settings.offer_drafts
    assert not settings.disabled_languages
    services(app).db.engine.dispose()
