"""Twilio's voice webhooks: thin adapters between HTTP and the call flow.

Every route checks Twilio's signature, reads the position from the URL, asks `flow` for the
next step and renders it. Any failure still answers 200 with safe TwiML: the callback
information and 112, in the caller's language when known.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from flask import Blueprint, Response, current_app, g, request, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from .. import flow
from ..caller_country import country_of
from ..catalog import Catalog
from ..db import DatabaseUnavailable
from ..flow import Line, Position, Step
from ..hours import is_open
from ..line import offered_languages
from ..models import CallEvent, utcnow
from ..schedule import LineSettings
from ..selftest import SELFTEST_CALL_SID
from ..services import services
from ..simulation import DraftAudio, current_simulation, draft_catalog
from ..stats import call_key
from .security import twilio_only
from .twiml import EMERGENCY_TWIML, Transfer, render, say_only

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger("ivr.voice")


def _catalog() -> Catalog:
    """The scripts callers hear; a simulated call with drafts hears the draft texts."""
    simulation = current_simulation()
    if simulation is None or not simulation.drafts:
        return services().catalog
    if "draft_catalog" not in g:
        g.draft_catalog = draft_catalog(services().catalog, services().db)
    return g.draft_catalog


def _audio():
    """Which file plays for a prompt; a simulated call with drafts plays the drafts."""
    simulation = current_simulation()
    if simulation is None or not simulation.drafts:
        return services().audio
    if "draft_audio" not in g:
        g.draft_audio = DraftAudio(services().audio, services().recordings)
    return g.draft_audio


def _now():
    """The instant the line sees: now, or the instant a simulated call asked for."""
    simulation = current_simulation()
    return simulation.at if simulation is not None and simulation.at else utcnow()


def _url(endpoint: str, **params) -> str:
    """A URL for Twilio to call next: relative, or absolute under PUBLIC_BASE_URL."""
    path = url_for(endpoint, **params)
    return current_app.config["PUBLIC_BASE_URL"] + path


def _settings() -> LineSettings:
    if "line_settings" not in g:
        g.line_settings = services().line.settings()
        simulation = current_simulation()
        if simulation is not None and simulation.drafts:  # draft languages are offered too
            g.line_settings = replace(g.line_settings, offer_drafts=True)
    return g.line_settings


def _line() -> Line:
    catalog = _catalog()
    settings = _settings()

    def open_now() -> bool:
        now = _now()
        return is_open(now, services().line.rules(now))

    offered = offered_languages(catalog, settings, _audio().url_for)
    return Line(catalog, catalog.menu_pages(offered), open_now)


def _transfer(lang: str | None) -> Transfer:
    settings = _settings()
    caller_id = current_app.config["LINE_CALLER_ID"] or request.form.get("To") or None
    return Transfer(
        numbers=settings.transfer_numbers,
        timeout=settings.dial_timeout,
        caller_id=caller_id,
        action_url=_url("voice.dial_result", lang=lang) if lang else _url("voice.dial_result"),
        whisper_url=_url("voice.whisper", lang=lang) if lang else _url("voice.whisper"),
    )


def _record(step: Step, node: str, key: str | None) -> None:
    """Store an anonymous event for statistics; a database failure never stops the call."""
    g.event = step.event
    if request.form.get("CallSid") == SELFTEST_CALL_SID:
        return  # `ivr selftest` walking the line: not a caller
    if current_simulation() is not None:
        return  # a simulated call is not a call: the statistics count real callers only
    try:
        with services().db.session() as s:
            s.add(CallEvent(language=step.lang, node=node, key=key, event=step.event,
                            call_key=call_key(current_app.config["SECRET_KEY"],
                                              request.form.get("CallSid", ""))))
    except DatabaseUnavailable as exc:
        log.error("could not record call event: %s", exc)


def _respond(step: Step, node: str, key: str | None = None) -> Response:
    _record(step, node, key)
    twiml = render(
        step, _catalog(), _audio(),
        action_url=lambda pos: _url("voice.step", **pos.to_query()),
        transfer=_transfer(step.lang) if step.transfer else None,
    )
    return Response(twiml, mimetype="text/xml")


@bp.post("")
@twilio_only
def incoming():
    """A call comes in: the language of the caller's country first (if any), greeting, menu."""
    return _respond(flow.start(_line(), _country_language()), node="incoming")


