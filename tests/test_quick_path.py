"""The quick path (ivr/voice/quick.py): a webhook whose answer is cached is answered in front of
Flask, with the same bytes, the same signature rules and its event recorded; everything else
is Flask's, as before."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from urllib.parse import urljoin

import pytest
import time_machine
from flask import request_started
from sqlalchemy import func, select

from ivr import create_app
from ivr.hours import OSLO
from ivr.models import CallEvent
from ivr.schedule import set_switch
from ivr.services import services
from ivr.simulation import ENVIRON_KEY, Simulation

from .conftest import BASE, CALL_PARAMS, Call, sign

OPEN = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)  # a Wednesday morning
CLOSED = datetime(2026, 12, 2, 20, 0, tzinfo=OSLO)  # the same evening


class FlaskRequests:
    """Counts the requests Flask itself handled (the quick path never starts one)."""

    def __init__(self, app):
        self.count = 0
        request_started.connect(self._started, app, weak=False)

    def _started(self, _sender, **_extra) -> None:
        self.count += 1


def post(client, url: str, extra: dict | None = None, signature: str | None = None, **kwargs):
    """A POST as Twilio sends it (signed for `url` unless `signature` is given)."""
    url = urljoin(BASE + "/voice", url)
    params = {**CALL_PARAMS, **(extra or {})}
    signature = sign(url, params) if signature is None else signature
    return client.post(url, data=params, headers={"X-Twilio-Signature": signature}, **kwargs)


def whole_call(app) -> list[tuple[str, dict]]:
    """(url, form) of every webhook of one call: answered, English, a topic, 0, the whisper,
    the transfer's end (with KOM open)."""
    seen: list[tuple[str, dict]] = []

    class Recording(Call):
        def post(self, url, extra=None):
            seen.append((url, dict(extra or {})))
            return super().post(url, extra)

    with time_machine.travel(OPEN, tick=False):
        Recording(app.test_client(), services(app).catalog).start().press("1").press("1").press("0")
    return seen


def event_count(app) -> int:
    assert services(app).events.flush()
    with services(app).db.session() as s:
        return s.scalar(select(func.count()).select_from(CallEvent))


def test_a_cached_answer_is_flasks_answer_byte_for_byte(app, app_settings):
    requests = whole_call(app)
    assert any("/voice/whisper" in url for url, _ in requests)
    assert any("/voice/dial" in url for url, _ in requests)
    fresh = create_app(app_settings)  # nothing cached yet: the first of each is Flask's
    flask = FlaskRequests(fresh)
    client = fresh.test_client()
    with time_machine.travel(OPEN, tick=False):
        by_flask = [post(client, url, form) for url, form in requests]
        assert flask.count == len(requests)
        quick = [post(client, url, form) for url, form in requests]
    assert flask.count == len(requests), "the second of each was answered by Flask"
    for url, (first, second) in zip(requests, zip(by_flask, quick, strict=True), strict=True):
        assert first.status_code == second.status_code == 200, url
        assert first.headers.to_wsgi_list() == second.headers.to_wsgi_list(), url
        assert first.get_data() == second.get_data(), url
        assert "Set-Cookie" not in first.headers and "Vary" not in first.headers
    services(fresh).close()


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": "A" * 27 + "="},  # well formed, but not Twilio's
        {"extra": {"From": "+4712345678"}, "signed_as": {}},  # a field changed after signing
        {"signed_for": "http://evil.example/voice"},  # signed for another address
    ],
)
def test_a_forged_request_for_a_cached_answer_is_refused(app, forgery, caplog):
    client = app.test_client()
    assert post(client, "/voice").status_code == 200  # cached now
    before = len(services(app).events.queue) + services(app).events.written
    url = forgery.get("signed_for", BASE + "/voice")
    signature = forgery.get("signature", sign(url, {**CALL_PARAMS, **forgery.get("signed_as", {})}))
    with caplog.at_level(logging.WARNING, "ivr"):
        response = post(client, "/voice", forgery.get("extra"), signature=signature)
    assert response.status_code == 403
    assert b"Response" not in response.get_data()
    assert "refused unsigned or wrongly signed webhook" in caplog.text
    assert len(services(app).events.queue) + services(app).events.written == before


