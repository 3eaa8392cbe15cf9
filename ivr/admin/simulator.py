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
from ..simulator import DEFAULT_REGION, Options, SimulatedCall, country_choices, example_number
from .blueprint import CONTENT_SECURITY_POLICY
from .i18n import MESSAGES, ui_language

MESSAGES["nb"].update({
    "nav.simulator": "Prøv en samtale",
    "sim.title": "Prøv en samtale",
    "sim.intro": "Ring linjen slik en innringer gjør, uten telefon: du hører hvert opptak i rekkefølge og ser hva som blir sagt, på innringerens språk og på engelsk. Prøvesamtaler endrer ingenting for ekte innringere og telles ikke i statistikken.",
    "sim.options": "Før samtalen",
    "sim.date": "Dato (norsk tid)",
    "sim.time": "Klokkeslett (norsk tid)",
    "sim.when_help": "Tomt: nå. Velg for eksempel en helligdag eller fredag 15.59.",
    "sim.country": "Innringerens land",
    "sim.country_help": "Ringer noen fra et utenlandsk nummer, kan linjen tilby landets språk først.",
    "sim.drafts": "Spill utkast i stedet for det som er publisert",
    "sim.call": "Ring",
    "sim.hang_up": "Legg på",
    "sim.keypad": "Tastatur",
    "sim.press": "Trykk",
    "sim.keys_help": "Du kan trykke mens noe spilles, som på en telefon. Tastene 0–9, * og # på tastaturet virker også.",
    "sim.status.idle": "Ingen samtale.",
    "sim.status.calling": "Ringer …",
    "sim.status.playing": "Spiller",
    "sim.status.saying": "Sier",
    "sim.status.listening": "Linjen venter på en tast ({seconds} sekunder).",
    "sim.status.ended": "Samtalen er slutt.",
    "sim.status.error": "Noe gikk galt med prøvesamtalen.",
    "sim.transfer": "Setter over til",
    "sim.outcome": "Hva skjer med overføringen?",
    "sim.outcome.answered": "Besvart",
    "sim.outcome.no-answer": "Ingen svarer",
    "sim.outcome.busy": "Opptatt",
    "sim.outcome.failed": "Feilet",
    "sim.transcript": "Hva innringeren hører",
    "sim.heard": "Sekunder lyd hørt så langt",
    "sim.col.step": "Steg",
    "sim.col.lang": "Språk",
    "sim.col.text": "Tekst",
    "sim.col.english": "Engelsk",
    "sim.col.audio": "Lyd",
    "sim.col.seconds": "Sekunder",
    "sim.say": "lest opp av Twilio (ca.)",
    "sim.version": "versjon",
    "sim.key": "Innringeren trykker",
    "sim.silence": "Innringeren sier ingenting",
    "sim.end": "Linjen legger på",
})
MESSAGES["en"].update({
    "nav.simulator": "Try a call",
    "sim.title": "Try a call",
    "sim.intro": "Call the line as a caller does, without a phone: you hear each recording in order and see what is said, in the caller's language and in English. Test calls change nothing for real callers and are not counted in the statistics.",
    "sim.options": "Before the call",
    "sim.date": "Date (Norwegian time)",
    "sim.time": "Time (Norwegian time)",
    "sim.when_help": "Empty: now. Choose, for example, a public holiday or Friday 15:59.",
    "sim.country": "Caller's country",
    "sim.country_help": "When someone calls from a foreign number, the line may offer that country's language first.",
    "sim.drafts": "Play drafts instead of what is published",
    "sim.call": "Call",
    "sim.hang_up": "Hang up",
    "sim.keypad": "Keypad",
    "sim.press": "Press",
    "sim.keys_help": "You can press while something plays, as on a phone. The keys 0–9, * and # on your keyboard work too.",
    "sim.status.idle": "No call.",
    "sim.status.calling": "Calling …",
    "sim.status.playing": "Playing",
    "sim.status.saying": "Saying",
    "sim.status.listening": "The line waits for a key ({seconds} seconds).",
    "sim.status.ended": "The call has ended.",
    "sim.status.error": "Something went wrong with the test call.",
    "sim.transfer": "Transferring to",
    "sim.outcome": "What happens to the transfer?",
    "sim.outcome.answered": "Answered",
    "sim.outcome.no-answer": "No answer",
    "sim.outcome.busy": "Busy",
    "sim.outcome.failed": "Failed",
    "sim.transcript": "What the caller hears",
    "sim.heard": "Seconds of audio heard so far",
    "sim.col.step": "Step",
    "sim.col.lang": "Language",
    "sim.col.text": "Text",
    "sim.col.english": "English",
    "sim.col.audio": "Audio",
    "sim.col.seconds": "Seconds",
    "sim.say": "spoken by Twilio (about)",
    "sim.version": "version",
    "sim.key": "The caller presses",
    "sim.silence": "The caller says nothing",
    "sim.end": "The line hangs up",
})

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
    page = render_template("admin/simulator.html", keys=KEYS, outcomes=list(DIAL_OUTCOMES),
                           countries=country_choices("nb" if ui_language() == "nb" else "en"),
                           default_country=DEFAULT_REGION)
    response = make_response(page)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "media-src 'self'", "media-src " + " ".join(_audio_origins()))
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
            local = datetime.strptime(f"{data['date']} {data.get('time') or '00:00'}",
                                      "%Y-%m-%d %H:%M")
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
    return SimulatedCall.resume(current_app._get_current_object(), state)


def _heard(data: dict) -> float | None:
    try:
        return max(0.0, float(data["heard"])) if data.get("heard") is not None else None
    except (TypeError, ValueError):
        return None


def _act(data: dict) -> SimulatedCall:
    """Run the page's action on a new or resumed call; 400 for anything malformed."""
    action = data.get("action")
    if action == "start":
        simulated = SimulatedCall(current_app._get_current_object(), _options(data))
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
        ended=simulated.ended, running=round(simulated.running, 1),
        state=_signer().dumps(simulated.state()),
    )