def _country_language() -> str | None:
    """The language menu.toml lists for the country of the caller's number (offered first if
    the menu offers it). The number (`From`) is read here, in memory, and nowhere else: only
    the language travels on (`hint=ro` in the URL; an answer cache may key on it too)."""
    return _catalog().language_for_country(country_of(request.form.get("From")))


@bp.post("/step")
@twilio_only
def step():
    """The caller pressed a key (or stayed silent) at the position in the URL."""
    position = Position.from_query(request.args)
    digits = request.form.get("Digits", "")
    key = digits[:1] if digits[:1] in "0123456789*#" else None
    return _respond(flow.next_step(_line(), position, key or digits), node=position.node, key=key)


@bp.post("/dial")
@twilio_only
def dial_result():
    """The transfer ended: answered and finished, or busy, no answer, failed."""
    lang = request.args.get("lang") or None
    status = request.form.get("DialCallStatus", "")
    status = status if status.replace("-", "").isalpha() else "unknown"
    return _respond(flow.after_transfer(_line(), lang, status[:20]), node="dial")


@bp.post("/whisper")
@twilio_only
def whisper():
    """Heard by KOM's staff member before the caller is connected: the caller's language."""
    catalog = _catalog()
    language = catalog.languages.get(request.args.get("lang", ""))
    name = language.name_nb if language else catalog.staff["unknown_language"]
    text = catalog.staff["whisper"].replace("{language}", name)
    response = VoiceResponse()
    response.say(text, voice=catalog.staff["voice"], language=catalog.staff["language"])
    response.pause(length=1)
    response.say(text, voice=catalog.staff["voice"], language=catalog.staff["language"])
    return Response(str(response), mimetype="text/xml")


@bp.post("/fallback")
@twilio_only
def fallback():
    """Twilio's fallback URL: callback information and 112, with no database and no files."""
    return Response(_safe_twiml(), mimetype="text/xml")


def _safe_twiml() -> str:
    try:
        lang = request.args.get("lang") or None
        catalog = _catalog()
        line = Line(catalog, catalog.menu_pages(), lambda: False)
        return say_only(flow.give_up(line, lang if lang in catalog.languages else None), catalog)
    except Exception:
        log.exception("could not build the safe answer; using the emergency text")
        return EMERGENCY_TWIML


@bp.errorhandler(Exception)
def webhook_failed(exc: Exception):
    """Any failure inside a webhook: log it, and give the caller the safe answer, never an error."""
    if isinstance(exc, HTTPException) and exc.code in (403, 405):
        return exc
    log.exception("webhook %s failed", request.path)
    g.event = "error"
    return Response(_safe_twiml(), mimetype="text/xml")


@bp.before_request
def _start_timer() -> None:
    g.started = time.perf_counter()


@bp.after_request
def _log_request(response: Response) -> Response:
    """One line per request Twilio signed, with only values the line knows (a node, a language
    code): text from the URL as sent never reaches the log, so no line can be forged there."""
    if not g.get("signed_by_twilio"):
        return response  # refused: security.py logged it, without anything from the request
    elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    node, lang = request.args.get("node", ""), request.args.get("lang", "")
    log.info("webhook %s node=%s lang=%s event=%s status=%s ms=%.1f%s", request.endpoint,
             node if node in flow.NODES else "-", lang if lang in _catalog().languages else "-",
             g.get("event", "-"), response.status_code, elapsed,
             " simulated" if current_simulation() is not None else "")
    return response
