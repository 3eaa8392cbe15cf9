"""How much of a request the app is willing to read, decided before reading any of it.

Twilio's webhooks are small form posts (about 1-3 KB, a few dozen fields) carrying an
`X-Twilio-Signature` of 28 base64 characters. Anything else sent to `/voice...` is refused at
once, before the form is parsed or the body is read: a body over WEBHOOK_MAX_KB (413), more
fields than Twilio ever sends (413), or a missing or malformed signature header (403). A stranger
can then no longer hold a worker by sending megabytes or millions of fields.

Staff forms may send at most STAFF_FORM_MAX_KB; only the recording upload route accepts
STAFF_UPLOAD_MAX_MB.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import re
from collections.abc import Callable, Iterable

from flask import Flask, request

log = logging.getLogger("ivr.voice")
WEBHOOK_PATHS = ("/voice",)
MAX_WEBHOOK_FIELDS = 100  # Twilio sends about 20-40 (call, caller's region, dial result)
STAFF_FORM_MAX_KB = 256  # every staff form but the upload: texts are at most 20,000 characters
UPLOAD_ENDPOINTS = frozenset({"admin.recordings.upload"})  # the routes that take a recording
# HMAC-SHA1, base64: 27 characters and one '=' of padding.
SIGNATURE_SHAPE = re.compile(r"[A-Za-z0-9+/]{27}=")
FORM_TYPE = "application/x-www-form-urlencoded"

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def is_webhook(path: str) -> bool:
    """Whether `path` is one of Twilio's webhooks (not the audio files or staff pages)."""
    return any(path == p or path.startswith(p + "/") for p in WEBHOOK_PATHS)


class WebhookGuard:
    """WSGI middleware: refuses what Twilio never sends to a webhook, before reading it."""

    def __init__(self, app: WSGIApp, max_bytes: int, signatures_required: bool):
        self.app = app
        self.max_bytes = max_bytes
        self.signatures_required = signatures_required

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and is_webhook(environ.get("PATH_INFO", "")):
            refusal = self.refusal(environ)
            if refusal:
                status, reason = refusal
                log.warning("refused webhook before reading it: %s", reason)
                return _plain(start_response, status)
        return self.app(environ, start_response)

    def refusal(self, environ: dict) -> tuple[str, str] | None:
        """(HTTP status, reason) when the request cannot be Twilio's; None when it may be.

        Checks the headers first; only a body that fits is read, and then put back for Flask.
        """
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        if self.signatures_required and not SIGNATURE_SHAPE.fullmatch(signature):
            return "403 Forbidden", "missing or malformed X-Twilio-Signature"
        if not self.signatures_required and not _from_this_computer(environ):
            return "403 Forbidden", "unsigned webhooks (development) come from this computer only"
        media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if media_type not in ("", FORM_TYPE):
            return "415 Unsupported Media Type", "not a form post"
        body = self._read_body(environ)
        if body is None:
            return "413 Content Too Large", f"body over {self.max_bytes} bytes"
        if body.count(b"&") >= MAX_WEBHOOK_FIELDS:
            return "413 Content Too Large", f"more than {MAX_WEBHOOK_FIELDS} fields"
        return None

    def _read_body(self, environ: dict) -> bytes | None:
        """The body, at most `max_bytes`, put back as a plain stream; None if it is larger.

        A declared length over the limit is refused without reading a byte; a chunked body
        (no length) is read until one byte past the limit.
        """
        declared = environ.get("CONTENT_LENGTH", "").strip()
        if declared:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                return None
            to_read = int(declared)
        elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            to_read = self.max_bytes + 1
        else:
            to_read = 0  # no length, not chunked: HTTP says there is no body
        body = environ["wsgi.input"].read(to_read) if to_read else b""
        if len(body) > self.max_bytes:
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return body


def _from_this_computer(environ: dict) -> bool:
    """Whether the request came from a loopback address (127.0.0.0/8, ::1) and not through a
    proxy or tunnel (which would add X-Forwarded-For or Forwarded)."""
    if "HTTP_X_FORWARDED_FOR" in environ or "HTTP_FORWARDED" in environ:
        return False
    try:
        return ipaddress.ip_address(environ.get("REMOTE_ADDR", "").strip("[]")).is_loopback
    except ValueError:
        return False


def _plain(start_response: Callable, status: str) -> list[bytes]:
    """A short plain-text refusal (gunicorn drops the connection rather than read the rest)."""
    body = status.encode() + b"\n"
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def register(app: Flask) -> None:
    """The webhook guard in front of the app, and per-route body limits for staff requests."""
    app.config["MAX_CONTENT_LENGTH"] = STAFF_FORM_MAX_KB * 1024
    app.wsgi_app = WebhookGuard(  # type: ignore[method-assign]  # Flask's middleware pattern
        app.wsgi_app,
        app.config["WEBHOOK_MAX_KB"] * 1024,
        signatures_required=bool(app.config["TWILIO_AUTH_TOKEN"]),
    )

    @app.before_request
    def uploads_may_be_larger() -> None:
        """Only the recording upload accepts STAFF_UPLOAD_MAX_MB; set before the form is read."""
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["STAFF_UPLOAD_MAX_MB"] * 1024 * 1024
