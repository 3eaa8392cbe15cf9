"""Twilio's request signature: every webhook proves it comes from Twilio.

Twilio signs the public URL it called. Behind a proxy or ngrok Flask sees another URL (http
instead of https, an inner host name), so the URL to check is rebuilt from PUBLIC_BASE_URL when
it is set, or from X-Forwarded-* headers when TRUSTED_PROXIES says how many proxies to trust.
"""

from __future__ import annotations

import functools
import hmac
import logging

from flask import abort, current_app, g, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def public_request_url() -> str:
    """The URL Twilio called, as Twilio saw it: the raw path and query, byte for byte."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    path = raw if raw and raw.startswith("/") else request.full_path.removesuffix("?")
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")
    return base + request.script_root + path.removeprefix(request.script_root)


def signed_by_twilio() -> bool:
    """Whether this request carries a valid X-Twilio-Signature."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        return current_app.config["ALLOW_UNSIGNED_WEBHOOKS"]
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    params = request.form if request.method == "POST" else {}
    validator, url = RequestValidator(token), public_request_url()
    # The URL as called signs almost every request: one HMAC. Only when it does not match are
    # the other forms Twilio may have signed (with or without the port) tried.
    if hmac.compare_digest(validator.compute_signature(url, params), signature):
        return True
    return validator.validate(url, params, signature)


def twilio_only(view):
    """Refuse (403) any request to `view` that Twilio did not sign."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not signed_by_twilio():
            log.warning("refused unsigned or wrongly signed webhook %s", request.endpoint)
            abort(403)
        g.signed_by_twilio = True  # from here on, the request's values may be logged
        return view(*args, **kwargs)

    return checked
