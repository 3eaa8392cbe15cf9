"""An audit entry in the reader's language, in a coordinator's words.

An entry keeps its facts as values (ivr/audit.py); here each fact is said the way the staff
pages say it (a language by its name, a prompt by its name, a closure's days as the calendar
writes them, a role, yes or no) and put into the action's sentence, message key
"audit.detail.<action>". What someone typed (`detail`, e.g. a reason) follows as it is.
Entries written before facts were kept show their English detail unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .. import audit
from ..catalog import Catalog
from ..models import AuditEntry
from .calendar import span
from .i18n import one_decimal, span_said, t
from .outline import segment_name


def _language(catalog: Catalog, code: Any) -> str:
    language = catalog.languages.get(str(code))
    return language.name if language else str(code)


def _prompt(catalog: Catalog, prompt_id: Any) -> str:
    segment, _, key = str(prompt_id).partition(".")
    name = segment_name(catalog, segment)
    return t("seg.with_key", name=name, digit=key) if key else name


def _listed(values: Any, say: Callable[[Any], str] = str) -> str:
    items = values if isinstance(values, list) else [values]
    return ", ".join(say(v) for v in items) if items else t("audit.none")


def _span(value: Any) -> str:
    """A closure's span as the calendar says it."""
    starts, ends = (datetime.fromisoformat(v) for v in value)
    return span_said(span(starts, ends))


def _sayers(catalog: Catalog) -> dict[str, Callable[[Any], str]]:
    """How each kind of fact is said, by its name in the entry."""
    return {
        "lang": lambda v: _language(catalog, v),
        "off": lambda v: _listed(v, lambda c: _language(catalog, c)),
        "prompt": lambda v: _prompt(catalog, v),
        "segment": lambda v: segment_name(catalog, str(v)),
        "role": lambda v: t(f"role.{v}"),
        "source": lambda v: t(f"source.{v}"),
        "numbers": _listed,
        "old_numbers": _listed,
        "words": lambda v: _listed(v, lambda w: f"“{w}”"),
        "drafts": lambda v: t("audit.yes" if v else "audit.no"),
        "file_deleted": lambda v: t("audit.file_deleted" if v else "audit.file_kept"),
        "no_audio": lambda v: t("audit.no_audio") if v else "",
        "span": _span,
        "duration": one_decimal,
        "loudness": one_decimal,
    }


# Actors that are not a person's name and e-mail, as the log says them.
ACTORS = {"cli": "audit.actor.cli", "(no such account)": "audit.actor.unknown"}


def actor(row: AuditEntry) -> str:
    """Who did it: a person's name and e-mail, the server's command line, or (for a failed
    sign-in) an e-mail with no account."""
    return t(ACTORS[row.actor]) if row.actor in ACTORS else row.actor


def describe(row: AuditEntry, catalog: Catalog) -> str:
    """What the entry says, in the reader's language."""
    facts = audit.facts_of(row)
    if not facts:
        return row.detail
    sayers = _sayers(catalog)
    said = {name: sayers.get(name, str)(value) for name, value in facts.items()}
    key = f"audit.detail.{row.action}"
    try:
        sentence = t(key, **said)
    except (KeyError, ValueError, TypeError):
        sentence = key
    if sentence == key:  # facts this version has no sentence for
        sentence = ", ".join(said.values())
    sentence = sentence.strip()
    return f"{sentence}: {row.detail}" if row.detail else sentence
