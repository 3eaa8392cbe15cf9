"""Walk TwiML the way Twilio does, for anything that plays the line without a telephone.

Shared by the call simulator (staff page and `ivr call`) and the tests' `caller`: Twilio reads
the verbs of a document in order; `<Say>` and `<Play>` are heard, a `<Gather>` plays what it
holds and then listens (a key press goes to its `action`; silence falls through to the next
verb, here a `<Redirect>`), `<Redirect>` fetches another document, `<Dial>` rings and then
posts its outcome to `action`, `<Hangup>` or the end of the document ends the call.

No Flask here: a `PhoneCall` is given a function that POSTs (signed) to the line and returns
the TwiML text, so the same walk runs over Flask's test client or anything else.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

# What the caller chooses for a transfer, and the DialCallStatus Twilio then reports.
DIAL_OUTCOMES = {
    "answered": "completed",
    "no-answer": "no-answer",
    "busy": "busy",
    "failed": "failed",
}
MAX_REDIRECTS = 20  # a loop of redirects is a broken line, not a call


class TwimlError(ValueError):
    """The line answered something Twilio could not play (not TwiML, or a redirect loop)."""


@dataclass(frozen=True)
class Heard:
    """One thing the caller heard: spoken text (`Say`) or a file (`Play`, text = its URL)."""

    verb: str
    text: str
    language: str = ""


@dataclass(frozen=True)
class Listening:
    """A `<Gather>` waits for a key: where a key press goes, and where silence goes."""

    action: str
    timeout: int
    on_silence: str | None  # the <Redirect> after the <Gather>; None: the call ends


@dataclass(frozen=True)
class Dialing:
    """A `<Dial>`: the numbers rung at once, and where Twilio posts the outcome."""

    numbers: tuple[str, ...]
    action: str | None
    timeout: int
    caller_id: str | None
    whisper_urls: tuple[str, ...]


@dataclass
class Answer:
    """One TwiML document as the caller lives it, up to where Twilio waits, moves or stops."""

    heard: list[Heard] = field(default_factory=list)
    listening: Listening | None = None
    dialing: Dialing | None = None
    redirect: str | None = None
    hangup: bool = False


def _heard(verb: ET.Element) -> Heard:
    return Heard(verb.tag, (verb.text or "").strip(), verb.get("language", ""))


def _dialing(verb: ET.Element) -> Dialing:
    numbers = verb.findall("Number")
    return Dialing(
        numbers=tuple((n.text or "").strip() for n in numbers),
        action=verb.get("action"),
        timeout=int(verb.get("timeout") or 30),
        caller_id=verb.get("callerId"),
        whisper_urls=tuple(url for n in numbers if (url := n.get("url"))),
    )


def read_twiml(document: str) -> Answer:
    """What a caller hears from one TwiML document, and what happens after it."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as exc:
        raise TwimlError(f"not TwiML: {exc}") from None
    if root.tag != "Response":
        raise TwimlError(f"not TwiML: <{root.tag}>")
    answer = Answer()
    verbs = list(root)
    for index, verb in enumerate(verbs):
        if verb.tag in ("Say", "Play"):
            answer.heard.append(_heard(verb))
        elif verb.tag == "Gather":
            answer.heard += [_heard(v) for v in verb if v.tag in ("Say", "Play")]
            after = [v for v in verbs[index + 1 :] if v.tag in ("Redirect", "Hangup")]
            redirect = (
                (after[0].text or "").strip() if after and after[0].tag == "Redirect" else None
            )
            answer.listening = Listening(
                verb.get("action") or "", int(verb.get("timeout") or 5), redirect
            )
            return answer
        elif verb.tag == "Redirect":
            answer.redirect = (verb.text or "").strip()
            return answer
        elif verb.tag == "Dial":
            answer.dialing = _dialing(verb)
            return answer
        elif verb.tag == "Hangup":
            break
    answer.hangup = True
    return answer


Post = Callable[[str, dict[str, str]], str]
"""POST these form parameters to this URL of the line (signed as Twilio signs); the TwiML."""


@dataclass
class PhoneCall:
    """One call driven as Twilio drives it. Each action returns the answers it went through
    (a redirect is followed at once), ending where the line listens, rings or hangs up."""

    post: Post
    answers: list[Answer] = field(default_factory=list)
    ended: bool = False

    @property
    def last(self) -> Answer | None:
        """The answer the call stands at."""
        return self.answers[-1] if self.answers else None

    @property
    def listening(self) -> Listening | None:
        """The `<Gather>` waiting for a key, if the call stands at one."""
        return None if self.ended or self.last is None else self.last.listening

    @property
    def dialing(self) -> Dialing | None:
        """The `<Dial>` ringing, if the call stands at one."""
        return None if self.ended or self.last is None else self.last.dialing

    def follow(self, url: str, params: dict[str, str] | None = None) -> list[Answer]:
        """Fetch `url` and every redirect after it; the answers, in order."""
        if self.ended:
            raise TwimlError("the call has ended")
        got: list[Answer] = []
        for _ in range(MAX_REDIRECTS):
            answer = read_twiml(self.post(url, params or {}))
            got.append(answer)
            self.answers.append(answer)
            if answer.redirect is None:
                self.ended = answer.hangup
                return got
            url, params = answer.redirect, {}
        raise TwimlError(f"more than {MAX_REDIRECTS} redirects in a row")

    def start(self, url: str = "/voice") -> list[Answer]:
        """The call comes in."""
        return self.follow(url)

    def press(self, key: str) -> list[Answer]:
        """A key press while the line listens (during the prompts or after them)."""
        listening = self.listening
        if listening is None:
            raise TwimlError("nobody is listening for a key now")
        return self.follow(listening.action, {"Digits": key})

    def silence(self) -> list[Answer]:
        """The `<Gather>` timed out: Twilio goes on with the next verb (or the call ends)."""
        listening = self.listening
        if listening is None:
            raise TwimlError("nobody is listening for a key now")
        if listening.on_silence is None:
            self.ended = True
            return []
        return self.follow(listening.on_silence)

    def dial_ends(self, outcome: str) -> list[Answer]:
        """The transfer ended: `answered` (and the conversation is over), `no-answer`,
        `busy` or `failed` (or a raw DialCallStatus)."""
        dialing = self.dialing
        if dialing is None:
            raise TwimlError("no transfer is ringing now")
        if dialing.action is None:  # without an action Twilio goes on with the next verb
            self.ended = True
            return []
        return self.follow(dialing.action, {"DialCallStatus": DIAL_OUTCOMES.get(outcome, outcome)})
