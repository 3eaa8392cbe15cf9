"""`ivr selftest URL`: walk a live line as Twilio would and say what is wrong, for cron.

With the line's TWILIO_AUTH_TOKEN, it signs each request like Twilio and follows the answers:
the greeting and language menu, English, a topic, a press of 0 and what follows a transfer
nobody answers, the staff whisper, and the fallback URL. Every answer must be 200 TwiML that
speaks or plays something; every audio file played must download as a WAV file; an unsigned
request must be refused. Exits 0 when all is well, 1 with one line per problem otherwise.

Its calls carry SELFTEST_CALL_SID, so they are never counted in the statistics.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

import click
from flask import current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

SELFTEST_CALL_SID = "CA5e1f7e57" + "0" * 24  # a call of the self-test: no statistics
CALL = {
    "CallSid": SELFTEST_CALL_SID,
    "AccountSid": "AC" + "0" * 32,
    "From": "+4700000000",
    "To": "+4700000000",
    "CallStatus": "in-progress",
    "Direction": "inbound",
}
TIMEOUT = 10.0  # Twilio waits 15 s for an answer


@dataclass
class Walk:
    """One walk through the line: what was fetched and the problems found."""

    base: str
    token: str
    problems: list[str] = field(default_factory=list)
    audio: set[str] = field(default_factory=set)
    steps: int = 0

    def fetch(
        self, url: str, params: dict | None = None, signed: bool = True, method: str = "POST"
    ) -> tuple[int, str, bytes]:
        """(status, content type, body) of one request; status 0 when it could not be made."""
        data = urlencode(params or {}).encode() if method == "POST" else None
        request = urllib.request.Request(url, data=data, method=method)
        if signed:
            signature = RequestValidator(self.token).compute_signature(url, params or {})
            request.add_header("X-Twilio-Signature", signature)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get_content_type(), exc.read()
        except (OSError, ValueError) as exc:
            self.problems.append(f"{url}: no answer ({getattr(exc, 'reason', exc)})")
            return 0, "", b""

    def twiml(
        self, path_or_url: str, params: dict | None = None, what: str = ""
    ) -> ET.Element | None:
        """POST a signed webhook; the TwiML answer, or None (and a problem) if it is not one."""
        url = urljoin(self.base + "/", path_or_url)
        status, kind, body = self.fetch(url, {**CALL, **(params or {})})
        self.steps += 1
        label = f"{what} ({url})" if what else url
        if status == 0:
            return None
        if status != 200:
            self.problems.append(f"{label}: answered {status}, not 200")
            return None
        if kind not in ("text/xml", "application/xml"):
            self.problems.append(f"{label}: answered {kind}, not TwiML")
            return None
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            self.problems.append(f"{label}: the TwiML does not parse ({exc})")
            return None
        if root.tag != "Response":
            self.problems.append(f"{label}: not a <Response>")
            return None
        if not [e for e in root.iter() if e.tag in ("Say", "Play")]:
            self.problems.append(f"{label}: says and plays nothing (a caller would hear silence)")
        self.audio.update((e.text or "").strip() for e in root.iter("Play"))
        return root

    def gather_action(self, root: ET.Element | None, what: str) -> str | None:
        """The <Gather action> of an answer, or None (and a problem) if it does not listen."""
        gather = root.find("Gather") if root is not None else None
        if root is not None and (gather is None or not gather.get("action")):
            self.problems.append(f"{what}: no <Gather action=...>: the caller cannot press a key")
        return gather.get("action") if gather is not None else None


def walk_the_line(base: str, token: str) -> Walk:
    """Every main path of a call, as Twilio would take it."""
    walk = Walk(base.rstrip("/"), token)
    status, _, _ = walk.fetch(walk.base + "/healthz", method="GET", signed=False)
    if status not in (0, 200):
        walk.problems.append(f"{walk.base}/healthz: answered {status}, not 200")
    status, _, _ = walk.fetch(walk.base + "/voice", CALL, signed=False)
    if status == 200:
        walk.problems.append("an unsigned POST /voice was answered: signatures are not checked")
    languages = walk.gather_action(walk.twiml("/voice", what="greeting"), "greeting")
    menu = (
        walk.gather_action(walk.twiml(languages, {"Digits": "1"}, "language 1"), "language 1")
        if languages
        else None
    )
    if menu:
        walk.twiml(menu, {"Digits": "1"}, "topic 1")
        _person(walk, walk.twiml(menu, {"Digits": "0"}, "press 0"))
    walk.twiml("/voice/fallback", what="fallback")
    _audio_files(walk)
    return walk


def _person(walk: Walk, root: ET.Element | None) -> None:
    """After 0: a transfer (then its whisper and a no-answer), or the callback information."""
    dial = root.find("Dial") if root is not None else None
    if dial is None:
        return  # closed: the callback information, already checked for sound
    number = dial.find("Number")
    whisper = number.get("url") if number is not None else None
    if whisper:
        walk.twiml(whisper, what="staff whisper")
    action = dial.get("action")
    if action:
        walk.twiml(action, {"DialCallStatus": "no-answer"}, "nobody answers")


def _audio_files(walk: Walk) -> None:
    """Every file a caller was played downloads as a WAV file."""
    for url in sorted(urljoin(walk.base + "/", u) for u in walk.audio if u):
        status, kind, body = walk.fetch(url, method="GET", signed=False)
        if status == 0:
            continue
        if status != 200:
            walk.problems.append(f"audio {url}: answered {status}, not 200")
        elif not kind.startswith("audio/") or body[:4] != b"RIFF" or body[8:12] != b"WAVE":
            walk.problems.append(f"audio {url}: not a WAV file ({kind}, {len(body)} bytes)")


@click.command("selftest")
@with_appcontext
@click.argument("url")
def selftest(url: str) -> None:
    """Walk the line at URL as Twilio would; exit 1 with the problems found."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        raise click.UsageError("TWILIO_AUTH_TOKEN is not set: the self-test signs like Twilio")
    if not url.startswith(("http://", "https://")):
        raise click.UsageError(
            f"URL must start with https:// (the line's public address), not {url!r}"
        )
    walk = walk_the_line(url, token)
    if walk.problems:
        for problem in walk.problems:
            click.echo(f"PROBLEM: {problem}", err=True)
        click.echo(
            f"selftest {url}: {len(walk.problems)} problem(s) in {walk.steps} "
            f"webhooks and {len(walk.audio)} audio files",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"selftest {url}: OK ({walk.steps} webhooks, {len(walk.audio)} audio files, "
        f"fallback answers, unsigned requests refused)"
    )
