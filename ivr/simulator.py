"""The call simulator: hear the line as a caller does, without a telephone or Twilio.

A `SimulatedCall` walks the real webhooks (`POST /voice` and the URLs its TwiML gives) in this
process through Flask's test client, signed with the line's own Twilio token exactly as Twilio
signs, so the signature check runs as for any call. The options (another instant, the drafts)
reach the line through `ivr.simulation`, never through anything a caller could send, and a
simulated call is never counted in the statistics.

Everything heard becomes a `TranscriptLine`: the text in the caller's language and in English,
which prompt and which version of its audio played, and the running seconds of audio. The staff
page (`ivr/admin/simulator.py`) and `ivr call` (`ivr/call_cli.py`) both use it.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import phonenumbers
from flask import Flask
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from .audio.pronounce import said_by_twilio
from .catalog import SOURCE_LANGUAGE, Catalog, Prompt
from .models import Recording
from .phone import Answer, Dialing, Heard, Listening, PhoneCall
from .services import services
from .simulation import ENVIRON_KEY, Simulation, draft_catalog

SAY_CHARACTERS_PER_SECOND = 14.0  # about how fast Twilio's voices speak: an estimate only
LOCAL_BASE = "http://localhost"
DEFAULT_REGION = "NO"


def example_number(region: str) -> str:
    """A valid mobile number of the country (phonenumbers' own example), in E.164."""
    number = phonenumbers.example_number_for_type(
        region, phonenumbers.PhoneNumberType.MOBILE
    ) or phonenumbers.example_number(region)
    if number is None:
        raise ValueError(f"no example number for {region!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def country_choices(language: str = "en") -> list[tuple[str, str]]:
    """(region code, country name) of every country phonenumbers knows, sorted by name."""
    from phonenumbers import geocoder

    found = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        number = phonenumbers.example_number(region)
        name = geocoder.country_name_for_number(number, language) if number else ""
        if name:
            found.append((region, name))
    return sorted(found, key=lambda item: item[1])


@dataclass(frozen=True)
class Options:
    """Chosen before the call: the instant (aware; None = now), the caller's number, drafts."""

    at: datetime | None = None
    caller: str = field(default_factory=lambda: example_number(DEFAULT_REGION))
    drafts: bool = False


@dataclass(frozen=True)
class TranscriptLine:
    """One thing that happened in the call, as the transcript shows it."""

    step: int
    kind: str  # say | play | key | silence | dial | outcome | end
    lang: str = ""
    text: str = ""  # the prompt's text as staff wrote it (what <Say> spoke if no prompt matched)
    spoken: str = ""  # <Say>: the words Twilio's voice spoke, where they differ from `text`
    english: str = ""
    prompt: str = ""
    audio: str = ""  # the URL of the file played
    version: int | None = None  # the recording's id ("version" on the staff pages)
    source: str = ""  # tts | human
    seconds: float = 0.0
    estimated: bool = False  # <Say>: the length is an estimate from the text
    running: float = 0.0  # seconds of audio the caller has heard so far

    def as_dict(self) -> dict:
        return asdict(self)


class PromptIndex:
    """Tells which prompt a `<Say>` text or a `<Play>` file is, to show it in English too.

    A `<Say>` speaks a prompt's text as the pronunciation step prepared it ("one one two" for
    "112"), so both the staff's text and the prepared words lead to the prompt."""

    def __init__(self, catalog: Catalog, recordings: dict[str, Recording]):
        self.catalog = catalog
        self.recordings = recordings
        self.texts: dict[str, list[Prompt]] = {}
        for lang in catalog.languages:
            for prompt in catalog.all_prompts(lang):
                text = catalog.text(prompt)
                for words in dict.fromkeys((text, said_by_twilio(catalog.root, lang, text))):
                    self.texts.setdefault(words, []).append(prompt)

    def _said(self, heard: Heard) -> Prompt | None:
        """The prompt of a <Say> text: the one in the voice's language (a translation may
        share its words with English where it lacks a segment), else the English one."""
        found = self.texts.get(heard.text, [])
        languages = self.catalog.languages
        return (
            next((p for p in found if languages[p.lang].say_language == heard.language), None)
            or next((p for p in found if p.lang == SOURCE_LANGUAGE), None)
            or (found[0] if found else None)
        )

    def prompt_of(self, heard: Heard) -> tuple[Prompt | None, Recording | None]:
        """The prompt heard, and the recording that played (None for <Say>)."""
        if heard.verb == "Say":
            return self._said(heard), None
        digest = urlsplit(heard.text).path.rsplit("/", 1)[-1].removesuffix(".wav")
        recording = self.recordings.get(digest)
        if recording is None:
            return None, None
        segment, _, key = recording.prompt_id.partition(".")
        return Prompt(segment, recording.lang, key or None), recording

    def english(self, prompt: Prompt | None) -> str:
        """The prompt's English text (what the translation says, for the reviewer)."""
        return (
            self.catalog.text(Prompt(prompt.segment, SOURCE_LANGUAGE, prompt.key)) if prompt else ""
        )


def _recordings_by_hash(app: Flask) -> dict[str, Recording]:
    """Every recording not purged, by file hash (the newest row when a file is shared)."""
    with services(app).db.session() as s:
        rows = s.scalars(
            select(Recording).where(Recording.purged_at.is_(None)).order_by(Recording.id)
        ).all()
    return {r.hash: r for r in rows}


class SimulatedCall:
    """One simulated call: start it, press keys, stay silent, choose a transfer's outcome."""

    def __init__(self, app: Flask, options: Options):
        self.app, self.options = app, options
        self.client = app.test_client()
        self.call_sid = "CA" + secrets.token_hex(16)
        self.phone = PhoneCall(self._post)
        self.transcript: list[TranscriptLine] = []
        self.running = 0.0  # seconds of audio heard
        self.waited = 0.0  # seconds of silence waited at menus
        self.step = 0
        self._step_started = 0.0
        catalog = services(app).texts.current()
        if options.drafts:
            catalog = draft_catalog(catalog, services(app).db)
        self.index = PromptIndex(catalog, _recordings_by_hash(app))

    # The line ------------------------------------------------------------------------------

    def instant(self) -> datetime | None:
        """The line's clock for the next request: the chosen instant plus the call so far."""
        if self.options.at is None:
            return None
        return self.options.at + timedelta(seconds=self.running + self.waited)

    def _post(self, url: str, params: dict[str, str]) -> str:
        """POST to the line in this process, signed with the line's token as Twilio signs."""
        config = self.app.config
        base = config["PUBLIC_BASE_URL"] or LOCAL_BASE
        full = url if url.startswith(("http://", "https://")) else base + url
        path = full.removeprefix(base) if full.startswith(base) else urlsplit(full).path
        data = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.options.caller,
            "To": config["LINE_CALLER_ID"] or config["KOM_PHONE_NUMBER"],
            "CallStatus": "in-progress",
            "Direction": "inbound",
            **params,
        }
        headers = {}
        if config["TWILIO_AUTH_TOKEN"]:
            headers["X-Twilio-Signature"] = RequestValidator(
                config["TWILIO_AUTH_TOKEN"]
            ).compute_signature(full, data)
        simulation = Simulation(at=self.instant(), drafts=self.options.drafts)
        # The app sees the path after PUBLIC_BASE_URL (a proxy strips any prefix), as in service.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        response = self.client.post(
            path,
            base_url=origin,
            data=data,
            headers=headers,
            environ_overrides={ENVIRON_KEY: simulation},
        )
        if response.status_code != 200 or response.mimetype != "text/xml":
            raise RuntimeError(f"the line answered {response.status_code} to {path}")
        return response.get_data(as_text=True)

    # Between two requests of the staff page --------------------------------------------------

    def state(self) -> dict:
        """Everything needed to go on with the call later (the page keeps it, signed)."""
        last = self.phone.last
        listening = last.listening if last and not self.ended else None
        dialing = last.dialing if last and not self.ended else None
        return {
            "at": self.options.at.isoformat() if self.options.at else None,
            "caller": self.options.caller,
            "drafts": self.options.drafts,
            "sid": self.call_sid,
            "running": self.running,
            "waited": self.waited,
            "step": self.step,
            "step_started": self._step_started,
            "ended": self.ended,
            "listening": asdict(listening) if listening else None,
            "dialing": asdict(dialing) if dialing else None,
        }

    @classmethod
    def resume(cls, app: Flask, state: dict) -> SimulatedCall:
        """The call as `state()` left it."""
        at = datetime.fromisoformat(state["at"]) if state["at"] else None
        call = cls(app, Options(at=at, caller=state["caller"], drafts=state["drafts"]))
        call.call_sid, call.running, call.waited = state["sid"], state["running"], state["waited"]
        call.step = state["step"]
        call._step_started = state["step_started"]
        listening = Listening(**state["listening"]) if state["listening"] else None
        dialing = state["dialing"]
        if dialing:
            dialing = Dialing(
                **{
                    **dialing,
                    "numbers": tuple(dialing["numbers"]),
                    "whisper_urls": tuple(dialing["whisper_urls"]),
                }
            )
        call.phone.answers.append(Answer(listening=listening, dialing=dialing))
        call.phone.ended = state["ended"]
        return call

    # What the caller does ------------------------------------------------------------------

    def start(self) -> list[TranscriptLine]:
        """The call comes in."""
        return self._take(self.phone.start())

    def press(self, key: str, heard_seconds: float | None = None) -> list[TranscriptLine]:
        """A key press; `heard_seconds` cuts the running audio when the caller barged in."""
        self._barge_in(heard_seconds)
        self._note("key", text=key)
        return self._take(self.phone.press(key))

    def silence(self) -> list[TranscriptLine]:
        """The caller says nothing until the menu times out."""
        listening = self.phone.listening
        if listening is not None:
            self.waited += listening.timeout
        self._note("silence", seconds=float(listening.timeout if listening else 0))
        return self._take(self.phone.silence())

    def dial_ends(self, outcome: str) -> list[TranscriptLine]:
        """The transfer is answered (and the conversation ends), not answered, busy or fails."""
        self._note("outcome", text=outcome)
        return self._take(self.phone.dial_ends(outcome))

    @property
    def ended(self) -> bool:
        return self.phone.ended

    def _barge_in(self, heard_seconds: float | None) -> None:
        """The caller pressed during the prompts: count only the audio really heard."""
        if heard_seconds is None:
            return
        started = self._step_started
        self.running = max(started, min(self.running, started + max(0.0, heard_seconds)))

    # The transcript ------------------------------------------------------------------------

    def _note(self, kind: str, **values) -> TranscriptLine:
        line = TranscriptLine(self.step, kind, running=round(self.running, 1), **values)
        self.transcript.append(line)
        return line

    def _take(self, answers: list[Answer]) -> list[TranscriptLine]:
        """Turn the answers into transcript lines; the step ends listening, ringing or ended."""
        self.step += 1
        self._step_started = self.running
        first = len(self.transcript)
        for answer in answers:
            for heard in answer.heard:
                self._hear(heard)
        dialing = self.phone.dialing
        if dialing is not None:
            self._note("dial", text=" ".join(format_number(n) for n in dialing.numbers))
        if self.phone.ended:
            self._note("end")
        return self.transcript[first:]

    def _hear(self, heard: Heard) -> None:
        prompt, recording = self.index.prompt_of(heard)
        lang = prompt.lang if prompt else (heard.language.split("-")[0] if heard.language else "")
        if heard.verb == "Play":
            seconds = recording.duration if recording else 0.0
            text = self.index.catalog.text(prompt) if prompt else ""
        else:
            seconds = round(len(heard.text) / SAY_CHARACTERS_PER_SECOND, 1)
            text = self.index.catalog.text(prompt) if prompt else heard.text
        self.running += seconds
        self._note(
            heard.verb.lower(),
            lang=lang,
            text=text,
            spoken=heard.text if heard.verb == "Say" and heard.text != text else "",
            english=self.index.english(prompt),
            prompt=prompt.id if prompt else "",
            audio=heard.text if heard.verb == "Play" else "",
            version=recording.id if recording else None,
            source=recording.source if recording else "",
            seconds=round(seconds, 2),
            estimated=heard.verb == "Say",
        )


def format_number(number: str) -> str:
    """A number as people in its country write it: +4747451500 -> 47 45 15 00."""
    try:
        parsed = phonenumbers.parse(number, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 47:
        digits = str(parsed.national_number)
        return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
