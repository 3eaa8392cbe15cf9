"""The one place that turns a step of the call flow into TwiML, with Twilio's VoiceResponse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ..audio.pronounce import said_by_twilio
from ..catalog import SOURCE_LANGUAGE, Catalog, Prompt
from ..flow import Position, Step


class AudioLookup(Protocol):
    """Where the audio of a prompt can be fetched, if there is a recording."""

    def url_for(self, prompt: Prompt) -> str | None: ...


class NoAudio:
    """No recordings at all: every prompt is spoken with <Say>."""

    def url_for(self, prompt: Prompt) -> str | None:
        return None


@dataclass(frozen=True)
class Transfer:
    """How to put a caller through to KOM."""

    numbers: tuple[str, ...]
    timeout: int
    caller_id: str | None
    action_url: str
    whisper_url: str


def add_prompt(verb, prompt: Prompt, catalog: Catalog, audio: AudioLookup) -> None:
    """Play the prompt's recording, or speak its text in its language when there is none
    (prepared as the recording's is: "112" said "one one two", KOM said in the language)."""
    url = audio.url_for(prompt)
    if url:
        verb.play(url)
        return
    language = catalog.languages.get(prompt.lang)
    if language is None or not language.has_say:
        # Twilio has no voice for this language and no recording exists: English beats silence.
        language = catalog.languages[SOURCE_LANGUAGE]
        prompt = Prompt(prompt.segment, SOURCE_LANGUAGE, prompt.key)
    words = said_by_twilio(catalog.root, prompt.lang, catalog.text(prompt))
    verb.say(words, voice=language.say_voice or None, language=language.say_language)


def render(
    step: Step,
    catalog: Catalog,
    audio: AudioLookup,
    action_url: Callable[[Position], str],
    transfer: Transfer | None = None,
) -> str:
    """TwiML for one step: prompts inside a <Gather>, a <Dial>, or a goodbye and <Hangup>."""
    response = VoiceResponse()
    if step.gather is not None:
        url = action_url(step.gather)
        gather = Gather(
            input="dtmf",
            num_digits=1,
            timeout=catalog.gather_timeout,
            action=url,
            method="POST",
            finish_on_key="",
        )
        for prompt in step.prompts:
            add_prompt(gather, prompt, catalog, audio)
        response.append(gather)
        response.redirect(url, method="POST")  # silence: the same position, without Digits
        return str(response)
    for prompt in step.prompts:
        add_prompt(response, prompt, catalog, audio)
    if step.transfer and transfer is not None:
        dial = Dial(
            action=transfer.action_url,
            method="POST",
            timeout=transfer.timeout,
            caller_id=transfer.caller_id,
            answer_on_bridge=True,
        )
        for number in transfer.numbers:
            dial.number(number, url=transfer.whisper_url, method="POST")
        response.append(dial)
    else:
        response.hangup()
    return str(response)


def say_only(step: Step, catalog: Catalog) -> str:
    """TwiML for a step with every prompt spoken by <Say>: needs no database and no files."""
    return render(step, catalog, NoAudio(), action_url=lambda pos: "/voice")


EMERGENCY_TEXT = (
    "Sorry, this line has a problem. Call KOM on 47. 45. 15. 00, Monday to Friday, "
    "from 8 in the morning until 4 in the afternoon. If you are in danger now, call 112."
)
"""The last resort's words as staff would write them (what the TwiML says is checked by a test)."""


def _emergency_twiml() -> str:
    response = VoiceResponse()
    # EMERGENCY_TEXT as prompts/en/speech.toml says it, written out: this answer reads no file.
    response.say(
        "Sorry, this line has a problem. Call Kom on four seven, four five, one five, zero zero, "
        "Monday to Friday, from 8 in the morning until 4 in the afternoon. "
        "If you are in danger now, call one one two.",
        voice="Polly.Amy",
        language="en-GB",
    )
    response.hangup()
    return str(response)


EMERGENCY_TWIML = _emergency_twiml()
"""The last resort when even the catalog cannot be used: English, built at import time."""
