"""`ivr selftest URL` against the line served on loopback: all well, and each kind of fault."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from ivr import create_app
from ivr.models import CallEvent
from ivr.services import services

from .audio_fixtures import recordings


@contextmanager
def served(app) -> Iterator[str]:
    """The app on 127.0.0.1 (a free port) in a thread; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def selftest(app, url: str, token: str | None = None):
    """`ivr selftest url` run by an operator's copy of the line (with `token` if given)."""
    tester = create_app(
        {
            "TWILIO_AUTH_TOKEN": token or app.config["TWILIO_AUTH_TOKEN"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "TRUSTED_PROXIES": 1,
            "DATABASE_URL": app.config["DATABASE_URL"],
        }
    )
    return tester.test_cli_runner(mix_stderr=False).invoke(args=["selftest", url])


def events(app) -> int:
    with services(app).db.session() as s:
        return s.scalar(select(func.count(CallEvent.id)))


def test_a_healthy_line_passes_and_counts_no_call(built_app):
    with served(built_app) as url:
        result = selftest(built_app, url)
    assert result.exit_code == 0, result.stderr
    assert "OK (" in result.stdout and "fallback answers" in result.stdout
    assert " 0 audio files" not in result.stdout  # English plays recordings
    assert events(built_app) == 0


def test_a_wrong_token_is_a_problem(app):
    with served(app) as url:
        result = selftest(app, url, token="not-the-line's-token")
    assert result.exit_code == 1
    assert "greeting" in result.stderr and "answered 403, not 200" in result.stderr


def test_a_damaged_audio_file_is_a_problem(built_app):
    digest = recordings(built_app).current()[("greeting", "en")].hash
    recordings(built_app).store.path(digest).write_bytes(b"<html>not audio</html>")
    with served(built_app) as url:
        result = selftest(built_app, url)
    assert result.exit_code == 1
    assert f"audio {url}/audio/{digest}.wav: not a WAV file" in result.stderr


def test_audio_files_that_are_not_served_are_a_problem(built_app, app_settings):
    app = create_app({**app_settings, "AUDIO_BASE_URL": "http://127.0.0.1:9/nowhere"})
    with served(app) as url:
        result = selftest(app, url)
    assert result.exit_code == 1
    assert "PROBLEM: http://127.0.0.1:9/nowhere/" in result.stderr and "no answer" in result.stderr


def test_a_line_that_takes_unsigned_webhooks_is_a_problem(app_settings):
    app = create_app({**app_settings, "TWILIO_AUTH_TOKEN": "", "ALLOW_UNSIGNED_WEBHOOKS": "1"})
    with served(app) as url:
        result = selftest(app, url, token="any-token")
    assert result.exit_code == 1
    assert "unsigned POST /voice was answered" in result.stderr


def test_a_line_that_does_not_answer_is_a_problem(app):
    with served(app) as url:
        pass  # stopped: nothing listens there any more
    result = selftest(app, url)
    assert result.exit_code == 1 and "no answer" in result.stderr


@pytest.mark.parametrize("url", ["line.example.org", "ftp://line.example.org"])
def test_the_url_must_be_a_web_address(app, url):
    result = selftest(app, url)
    assert result.exit_code == 2 and "URL must start with https://" in result.stderr
