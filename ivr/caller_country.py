"""The country of a caller's number, so the line can offer their language first.

Read in memory only, on the call's first webhook: `country_of` returns a two-letter country
code or None, and the number goes nowhere else: it is not stored, logged, put in a URL or
kept in an exception. The `phonenumbers` library (Google's libphonenumber) reads it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeGuard

import phonenumbers

MAX_LENGTH = 20  # "+" and at most 15 digits in E.164, with room for stray characters


def country_of(number: str | None) -> str | None:
    """The ISO 3166 country of a valid international number ("+40 721..." gives "RO").

    None for anything else: an empty or missing number, a withheld one (sent as a word such
    as "anonymous" or "restricted", or as digits that spell it on a keypad, +266696687), a
    number too short or malformed to be real.
    """
    if not number or not number.startswith("+") or len(number) > MAX_LENGTH:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    country: str | None = phonenumbers.region_code_for_number(parsed)
    return country


def listed_country_of(number: str | None, listed: Collection[str]) -> str | None:
    """`country_of(number)` when that country is one of `listed`, else None.

    The same answer, cheaper: a number in plain E.164 form ("+" and ASCII digits) whose
    calling code serves none of the listed countries is not parsed at all. Most callers of a
    Norwegian line have +47 (Norway and Svalbard), which no language lists.
    """
    calling_code_regions = _regions_of_calling_code(number[1:]) if _plain_e164(number) else None
    if calling_code_regions is not None and not any(r in listed for r in calling_code_regions):
        return None
    country = country_of(number)
    return country if country in listed else None


def _plain_e164(number: str | None) -> TypeGuard[str]:
    """Whether the number is "+" and ASCII digits only (as Twilio sends a caller's number)."""
    if number is None or not number.startswith("+"):
        return False
    return number[1:].isascii() and number[1:].isdigit()


def _regions_of_calling_code(digits: str) -> tuple[str, ...]:
    """The regions sharing the calling code these digits start with (as libphonenumber reads
    it: the first 1-3 digits that form a known code; none starts with 0), or ()."""
    if digits.startswith("0"):
        return ()
    for length in range(1, 4):
        regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:length] or "0"))
        if regions:
            return tuple(regions)
    return ()
