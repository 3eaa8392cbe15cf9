"""The call simulator page: a keypad that calls the line as a caller would (every role).

The page sends each action (call, a key, silence, a transfer's outcome) to `/staff/simulator/
call`; the server walks the real webhooks (`ivr.simulator.SimulatedCall`) and answers with the
transcript lines to play and show, and the call's state, signed with SECRET_KEY so the page can
hand it back but not change it. Nothing is stored, and simulated calls are not counted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..hours import OSLO
from ..phone import DIAL_OUTCOMES, TwimlError
from ..services import current_app_object
from ..simulator import DEFAULT_REGION, Options, SimulatedCall, country_choices, example_number
from .blueprint import CONTENT_SECURITY_POLICY
from .i18n import ui_language

bp = Blueprint("simulator", __name__)
MENU = "nav.simulator"
STATE_SALT = "ivr.simulator.call"
STATE_MAX_AGE = 4 * 3600
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=STATE_SALT)


@bp.get("/simulator")
@login_required
def page():
    """The keypad, the options and an empty transcript."""
    page = render_template(
        "admin/simulator.html",
        keys=KEYS,
        outcomes=list(DIAL_OUTCOMES),
        countries=country_choices("nb" if ui_language() == "nb" else "en"),
        default_country=DEFAULT_REGION,
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "media-src 'self'", "media-src " + " ".join(_audio_origins())
    )
    return response


def _audio_origins() -> list[str]:
    """Where the line's <Play> files come from: here, AUDIO_BASE_URL, PUBLIC_BASE_URL."""
    origins = ["'self'"]
    for url in (current_app.config["AUDIO_BASE_URL"], current_app.config["PUBLIC_BASE_URL"]):
        if url:
            parts = urlsplit(url)
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _options(data: dict) -> Options:
    """The options chosen before the call: Oslo date and time (empty: now), country, drafts."""
    at = None
    if data.get("date"):
        try:
            local = datetime.strptime(
                f"{data['date']} {data.get('time') or '00:00'}", "%Y-%m-%d %H:%M"
            )
        except ValueError:
            abort(400)
        at = local.replace(tzinfo=OSLO).astimezone(UTC)
    try:
        caller = example_number(str(data.get("country") or DEFAULT_REGION).upper()[:3])
    except ValueError:
        abort(400)
    return Options(at=at, caller=caller, drafts=bool(data.get("drafts")))


def _resume(data: dict) -> SimulatedCall:
    try:
        state = _signer().loads(str(data.get("state", "")), max_age=STATE_MAX_AGE)
    except BadSignature:
        abort(400)
    return SimulatedCall.resume(current_app_object(), state)


def _heard(data: dict) -> float | None:
    try:
        return max(0.0, float(data["heard"])) if data.get("heard") is not None else None
    except (TypeError, ValueError):
        return None


def _act(data: dict) -> SimulatedCall:
    """Run the page's action on a new or resumed call; 400 for anything malformed."""
    action = data.get("action")
    if action == "start":
        simulated = SimulatedCall(current_app_object(), _options(data))
        simulated.start()
        return simulated
    simulated = _resume(data)
    if action == "press" and data.get("key") in KEYS and simulated.phone.listening:
        simulated.press(data["key"], _heard(data))
    elif action == "silence" and simulated.phone.listening:
        simulated.silence()
    elif action == "dial" and data.get("outcome") in DIAL_OUTCOMES and simulated.phone.dialing:
        simulated.dial_ends(data["outcome"])
    else:
        abort(400)
    return simulated


@bp.post("/simulator/call")
@login_required
def call():
    """One action of the simulated call; the new transcript lines and what the line does now."""
    data = request.get_json(silent=True) or {}
    try:
        simulated = _act(data)
    except (TwimlError, RuntimeError) as exc:
        current_app.logger.warning("simulated call failed: %s", exc)
        return jsonify(error=str(exc)), 502
    listening, dialing = simulated.phone.listening, simulated.phone.dialing
    lines = simulated.transcript  # a resumed call's transcript holds only this action's lines
    dialed = [line.text for line in lines if line.kind == "dial"]
    return jsonify(
        lines=[line.as_dict() for line in lines],
        listening={"timeout": listening.timeout} if listening else None,
        dialing={"numbers": dialed[-1]} if dialing and dialed else None,
        ended=simulated.ended,
        running=round(simulated.running, 1),
        state=_signer().dumps(simulated.state()),
    )