def test_the_signed_address_follows_public_base_url_and_the_proxy(app_settings):
    public = create_app({**app_settings, "PUBLIC_BASE_URL": "https://line.example.org"})
    client = public.test_client()
    flask = FlaskRequests(public)
    for _ in range(2):
        response = client.post(
            "/voice",
            data=CALL_PARAMS,
            headers={"X-Twilio-Signature": sign("https://line.example.org/voice", CALL_PARAMS)},
        )
        assert response.status_code == 200
    assert flask.count == 1
    assert post(client, "/voice").status_code == 403  # signed for the address Flask sees
    services(public).close()

    proxied = create_app(app_settings)  # TRUSTED_PROXIES=1: the proxy's headers decide
    client, flask = proxied.test_client(), FlaskRequests(proxied)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kom.example.no"}
    signature = sign("https://kom.example.no/voice", CALL_PARAMS)
    for _ in range(2):
        response = client.post(
            "/voice", data=CALL_PARAMS, headers={**forwarded, "X-Twilio-Signature": signature}
        )
        assert response.status_code == 200
    assert flask.count == 1
    signed_for_inner_host = {"X-Twilio-Signature": sign(BASE + "/voice", CALL_PARAMS)}
    response = client.post(
        "/voice", data=CALL_PARAMS, headers={**forwarded, **signed_for_inner_host}
    )
    assert response.status_code == 403
    services(proxied).close()


def test_every_quick_answer_records_its_event_and_logs_its_line(app, caplog):
    client = app.test_client()
    flask = FlaskRequests(app)
    before = event_count(app)
    with caplog.at_level(logging.INFO, "ivr"):
        for _ in range(25):
            assert post(client, "/voice").status_code == 200
    assert flask.count == 1  # the other 24 were quick
    assert caplog.text.count("webhook voice.incoming node=- lang=- event=") == 25
    assert "99999999" not in caplog.text
    assert event_count(app) == before + 25
    database = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT DISTINCT node, event, call_key FROM call_event").fetchall()
    assert len(rows) == 1 and rows[0][0] == "incoming" and rows[0][2]


def test_a_staff_change_reaches_the_quick_path_within_two_seconds(app, app_settings):
    calls = create_app(app_settings)  # another gunicorn worker, answering from its cache
    client = calls.test_client()
    with time_machine.travel(OPEN, tick=False):
        dialed = whole_call(calls)[-3]  # the press of 0 that puts the caller through
        assert b"<Dial" in post(client, *dialed).get_data()
    line = services(calls).line.snapshot
    assert line.first_read.wait(10)
    version = line.version
    set_switch(services(app).db, False, "fire drill", by="staff")  # in the staff's process
    assert line.wait_for_change(version, timeout=2.0), "the switch took more than 2 s"
    with time_machine.travel(OPEN, tick=False):
        answer = post(client, *dialed).get_data()
    assert b"<Dial" not in answer
    services(calls).close()


def test_opening_hours_are_part_of_the_cached_answer(app):
    client = app.test_client()
    dialed = whole_call(app)[-3]
    with time_machine.travel(OPEN, tick=False):
        assert b"<Dial" in post(client, *dialed).get_data()
        assert b"<Dial" in post(client, *dialed).get_data()
    with time_machine.travel(CLOSED, tick=False):
        assert b"<Dial" not in post(client, *dialed).get_data()


def test_a_simulated_call_is_never_answered_from_the_cache(app):
    client = app.test_client()
    dialed = whole_call(app)[-3]
    with time_machine.travel(OPEN, tick=False):
        assert b"<Dial" in post(client, *dialed).get_data()
        simulated = post(
            client,
            *dialed,
            environ_overrides={ENVIRON_KEY: Simulation(at=CLOSED)},
        )
    assert b"<Dial" not in simulated.get_data()


def test_a_failure_in_the_quick_path_leaves_the_answer_to_flask(app, monkeypatch, caplog):
    client = app.test_client()
    first = post(client, "/voice").get_data()

    def broken(*_args):
        raise RuntimeError("a bug in the quick path")

    monkeypatch.setattr("ivr.voice.quick._key", broken)
    with caplog.at_level(logging.ERROR, "ivr"):
        response = post(client, "/voice")
    assert response.status_code == 200 and response.get_data() == first
    assert "quick path failed" in caplog.text


def test_the_fallback_is_flasks_and_still_gives_the_callback_information(app):
    client = app.test_client()
    flask = FlaskRequests(app)
    for _ in range(2):
        response = post(client, "/voice/fallback?lang=en")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "one one two" in text and "<Hangup" in text  # 112, said as speech.toml says
        assert "four seven, four five, one five, zero zero" in text
    assert flask.count == 2


def test_oversized_or_unsigned_bodies_are_still_refused_before_reading(app):
    client = app.test_client()
    assert post(client, "/voice").status_code == 200  # cached now
    big = {"Filler": "x" * (app.config["WEBHOOK_MAX_KB"] * 1024)}
    assert post(client, "/voice", big).status_code == 413
    unsigned = client.post("/voice", data=CALL_PARAMS)
    assert unsigned.status_code == 403
