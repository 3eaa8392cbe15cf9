"""A staff session never leaks onto public routes; webhook logs hold only values the line knows."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from staff_support import EDITOR

from ivr.audio.store import AudioStore
from ivr.models import utcnow
from tests.conftest import BASE, CALL_PARAMS, sign


def test_audio_files_set_no_cookie_and_are_not_sniffed(app, staff):
    digest = AudioStore(app.config["AUDIO_DIR"]).put(b"RIFF not really a wave")
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/line")
    assert page.status_code == 200 and "Set-Cookie" in page.headers  # sessions still refresh
    audio = staff.client.get(f"/audio/{digest}.wav")
    assert audio.status_code == 200
    assert "Set-Cookie" not in audio.headers
    assert audio.headers["X-Content-Type-Options"] == "nosniff"


def test_webhooks_set_no_cookie_for_a_signed_in_browser(staff):
    staff.sign_in(EDITOR)
    response = staff.client.post(
        "/voice",
        data=CALL_PARAMS,
        headers={"X-Twilio-Signature": sign(BASE + "/voice", CALL_PARAMS)},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_icon_never_touches_a_signed_in_session(staff):
    """Browsers fetch /favicon.ico at any moment: it neither refreshes nor ends a session."""
    staff.sign_in(EDITOR)
    icon = staff.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert "Set-Cookie" not in icon.headers and "Cookie" not in icon.headers.get("Vary", "")
    assert staff.client.get("/staff/line").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "path", ["/favicon.ico", "/staff/static/favicon.svg", "/staff/static/staff.css"]
)
def test_icons_and_stylesheets_never_end_a_session(app, staff, path):
    """A browser fetches a page's icon after the page has loaded, at any moment: even when the
    session looks old to it, that fetch neither ends nor refreshes it (the stylesheet likewise)."""
    staff.sign_in(EDITOR)
    later = utcnow() + timedelta(hours=app.config["STAFF_SESSION_HOURS"], minutes=1)
    with time_machine.travel(later, tick=False):
        fetched = staff.client.get(path)
    assert fetched.status_code == 200
    assert "Set-Cookie" not in fetched.headers and "Cookie" not in fetched.headers.get("Vary", "")
    assert staff.client.get("/staff/line").status_code == 200  # still signed in


FORGED = "en\n2026-11-30 09:00:00 ERROR ivr caller +4799999999 said hello"


def test_a_newline_in_the_url_forges_no_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="ivr")
    path = "/voice/step?" + f"node=menu%0Afake&lang={FORGED.replace(chr(10), '%0A')}"
    params = {**CALL_PARAMS, "Digits": "1"}
    signed = client.post(
        path, data=params, headers={"X-Twilio-Signature": sign(BASE + path, params)}
    )
    unsigned = client.post(path, data=params)
    assert (signed.status_code, unsigned.status_code) == (200, 403)
    assert "+4799999999" not in caplog.text and "fake" not in caplog.text
    assert "said hello" not in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("webhook ")]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith("webhook voice.step node=- lang=- event=")


def test_known_positions_are_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="ivr")
    path = "/voice/step?node=menu&lang=en"
    params = {**CALL_PARAMS, "Digits": "2"}
    client.post(path, data=params, headers={"X-Twilio-Signature": sign(BASE + path, params)})
    assert "webhook voice.step node=menu lang=en event=topic:" in caplog.text


def test_the_session_cookie_ends_with_the_browser(staff):
    response = staff.sign_in(EDITOR)
    cookie = response.headers["Set-Cookie"]
    assert "Expires" not in cookie and "Max-Age" not in cookie


def test_a_stolen_session_cookie_is_refused_from_another_address(staff):
    staff.sign_in(EDITOR)
    assert staff.client.get("/staff/line").status_code == 200
    stolen = staff.client.get("/staff/line", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert stolen.status_code == 302 and "/staff/sign-in" in stolen.location


def test_a_stolen_session_cookie_is_refused_from_another_browser(staff):
    staff.sign_in(EDITOR)
    other = staff.client.get("/staff/line", headers={"User-Agent": "curl/8.0"})
    assert other.status_code == 302 and "/staff/sign-in" in other.location
