"""What a webhook's answer depends on, read from its URL and form: one place for Flask's routes
(ivr/voice/routes.py) and the quick path in front of them (ivr/voice/quick.py), so both find
the same answer in the cache (ivr/answers.py) for the same request.

The functions take the URL's parameters and the form as plain mappings (the first value of each
name, as Flask's `request.args.get` gives it) and return the request's part of the key.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from ..caller_country import listed_country_of
from ..catalog import Catalog
from ..flow import Position

KEYS_PRESSED = "0123456789*#"


def caller_language(catalog: Catalog, form: Mapping[str, str]) -> str | None:
    """The language menu.toml lists for the country of the caller's number (offered first if
    the menu offers it). The number (`From`) is read here, in memory, and nowhere else: only
    the language travels on (`hint=ro` in the URL; the answer cache keys on it too)."""
    return catalog.language_for_country(listed_country_of(form.get("From"), catalog.caller_country))


def pressed(form: Mapping[str, str]) -> tuple[str | None, str]:
    """(the key pressed, or None; the Digits as sent) of a <Gather>'s answer."""
    digits = form.get("Digits", "")
    return (digits[:1] if digits[:1] in KEYS_PRESSED else None), digits


def dial_status(form: Mapping[str, str]) -> str:
    """How the transfer ended (Twilio's DialCallStatus), or "unknown" for anything odd."""
    status = form.get("DialCallStatus", "")
    return (status if status.replace("-", "").isalpha() else "unknown")[:20]


def whisper_language(catalog: Catalog, args: Mapping[str, str]) -> str | None:
    """The caller's language the staff member hears named, when the line knows it."""
    lang = args.get("lang", "")
    return lang if lang in catalog.languages else None


def incoming_key(catalog: Catalog, form: Mapping[str, str]) -> tuple:
    """POST /voice: the caller's country's language."""
    return (caller_language(catalog, form),)


def step_key(position: Position, form: Mapping[str, str]) -> tuple:
    """POST /voice/step: the position in the URL and the key pressed (or the Digits sent)."""
    key, digits = pressed(form)
    return position, key or digits[:32]


def dial_key(args: Mapping[str, str], form: Mapping[str, str]) -> tuple:
    """POST /voice/dial: the caller's language and how the transfer ended."""
    return args.get("lang") or None, dial_status(form)


def answer_key(
    endpoint: str, request_key: tuple, form: Mapping[str, str], open_now: bool
) -> Hashable:
    """The whole key of a call's answer: the route, the request's part, the line's number
    (`To`, the caller ID of a transfer) and whether KOM is open."""
    return (endpoint, *request_key, form.get("To", ""), open_now)


def whisper_key(catalog: Catalog, args: Mapping[str, str]) -> Hashable:
    """The whole key of the staff's whisper: the language named."""
    return ("voice.whisper", whisper_language(catalog, args))
