"""Which languages callers are offered.

The caller's webhooks build the language menu from `offered_languages`; the staff's languages
form checks a proposed setting with the same function, so staff can never leave the menu
empty. Plain Python: no Flask here (the edges pass in what they hold).
"""

from __future__ import annotations

from collections.abc import Callable

from .catalog import Catalog, Prompt
from .schedule import LineSettings

# Whether a prompt has a recording that plays (the audio lookup's `url_for`, or a stand-in).
HasRecording = Callable[[Prompt], object]


def languages_in_order(catalog: Catalog) -> list[str]:
    """Every language code, in the menu's configured order, then the rest by code."""
    codes = [c for c in catalog.order if c in catalog.languages]
    return codes + sorted(c for c in catalog.languages if c not in codes)


def offered_languages(
    catalog: Catalog, settings: LineSettings, has_recording: HasRecording
) -> set[str]:
    """Languages in the menu: not switched off, reviewed unless drafts are offered, and
    audible: Twilio has a voice for them, or every prompt has a recording."""

    def audible(code: str) -> bool:
        language = catalog.languages[code]
        return language.has_say or all(has_recording(p) for p in catalog.all_prompts(code))

    return {
        code
        for code, language in catalog.languages.items()
        if code not in settings.disabled_languages
        and (settings.offer_drafts or language.status != "draft")
        and audible(code)
    }
