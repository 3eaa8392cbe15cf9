"""What each language's worklist holds (the page is in languages.py): outdated, missing,
waiting to be published, not reviewed, from the published texts, the drafts and the English
versions staff saved."""

from __future__ import annotations

from .. import texts
from ..catalog import Catalog
from ..translations import Waiting, Worklist, worklist
from .actions import catalog, db, recordings
from .outline import segment_order


def _waiting(scripts: Catalog, code: str, audio: dict) -> dict[str, Waiting]:
    """Per segment: the newest unpublished text version and how many audio drafts wait."""
    drafts = texts.newest_drafts(db(), code)
    found: dict[str, Waiting] = {}
    for segment in scripts.segments:
        version = drafts.get(segment)
        count = sum(
            len(audio.get((p.id, code), []))
            for p in scripts.all_prompts(code)
            if p.segment == segment
        )
        if version is not None or count:
            found[segment] = Waiting(
                version.text if version else None, version.id if version else None, count
            )
    return found


def language_worklists(codes: list[str]) -> dict[str, Worklist]:
    """The worklist of each language (the English versions and drafts read once)."""
    scripts = catalog()
    english, audio = texts.english_versions(db()), recordings().drafts()
    order = segment_order(scripts)
    return {
        code: worklist(scripts, code, english, _waiting(scripts, code, audio), order)
        for code in codes
    }
