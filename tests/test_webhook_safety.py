"""Webhooks refuse forgeries, survive garbage, and never give Twilio an error."""

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
import time_machine

from ivr import create_app
from ivr.config import ConfigError
from ivr.hours import OSLO
from ivr.services import services

from .conftest import BASE, CALL_PARAMS, line_settings, sign
from .support import break_database

WEBHOOKS = [
    "/voice",
    "/voice/step?node=menu&lang=en",
    "/voice/dial?lang=en",
    "/voice/whisper?lang=nb",
    "/voice/fallback",
]


@pytest.fixture(scope="module")
def line_client(tmp_path_factory, migrated_db):
    """One app for the stateless cases: each is a single request, and what it must get
    back (a refusal, or valid TwiML and never an error) depends on nothing an earlier request
    left behind."""
    app = create_app(line_settings(tmp_path_factory.mktemp("garbage"), migrated_db))
    app.config["TESTING"] = True
    yield app.test_client()
    services(app).db.engine.dispose()


@pytest.mark.parametrize("path", WEBHOOKS)
def test_unsigned_request_is_refused(line_client, path):
    assert line_client.post(path, data=CALL_PARAMS).status_code == 403


@pytest.mark.parametrize("path", WEBHOOKS)
def test_wrongly_signed_request_is_refused(line_client, path):
    signature = sign(BASE + path, CALL_PARAMS, token="not-the-token")
    response = line_client.post(path, data=CALL_PARAMS, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_tampered_position_is_refused(line_client):
    signature = sign(BASE + "/voice/step?node=menu&lang=en", CALL_PARAMS)
    response = line_client.post(
        "/voice/step?node=menu&lang=nb", data=CALL_PARAMS, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def post_signed(client, path, params, url_base=BASE, headers=None):
    signature = sign(url_base + path, params)
    return client.post(
        path, data=params, headers={"X-Twilio-Signature": signature, **(headers or {})}
    )


def test_public_base_url_makes_signatures_from_behind_a_proxy_pass(app_settings):
    app = create_app({**app_settings, "PUBLIC_BASE_URL": "https://line.example.org/"})
    client = app.test_client()
    ok = post_signed(client, "/voice", CALL_PARAMS, url_base="https://line.example.org")
    assert ok.status_code == 200
    assert "https://line.example.org/voice/step" in ok.get_data(as_text=True)
    assert post_signed(client, "/voice", CALL_PARAMS).status_code == 403


def test_forwarded_headers_are_trusted_only_when_configured(app_settings):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "abc.ngrok.app"}
    trusting = create_app({**app_settings, "TRUSTED_PROXIES": "1"}).test_client()
    ok = post_signed(trusting, "/voice", CALL_PARAMS, "https://abc.ngrok.app", headers)
    assert ok.status_code == 200
    untrusting = create_app(
        {**app_settings, "TRUSTED_PROXIES": "0", "PUBLIC_BASE_URL": "http://localhost"}
    ).test_client()
    refused = post_signed(untrusting, "/voice", CALL_PARAMS, "https://abc.ngrok.app", headers)
    assert refused.status_code == 403


def test_app_refuses_to_start_without_a_token(app_settings, monkeypatch):
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("ALLOW_UNSIGNED_WEBHOOKS", raising=False)
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN"):
        create_app({**app_settings, "TWILIO_AUTH_TOKEN": ""})


def test_development_mode_without_token_warns_loudly(app_settings, caplog):
    app = create_app({**app_settings, "TWILIO_AUTH_TOKEN": "", "ALLOW_UNSIGNED_WEBHOOKS": "1"})
    assert "ALLOW_UNSIGNED_WEBHOOKS" in caplog.text
    assert app.test_client().post("/voice", data=CALL_PARAMS).status_code == 200


@pytest.mark.parametrize(
    "setting,value",
    [
        ("KOM_PHONE_NUMBER", "47451500"),
        ("DIAL_TIMEOUT", "soon"),
        ("DIAL_TIMEOUT", "2"),
        ("PUBLIC_BASE_URL", "line.example.org"),
    ],
)
def test_malformed_settings_are_refused_with_a_clear_message(app_settings, setting, value):
    with pytest.raises(ConfigError, match=setting):
        create_app({**app_settings, setting: value})


GARBAGE = [
    "/voice/step",
    "/voice/step?node=nowhere",
    "/voice/step?node=menu",
    "/voice/step?node=menu&lang=xx",
    "/voice/step?node=part&lang=en&topic=nope&part=99",
    "/voice/step?node=part&lang=en&topic=rights&part=-1",
    "/voice/step?miss=99999999999",
    "/voice/step?node=callback&lang=%00",
    "/voice/step?page=42",
    "/voice/dial",
    "/voice/whisper",
    "/voice/whisper?lang=..%2F..",
]
DIGITS = [None, "", "5", "0", "*", "#", "12345", "abc", "ø", "9" * 500, "1#"]


@pytest.mark.parametrize("path", GARBAGE)
@pytest.mark.parametrize("digits", DIGITS)
def test_garbage_never_gives_an_error(line_client, path, digits):
    params = dict(CALL_PARAMS)
    if digits is not None:
        params["Digits"] = digits
    params["DialCallStatus"] = digits or ""
    response = post_signed(line_client, path, params)
    assert response.status_code == 200
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response" and len(root), "never an empty answer"


def test_missing_call_parameters_are_fine(line_client):
    response = post_signed(line_client, "/voice", {})
    assert response.status_code == 200 and b"<Gather" in response.data


def test_an_exception_gives_callback_information_in_the_callers_language(app, client, monkeypatch):
    import ivr.flow

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ivr.flow, "next_step", broken)
    response = post_signed(client, "/voice/step?node=menu&lang=nb", {**CALL_PARAMS, "Digits": "1"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "en en to" in text and "førtisju, førtifem, femten, null null" in text
    assert "112" not in text and "47. 45" not in text and 'language="nb-NO"' in text


def test_fallback_url_needs_no_database(app, client):
    break_database(app)
    response = post_signed(client, "/voice/fallback", CALL_PARAMS)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "one one two" in text and "112" not in text and "<Hangup" in text
    assert text.count("four seven, four five, one five, zero zero") >= 2


def test_logs_never_hold_the_callers_number(caller, caplog):
    caplog.set_level("DEBUG")
    # a Wednesday at 10:00, so 0 puts the call through (the caller's number is in the dial)
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=OSLO), tick=False):
        caller().press("1").press("0")
    assert "+4799999999" not in caplog.text and "99999999" not in caplog.text
    assert "webhook voice.step node=menu lang=en event=transfer" in caplog.text
