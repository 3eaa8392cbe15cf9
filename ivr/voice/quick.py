"""The quick path: Twilio's common webhooks answered from the answer cache, in front of Flask.

Nearly every webhook asks for an answer the line has given before (the same position, key,
language, open or closed state and content; see ivr/answers.py). For those, this WSGI
middleware does only what the answer needs: it reads the form once (the body is already
size-limited by ivr/request_limits.py), checks Twilio's signature on the very URL Flask's route
would check (ivr/voice/security.py), finds the answer under the same key (ivr/voice/keys.py),
queues the call's anonymous event, logs the same line and sends the prebuilt bytes. No Flask
request, routing, session or response object.

Everything else goes to Flask unchanged, with the body put back: a cache miss (Flask computes
the answer and keeps it for the next caller), a signature that does not hold at once (Flask
tries Twilio's other URL forms, or refuses with 403 and logs it), a body that is not a plain
form, the fallback, simulated calls (their environ key), staff pages, development without a
token, and any error here (Flask's error handler gives the caller the safe answer).
"""

from __future__ import annotations

import functools
import io
import logging
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler used below)
from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from ..answers import Answer
from ..flow import Position
from ..request_limits import FORM_TYPE
from ..services import Services, services
from ..simulation import ENVIRON_KEY
from .keys import answer_key, dial_key, incoming_key, step_key, whisper_key
from .routes import log_webhook, record_event
from .security import public_url, signed_as_called

log = logging.getLogger("ivr.voice")
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
XML = "text/xml; charset=utf-8"  # as Flask's Response(mimetype="text/xml") says it
# The webhooks the quick path answers (their paths) and Flask's endpoint for each.
ROUTES = {
    "/voice": "voice.incoming",
    "/voice/step": "voice.step",
    "/voice/dial": "voice.dial_result",
    "/voice/whisper": "voice.whisper",
}


class QuickWebhooks:
    """WSGI middleware directly around Flask (inside ProxyFix and the webhook guard)."""

    def __init__(self, app: Flask, inner: WSGIApp):
        self.app, self.inner = app, inner

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        endpoint = ROUTES.get(environ.get("PATH_INFO", ""))
        if endpoint is None or environ.get("REQUEST_METHOD") != "POST" or ENVIRON_KEY in environ:
            return self.inner(environ, start_response)
        try:
            answer = self.cached_answer(endpoint, environ)
        except Exception:
            log.exception("quick path failed on %s; Flask answers", endpoint)
            answer = None
        if answer is None:
            return self.inner(environ, start_response)
        length = str(len(answer.body))
        start_response("200 OK", [("Content-Type", XML), ("Content-Length", length)])
        return [answer.body]

    def cached_answer(self, endpoint: str, environ: dict) -> Answer | None:
        """The cached answer to a correctly signed request (its event queued), or None."""
        started = time.perf_counter()
        config = self.app.config
        token, signature = config["TWILIO_AUTH_TOKEN"], environ.get("HTTP_X_TWILIO_SIGNATURE")
        if not token or not signature:
            return None
        form = _form(environ, config["WEBHOOK_MAX_KB"] * 1024)
        if form is None:
            return None
        url = public_url(environ, config["PUBLIC_BASE_URL"], config.get("TRUSTED_HOSTS"))
        if not signed_as_called(token, url, form, signature):
            return None
        shared = services(self.app)
        shared.ready_for_calls()
        query = environ.get("QUERY_STRING", "")
        answer = shared.answers.peek(shared.content_version(), _key(endpoint, shared, query, form))
        if answer is None:
            return None
        if answer.counted:
            record_event(shared, answer, form.get("CallSid", ""), config)
        if log.isEnabledFor(logging.INFO):
            event = answer.event if answer.counted else "-"
            log_webhook(endpoint, _parsed_query(query), shared.catalog, event, 200, started)
        return answer


def _key(endpoint: str, shared: Services, query: str, form: Mapping[str, str]) -> Hashable:
    """The answer's key, exactly as the Flask route makes it (ivr/voice/routes.py)."""
    catalog = shared.catalog
    if endpoint == "voice.whisper":
        return whisper_key(catalog, _parsed_query(query))
    if endpoint == "voice.step":
        request_key = step_key(_position(query), form)
    elif endpoint == "voice.incoming":
        request_key = incoming_key(catalog, form)
    else:
        request_key = dial_key(_parsed_query(query), form)
    return answer_key(endpoint, request_key, form, shared.open_now())


def _form(environ: dict, max_bytes: int) -> _Form | None:
    """The form of a plain form post, parsed as Werkzeug parses it, the body put back for
    Flask; None for anything else (no or odd length, another media type)."""
    media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    length = environ.get("CONTENT_LENGTH", "")
    if media_type != FORM_TYPE or not length.isdigit() or int(length) > max_bytes:
        return None
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return None  # not Twilio's: Flask decides what to answer
    return _Form(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


@functools.lru_cache(maxsize=1024)
def _parsed_query(query: str) -> ImmutableMultiDict[str, str]:
    """A query string's parameters, parsed as Werkzeug parses them (`request.args`).
    Remembered: only URLs Twilio signed get here, and those are the line's own positions,
    the same few hundred for every call."""
    text = query.encode("latin1").decode()
    return ImmutableMultiDict(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


@functools.lru_cache(maxsize=1024)
def _position(query: str) -> Position:
    """The position a step's URL holds (remembered, as `_parsed_query`)."""
    return Position.from_query(_parsed_query(query))


class _Form(MultiDict[str, str]):
    """A parsed form whose values Twilio's RequestValidator reads with `getall`."""

    def getall(self, key: str) -> list[str]:
        """Every value of `key` (what RequestValidator asks for first)."""
        return self.getlist(key)


def register(app: Flask) -> None:
    """Put the quick path directly around Flask (before ProxyFix and the guard wrap it)."""
    # Flask's documented way to add WSGI middleware: replace the method on the instance.
    app.wsgi_app = QuickWebhooks(app, app.wsgi_app)  # type: ignore[method-assign]
