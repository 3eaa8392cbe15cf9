"""Twilio's request signature: every webhook proves it comes from Twilio.

Twilio signs the public URL it called. Behind a proxy or ngrok Flask sees another URL (http
instead of https, an inner host name), so the URL to check is rebuilt from PUBLIC_BASE_URL when
it is set, or from X-Forwarded-* headers when TRUSTED_PROXIES says how many proxies to trust.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Mapping

from flask import abort, current_app, g, request
from twilio.request_validator import RequestValidator
from werkzeug.wsgi import get_current_url

log = logging.getLogger(__name__)


def public_request_url() -> str:
    """The URL Twilio called, as Twilio saw it, for the request being handled."""
    config = current_app.config
    return public_url(request.environ, config["PUBLIC_BASE_URL"], config.get("TRUSTED_HOSTS"))


def public_url(environ: dict, public_base_url: str, trusted_hosts: list[str] | None = None) -> str:
    """The URL Twilio called: PUBLIC_BASE_URL (or the scheme and host the request shows, after
    TRUSTED_PROXIES) and the raw path and query, byte for byte. Read from the WSGI environ
    alone, as Werkzeug reads it, so Flask's routes and the quick path check the same URL."""
    script_root = _wsgi_text(environ.get("SCRIPT_NAME") or "").rstrip("/")
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw and raw.startswith("/"):
        path = raw
    else:
        path = "/" + _wsgi_text(environ.get("PATH_INFO") or "").lstrip("/")
        path = f"{path}?{environ.get('QUERY_STRING', '').encode('latin1').decode()}"
        path = path.removesuffix("?")
    base = public_base_url or _host_url(
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        tuple(trusted_hosts) if trusted_hosts is not None else None,
    )
    return base + script_root + path.removeprefix(script_root)


@functools.lru_cache(maxsize=64)
def _host_url(
    scheme: str,
    host: str | None,
    server_name: str | None,
    server_port: str | None,
    trusted_hosts: tuple[str, ...] | None,
) -> str:
    """Werkzeug's `request.host_url` without its slash, for these parts of the environ (the
    same few for every request of a deployment; remembered, a refused host never is)."""
    environ = {"wsgi.url_scheme": scheme, "HTTP_HOST": host, "SERVER_NAME": server_name}
    environ = {name: value for name, value in environ.items() if value is not None}
    if server_port is not None:
        environ["SERVER_PORT"] = server_port
    return get_current_url(environ, host_only=True, trusted_hosts=trusted_hosts).rstrip("/")


def _wsgi_text(value: str) -> str:
    """A path from the WSGI environ as text (WSGI carries bytes as latin-1), as Werkzeug does."""
    return value.encode("latin1").decode(errors="replace")


def signed_as_called(token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Whether `signature` is Twilio's for exactly this URL and form: one HMAC, the case of
    almost every request (the quick path asks only this)."""
    expected = RequestValidator(token).compute_signature(url, params)
    return hmac.compare_digest(expected, signature)


def signature_holds(token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Whether `signature` is Twilio's for this URL and form, by Twilio's RequestValidator:
    the URL as called, then the other forms Twilio may have signed (with or without the port)."""
    if signed_as_called(token, url, params, signature):
        return True
    return bool(RequestValidator(token).validate(url, params, signature))


def signed_by_twilio() -> bool:
    """Whether this request carries a valid X-Twilio-Signature."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        return bool(current_app.config["ALLOW_UNSIGNED_WEBHOOKS"])
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    params = request.form if request.method == "POST" else {}
    return signature_holds(token, public_request_url(), params, signature)


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
