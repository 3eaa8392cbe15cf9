"""Webhooks refuse what Twilio never sends before reading it; only staff uploads may be large."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from ivr import create_app
from ivr.config import ConfigError

from .conftest import BASE, CALL_PARAMS, sign

WEBHOOKS = ["/voice", "/voice/step?node=menu&lang=en", "/voice/fallback"]
SHAPED_SIGNATURE = "A" * 27 + "="  # looks like Twilio's, signs nothing


class Unreadable:
    """A request body of `size` bytes that fails the test if the app reads a byte of it."""

    def __init__(self, size: int = 0):
        self.size, self.position = size, 0

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = self.size if whence == 2 else offset
        return self.position

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def post_raw(client, path: str, headers: dict, body=None, content_length: int = 0):
    """A POST with exactly these headers and body stream (no form encoding by the client);
    without `body`, a body of `content_length` bytes that must not be read."""
    return client.post(
        path,
        input_stream=body if body is not None else Unreadable(content_length),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_body_of_megabytes_is_refused_without_being_read(client, path):
    response = post_raw(
        client, path, {"X-Twilio-Signature": SHAPED_SIGNATURE}, content_length=13_000_000
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "signature",
    [None, "", "abc", "A" * 28, "A" * 26 + "==", "A" * 27 + "= ", "A" * 27 + "=x", "Ø" * 27 + "="],
)
@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_missing_or_malformed_signature_is_refused_without_reading(client, path, signature):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    response = post_raw(client, path, headers, content_length=2000)
    assert response.status_code == 403


def test_more_fields_than_twilio_sends_are_refused(client):
    body = urlencode({f"f{i}": "1" for i in range(150)}).encode()
    assert len(body) < 8 * 1024  # small enough: refused for its fields, not its size
    response = post_raw(
        client, "/voice", {"X-Twilio-Signature": SHAPED_SIGNATURE}, body=io.BytesIO(body)
    )
    assert response.status_code == 413


def test_a_chunked_body_is_read_only_up_to_the_limit(client):
    endless = io.BytesIO(b"a=" + b"x" * 9000)  # over 8 KB, no length given
    response = post_raw(
        client,
        "/voice",
        {"X-Twilio-Signature": SHAPED_SIGNATURE, "Transfer-Encoding": "chunked"},
        body=endless,
    )
    assert response.status_code == 413
    assert endless.tell() <= 8 * 1024 + 1


def test_a_small_chunked_body_signed_by_twilio_is_answered(client):
    body = urlencode(CALL_PARAMS).encode()
    headers = {
        "X-Twilio-Signature": sign(BASE + "/voice", CALL_PARAMS),
        "Transfer-Encoding": "chunked",
    }
    response = post_raw(client, "/voice", headers, body=io.BytesIO(body))
    assert response.status_code == 200
    assert "<Gather" in response.get_data(as_text=True)


def test_a_body_that_is_not_a_form_is_refused(client):
    response = client.post(
        "/voice",
        data={"recording": (io.BytesIO(b"x"), "a.wav")},
        content_type="multipart/form-data",
        headers={"X-Twilio-Signature": SHAPED_SIGNATURE},
    )
    assert response.status_code == 415


@pytest.mark.parametrize("path", WEBHOOKS)
def test_a_real_webhook_is_still_answered(client, path):
    params = {**CALL_PARAMS, "Digits": "1"}
    response = client.post(
        path, data=params, headers={"X-Twilio-Signature": sign(BASE + path, params)}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/xml"


def test_webhook_limit_follows_the_setting(app_settings):
    small = create_app({**app_settings, "WEBHOOK_MAX_KB": 1}).test_client()
    params = {**CALL_PARAMS, "CallToken": "x" * 1500}  # a real field, grown past 1 KB
    response = small.post(
        "/voice", data=params, headers={"X-Twilio-Signature": sign(BASE + "/voice", params)}
    )
    assert response.status_code == 413


def test_development_mode_without_token_takes_unsigned_webhooks(app_settings):
    dev = create_app({**app_settings, "TWILIO_AUTH_TOKEN": "", "ALLOW_UNSIGNED_WEBHOOKS": "1"})
    assert dev.test_client().post("/voice", data=CALL_PARAMS).status_code == 200
    big = post_raw(dev.test_client(), "/voice", {}, content_length=13_000_000)
    assert big.status_code == 413


def test_audio_files_and_health_are_not_webhooks(client):
    assert client.get("/healthz").status_code == 200
    assert client.post("/voicemail").status_code == 404  # only /voice and /voice/...


def test_unsigned_webhooks_are_answered_only_on_this_computer(app_settings):
    dev = create_app(
        {**app_settings, "TWILIO_AUTH_TOKEN": "", "ALLOW_UNSIGNED_WEBHOOKS": "1"}
    ).test_client()
    here = dev.post("/voice", data=CALL_PARAMS)
    there = dev.post("/voice", data=CALL_PARAMS, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    tunnel = dev.post("/voice", data=CALL_PARAMS, headers={"X-Forwarded-For": "192.0.2.7"})
    assert (here.status_code, there.status_code, tunnel.status_code) == (200, 403, 403)


def test_unsigned_webhooks_are_refused_on_a_public_address(app_settings):
    with pytest.raises(ConfigError, match="ALLOW_UNSIGNED_WEBHOOKS is for a line on this"):
        create_app(
            {
                **app_settings,
                "TWILIO_AUTH_TOKEN": "",
                "ALLOW_UNSIGNED_WEBHOOKS": "1",
                "PUBLIC_BASE_URL": "https://line.example.org",
            }
        )


def test_in_service_the_public_address_must_be_known(app_settings):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL is not set"):
        create_app({**app_settings, "PUBLIC_BASE_URL": "", "TRUSTED_PROXIES": "0"})
    assert create_app(
        {**app_settings, "PUBLIC_BASE_URL": "https://line.example.org", "TRUSTED_PROXIES": "0"}
    )
