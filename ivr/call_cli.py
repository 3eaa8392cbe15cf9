"""`ivr call`: walk a simulated call from the command line and print its transcript.

    ivr call [--from NUMBER] [--at "YYYY-MM-DD HH:MM"] [--keys 1,2,0]
             [--dial answered|no-answer|busy|failed] [--drafts]

The same walk as the staff page's simulator (`ivr.simulator`): the real webhooks, signed as
Twilio signs them, at the chosen Oslo time. Each key is pressed when the prompts before it have
been heard to the end; after the last key the caller stays silent until the call ends.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
import phonenumbers
from flask.cli import with_appcontext

from .hours import OSLO
from .phone import DIAL_OUTCOMES, TwimlError
from .services import current_app_object
from .simulator import DEFAULT_REGION, Options, SimulatedCall, TranscriptLine, example_number

VALID_KEYS = set("0123456789*#")
MAX_STEPS = 60  # no real call takes more; a line that never ends is a fault


def _oslo_time(value: str | None) -> datetime | None:
    """ "2026-12-24 15:59" in Oslo time, as an aware instant."""
    if value is None:
        return None
    try:
        local = datetime.strptime(value, "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter('use "YYYY-MM-DD HH:MM" (Oslo time)', param_hint="--at") from None
    return local.replace(tzinfo=OSLO).astimezone(UTC)


def _caller(value: str | None) -> str:
    """The caller's number in E.164 (default: an example Norwegian mobile number)."""
    if value is None:
        return example_number(DEFAULT_REGION)
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise click.BadParameter("give the number in E.164, like +40712034567", param_hint="--from")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _keys(value: str) -> list[str]:
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if any(k not in VALID_KEYS for k in keys):
        raise click.BadParameter("keys are 0-9, * and #, separated by commas", param_hint="--keys")
    return keys


def describe(line: TranscriptLine) -> list[str]:
    """The transcript line as the terminal shows it: step, language, running seconds, text."""
    head = f"{line.step:>3}  {line.lang or '-':5} {line.running:7.1f} s  "
    if line.kind == "key":
        return [f"{head}[caller presses {line.text}]"]
    if line.kind == "silence":
        return [f"{head}[caller stays silent for {line.seconds:g} s]"]
    if line.kind == "dial":
        return [f"{head}[transferring to {line.text}]"]
    if line.kind == "outcome":
        return [f"{head}[the transfer: {line.text}]"]
    if line.kind == "end":
        return [f"{head}[the line hangs up]"]
    rows = [f"{head}{line.text}"]
    pad = " " * 24
    if line.english and line.lang != "en":
        rows.append(f"{pad}English: {line.english}")
    if line.kind == "play":
        rows.append(
            f"{pad}audio: {line.prompt} ({line.lang}) version {line.version}, "
            f"{line.source}, {line.seconds:.1f} s, {line.audio}"
        )
    else:
        rows.append(
            f"{pad}spoken by Twilio's voice (<Say>), about {line.seconds:.1f} s"
            + (f", prompt {line.prompt}" if line.prompt else "")
        )
        if line.spoken:
            rows.append(f"{pad}said as: {line.spoken}")
    return rows


def walk(call: SimulatedCall, keys: list[str], dial: str) -> list[TranscriptLine]:
    """Start, press each key when the line listens, then stay silent until the call ends."""
    call.start()
    pending = list(keys)
    for _ in range(MAX_STEPS):
        if call.ended:
            return call.transcript
        if call.phone.dialing is not None:
            call.dial_ends(dial)
        elif pending:
            call.press(pending.pop(0))
        else:
            call.silence()
    raise TwimlError(f"the call did not end after {MAX_STEPS} steps")


@click.command("call")
@click.option(
    "--from",
    "caller",
    default=None,
    metavar="NUMBER",
    help="The caller's number, E.164 (default: an example Norwegian mobile number).",
)
@click.option(
    "--at",
    "at",
    default=None,
    metavar='"YYYY-MM-DD HH:MM"',
    help="Call at this Oslo time (default: now). Nothing changes for real callers.",
)
@click.option("--keys", default="", help="Keys to press in order, e.g. 1,2,0.")
@click.option(
    "--dial",
    type=click.Choice(list(DIAL_OUTCOMES)),
    default="answered",
    show_default=True,
    help="What happens when the line transfers the call.",
)
@click.option("--drafts", is_flag=True, help="Play draft texts and recordings instead of live.")
@with_appcontext
def call(caller: str | None, at: str | None, keys: str, dial: str, drafts: bool) -> None:
    """Walk a simulated call through the real webhooks; print what the caller hears."""
    options = Options(at=_oslo_time(at), caller=_caller(caller), drafts=drafts)
    pressed = _keys(keys)
    simulated = SimulatedCall(current_app_object(), options)
    click.echo("step  lang   heard so far  text")
    try:
        lines = walk(simulated, pressed, dial)
    except (TwimlError, RuntimeError) as exc:
        for line in simulated.transcript:
            click.echo("\n".join(describe(line)))
        raise click.ClickException(f"the call went wrong: {exc}") from None
    for line in lines:
        click.echo("\n".join(describe(line)))
    click.echo(f"call ended after {simulated.running:.1f} s of audio")
