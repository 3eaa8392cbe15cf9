"""The country of a caller's number, so the line can offer their language first.

Read in memory only, on the call's first webhook: `country_of` returns a two-letter country
code or None, and the number goes nowhere else: it is not stored, logged, put in a URL or
kept in an exception. The `phonenumbers` library (Google's libphonenumber) reads it.
"""

from __future__ import annotations

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
