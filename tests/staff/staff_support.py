"""What the staff tests share: accounts, a fixed instant, and a `Staff` person at a browser.

CSRF protection stays on in every staff test: `Staff` reads the token from the page, as a
browser would, so a test that forgets it fails.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from functools import cache

from babel.numbers import format_decimal
from babel.support import Translations

from ivr.admin.i18n import LOCALES, compiled
from ivr.hours import OSLO

PASSWORD = "correct horse battery"
EDITOR, REVIEWER, ADMIN = "editor@kom.test", "reviewer@kom.test", "admin@kom.test"
# A Wednesday at 10:00 in Oslo: open by the regular hours.
WEDNESDAY_10 = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)
# Tests that add closures in December 2026 stand before it (with the clock ticking), since a
# closure that is already over is refused: they pass whatever day they run on.
BEFORE_DECEMBER = datetime(2026, 11, 30, 9, 0, tzinfo=OSLO)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@cache
def _catalogue(lang: str) -> Translations:
    return Translations.load(str(compiled()), [LOCALES[lang]])


def says(key: str, lang: str = "nb", **values: object) -> str:
    """The interface text of a message key as a page shows it (HTML-escaped): tests name the
    key, so they do not break when the wording in the catalogue changes."""
    return html.escape(label(key, lang, **values), quote=False)


def label(key: str, lang: str = "nb", **values: object) -> str:
    """The interface text of a message key as a person reads it (not escaped): for a browser
    test's accessible names and visible text."""
    text = _catalogue(lang).gettext(key)
    return text % values if values else text


def decimal(value: float, lang: str = "nb") -> str:
    """A measure with one decimal as the interface writes it in `lang` (2,3 in Norwegian)."""
    return str(format_decimal(value, "0.0", locale=lang))


def flashed(page: str) -> list[tuple[str, str]]:
    """The messages a page shows the person (flashed, an error page's, a form's refusal), as
    (category, text): "info", "error", or "field" for a refusal next to a form."""
    found = re.findall(r'<p class="message (\w+)"[^>]*>(.*?)</p>', page, re.DOTALL)
    refusals = re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', page, re.DOTALL)
    return found + [("field", text) for text in refusals]


def line_state(page: str) -> str:
    """What the line page says the line is now: "open" or "closed" (its data-state)."""
    match = re.search(r'id="line-state" data-state="(\w+)"', page)
    assert match, "no line state on the page"
    return match.group(1)


class Staff:
    """A person at a browser: opens pages, fills in forms with the page's CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self, page: str = "/staff/sign-in") -> str:
        response = self.client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        match = TOKEN.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def sign_in(self, email: str = EDITOR, password: str = PASSWORD, **kwargs):
        data = {"csrf_token": self.token(), "email": email, "password": password}
        return self.client.post("/staff/sign-in", data=data, **kwargs)

    def post(self, path: str, data: dict | None = None, page: str = "/staff/line", **kwargs):
        """Submit a form found on `page` (whose token is used) to `path`."""
        return self.client.post(
            path, data={"csrf_token": self.token(page), **(data or {})}, **kwargs
        )
