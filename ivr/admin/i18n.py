"""Interface text in Norwegian (bokmål, the default) and English, with Flask-Babel.

The message catalogues are ivr/admin/translations/<lang>/LC_MESSAGES/messages.po. Their
message ids are keys ("line.title"), used by the code, the templates and the forms' validation
messages; a key with no translation shows as itself. The .po files are compiled to .mo when
the app starts (only when missing or older), so a fresh clone needs no build step. Dates are
formatted by Babel in the person's language, in Oslo time.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel.dates import format_skeleton, match_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Flask, has_request_context, session
from flask_babel import Babel, format_date, get_locale, gettext, ngettext

if TYPE_CHECKING:
    from .calendar import Span

log = logging.getLogger(__name__)
DEFAULT = "nb"
LOCALES = {"nb": "nb", "en": "en_GB"}  # interface language -> Babel locale (dates: 24 h, d/m)
CATALOGUES = Path(__file__).with_name("translations")


def ui_language() -> str:
    """The interface language of this request: the person's choice, else Norwegian."""
    if has_request_context():
        lang = session.get("ui_lang")
        if lang in LOCALES:
            return lang
    return DEFAULT


def t(key: str, **values: object) -> str:
    """The interface text for `key` in the chosen language, with `values` filled in."""
    return gettext(key, **values)


def tn(key: str, number: int, **values: object) -> str:
    """The interface text for `key` with the plural form for `number` (as `num`)."""
    return ngettext(key, key, number, **values)


def day_and_month(day: date) -> str:
    """A calendar day as the person's language writes it without the year (17.5. / 17/05)."""
    return format_skeleton(_nearest_skeleton("dM", str(get_locale())), day, locale=get_locale())


@functools.cache
def _nearest_skeleton(skeleton: str, locale: str) -> str:
    """The locale's own skeleton closest to `skeleton`, found once: Babel's search takes about
    a millisecond, and the line page's calendar writes about a hundred days."""
    known = Locale.parse(locale).datetime_skeletons
    return skeleton if skeleton in known else match_skeleton(skeleton, known) or skeleton


def one_decimal(value: float) -> str:
    """A measure with one decimal as the person's language writes it (1,7 / 1.7)."""
    return str(format_decimal(value, "0.0", locale=get_locale()))


DAY = "EEE d.M.yyyy"  # a closure's day as the staff pages write it ("ons. 2.12.2026")


def span_said(span: Span) -> str:
    """A closure's days and times as the staff pages write them, in the list of closures, the
    list of what is coming and the audit log: "ons. 2.12.2026 (hele dagen)", or
    "ons. 2.12.2026 14:00–24:00"."""
    first = format_date(span.first_day, DAY)
    if span.whole_days:
        if span.last_day == span.first_day:
            return f"{first} ({t('calendar.whole_day')})"
        return f"{first} – {format_date(span.last_day, DAY)} ({t('calendar.whole_days')})"
    starts = span.from_time.strftime("%H:%M") if span.from_time else "00:00"
    until = span.until_time.strftime("%H:%M") if span.until_time else "24:00"
    last = f"{format_date(span.last_day, DAY)} " if span.last_day != span.first_day else ""
    return f"{first} {starts}–{last}{until}"


def compiled(source: Path = CATALOGUES) -> Path:
    """The folder of compiled catalogues: each .po compiled to .mo beside it when the .mo is
    missing or older; in a temporary folder when the package folder cannot be written."""
    try:
        _compile(source, source)
        return source
    except OSError as exc:
        target = Path(tempfile.mkdtemp(prefix="ivr-translations-"))
        log.info("cannot write compiled translations in %s (%s); using %s", source, exc, target)
        _compile(source, target, force=True)
        return target


def _compile(source: Path, target: Path, force: bool = False) -> None:
    for po in source.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as file:
            catalogue = read_po(file)
        mo.parent.mkdir(parents=True, exist_ok=True)
        partial = mo.with_suffix(".mo.part")
        with partial.open("wb") as file:
            write_mo(file, catalogue)
        partial.replace(mo)  # another process starting at once never reads half a file


def register(app: Flask) -> None:
    """Flask-Babel: the person's language, Oslo time, the compiled catalogues, `_` and `_n`
    in templates, and Babel's date and number filters (`datetimeformat`, `day_and_month`,
    `one_decimal`, `span_said`)."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Oslo")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled())
    Babel(app, locale_selector=lambda: LOCALES[ui_language()])
    app.jinja_env.filters["day_and_month"] = day_and_month
    app.jinja_env.filters["one_decimal"] = one_decimal
    app.jinja_env.filters["span_said"] = span_said
