"""Twilio's voice webhooks: thin adapters between HTTP and the call flow.

Every route checks Twilio's signature, reads the position from the URL, asks `flow` for the
next step and renders it. Any failure still answers 200 with safe TwiML: the callback
information and 112, in the caller's language when known.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, current_app, g, request, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from .. import flow
from ..answers import Answer
from ..call_events import Event
from ..catalog import Catalog
from ..flow import Line, Position, Step
from ..hours import is_open
from ..line import offered_languages
from ..models import utcnow
from ..schedule import LineSettings
from ..selftest import SELFTEST_CALL_SID
from ..services import Services, services
from ..simulation import DraftAudio, current_simulation, draft_catalog
from ..stats import call_key
from .keys import (
    answer_key,
    dial_key,
    incoming_key,
    pressed,
    step_key,
    whisper_key,
    whisper_language,
)
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
    settings = services().line.for_calls().settings
    simulation = current_simulation()
    if simulation is not None and simulation.drafts:  # draft languages are offered too
        settings = replace(settings, offer_drafts=True)
    return settings


def _line() -> Line:
    catalog = _catalog()
    settings = _settings()

    offered = offered_languages(catalog, settings, _audio().url_for)
    return Line(catalog, catalog.menu_pages(offered), _open_now)


def _open_now() -> bool:
    """Whether KOM is open now, by the rules in memory (never waits for the database). A
    simulated call at another instant reads the rules for that instant (a staff tool)."""
    simulation = current_simulation()
    if simulation is not None and simulation.at:
        return is_open(simulation.at, services().line.rules(simulation.at))
    return services().open_now()


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


def _respond(compute: Callable[[], tuple[Step, str, str | None]], request_key: tuple) -> Response:
    """The answer to this request: the same for every caller at the same position while KOM's
    state and content stay the same, so it is computed once (see ivr/answers.py). The key must
    hold everything else the answer depends on (`request_key`: position and key pressed; the
    line's number). Its anonymous event is queued for statistics (never written on the call's
    road). A simulated call (staff's simulator) is neither cached nor counted."""
    shared = services()
    simulated = current_simulation() is not None
    key = answer_key(str(request.endpoint), request_key, request.form, _open_now())

    def render_answer() -> Answer:
        step, node, pressed = compute()
        twiml = render(
            step,
            _catalog(),
            _audio(),
            action_url=lambda pos: _url("voice.step", **pos.to_query()),
            transfer=_transfer(step.lang) if step.transfer else None,
        )
        return Answer(twiml, step.lang, step.event, node, pressed)

    answer = (
        render_answer()
        if simulated
        else shared.answers.get(shared.content_version(), key, render_answer)
    )
    g.event = answer.event
    if not simulated:
        record_event(shared, answer, request.form.get("CallSid", ""), current_app.config)
    return Response(answer.body, mimetype="text/xml")


def record_event(
    shared: Services, answer: Answer, call_sid: str, config: Mapping[str, Any]
) -> None:
    """Queue the answer's anonymous event for statistics (never written on the call's road);
    a call of `ivr selftest` is not a caller and is not counted."""
    if call_sid != SELFTEST_CALL_SID:
        shared.events.record(
            Event(
                answer.lang,
                answer.node,
                answer.key,
                answer.event,
                call_key=call_key(config["SECRET_KEY"], call_sid),
            )
        )


@bp.post("")
@twilio_only
def incoming():
    """A call comes in: the language of the caller's country first (if any), greeting, menu."""
    request_key = incoming_key(_catalog(), request.form)
    (hint,) = request_key
    return _respond(lambda: (flow.start(_line(), hint), "incoming", None), request_key)


@bp.post("/step")
@twilio_only
def step():
    """The caller pressed a key (or stayed silent) at the position in the URL."""
    position = Position.from_query(request.args)
    request_key = step_key(position, request.form)
    key, digits = pressed(request.form)
    return _respond(
        lambda: (flow.next_step(_line(), position, key or digits), position.node, key),
        request_key,
    )


@bp.post("/dial")
@twilio_only
def dial_result():
    """The transfer ended: answered and finished, or busy, no answer, failed."""
    request_key = dial_key(request.args, request.form)
    lang, status = request_key
    return _respond(lambda: (flow.after_transfer(_line(), lang, status), "dial", None), request_key)


@bp.post("/whisper")
@twilio_only
def whisper():
    """Heard by KOM's staff member before the caller is connected: the caller's language.
    The same for every call in that language: cached like the callers' answers, not counted."""
    catalog, shared = _catalog(), services()

    def render_whisper() -> Answer:
        lang = whisper_language(catalog, request.args)
        name = catalog.languages[lang].name_nb if lang else catalog.staff["unknown_language"]
        text = catalog.staff["whisper"].replace("{language}", name)
        response = VoiceResponse()
        response.say(text, voice=catalog.staff["voice"], language=catalog.staff["language"])
        response.pause(length=1)
        response.say(text, voice=catalog.staff["voice"], language=catalog.staff["language"])
        return Answer(str(response), None, "-", "whisper", None, counted=False)

    if current_simulation() is not None:  # the drafts' names: computed for this call only
        return Response(render_whisper().twiml, mimetype="text/xml")
    key = whisper_key(catalog, request.args)
    answer = shared.answers.get(shared.content_version(), key, render_whisper)
    return Response(answer.body, mimetype="text/xml")


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
    """Time the request; make sure this process keeps what calls need in memory (the fallback
    never waits, not even for a new process's first reads)."""
    g.started = time.perf_counter()
    if request.endpoint != "voice.fallback":
        services().ready_for_calls()


@bp.after_request
def _log_request(response: Response) -> Response:
    """One line per request Twilio signed, with only values the line knows (a node, a language
    code): text from the URL as sent never reaches the log, so no line can be forged there."""
    if not g.get("signed_by_twilio") or not log.isEnabledFor(logging.INFO):
        return response  # refused (security.py logged it, without anything from the request)
    log_webhook(
        str(request.endpoint),
        request.args,
        _catalog(),
        g.get("event", "-"),
        response.status_code,
        g.get("started", time.perf_counter()),
        simulated=current_simulation() is not None,
    )
    return response


def log_webhook(
    endpoint: str,
    args: Mapping[str, str],
    catalog: Catalog,
    event: str,
    status: int,
    started: float,
    simulated: bool = False,
) -> None:
    """The one line logged for a signed webhook: only a node and a language the line knows."""
    node, lang = args.get("node", ""), args.get("lang", "")
    log.info(
        "webhook %s node=%s lang=%s event=%s status=%s ms=%.1f%s",
        endpoint,
        node if node in flow.NODES else "-",
        lang if lang in catalog.languages else "-",
        event,
        status,
        (time.perf_counter() - started) * 1000,
        " simulated" if simulated else "",
    )
