"""The call flow on its own: `next_step` against a small made-up line, one row per behaviour.

No Flask, no HTTP, no database and no prompts folder: a catalog of five languages and two
topics built in memory, so the whole table runs in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ivr.catalog import Catalog, Keys, Language, Topic
from ivr.flow import HANDLERS, Line, Node, Position, Step, next_step, start

SEGMENTS = (
    "greeting",
    "lang_select",
    "lang_hint",
    "more_languages",
    "intro",
    "topic_menu",
    "menu_keys",
    "menu_rights",
    "menu_asylum",
    "rights_1",
    "rights_2",
    "asylum_1",
    "part_next",
    "part_end",
    "invalid",
    "callback",
    "callback_keys",
    "closed",
    "transfer",
    "transfer_failed",
    "goodbye",
)


def language(code: str) -> Language:
    """A language whose every text is just its segment's name."""
    return Language(
        code=code,
        name=code,
        name_nb=code,
        gtts="",
        espeak=code,
        say_language=code,
        say_voice="",
        status="draft",
        reviewed_by="",
        reviewed_on="",
        texts={s: s for s in SEGMENTS},
    )


CATALOG = Catalog(
    root=Path("."),
    keys=Keys(),
    languages={code: language(code) for code in ("en", "nb", "ro", "ru", "th")},
    order=("en", "nb", "ro", "ru", "th"),
    per_page=3,
    more_key="9",
    greeting_languages=("en", "nb"),
    more_in=(),
    topics=(Topic("rights", "1", ("rights_1", "rights_2")), Topic("asylum", "2", ("asylum_1",))),
    max_misses=2,
    gather_timeout=6,
    caller_country={"RO": "ro", "MD": "ro", "TH": "th", "GB": "en", "PL": "pl"},
)
PAGES = [["en", "nb", "ro"], ["ru", "th"]]
# "More languages" in the next page's languages, last first: th is said first on page 2.
FIRST = (
    "en:lang_select.1",
    "nb:lang_select.2",
    "ro:lang_select.3",
    "th:more_languages.9",
    "ru:more_languages.9",
)
# On the last page, "more languages" (back to the first page) is said in the greeting languages.
SECOND = ("ru:lang_select.1", "th:lang_select.2", "en:more_languages.9", "nb:more_languages.9")
TOPICS = ("en:topic_menu", "en:menu_rights.1", "en:menu_asylum.2", "en:menu_keys")
BOTH = ("en", "nb")  # before a language is chosen, the line speaks the greeting languages


def both(*segments: str) -> tuple[str, ...]:
    """These segments in each greeting language, as the flow says them."""
    return tuple(f"{lang}:{s}" for lang in BOTH for s in segments)


@dataclass(frozen=True)
class Row:
    """One behaviour: at `pos`, the caller presses `digits`; they hear `heard`, then..."""

    name: str
    pos: Position
    digits: str | None
    heard: tuple[str, ...]
    gather: Position | None = None  # where the next key goes (None: no more keys)
    event: str = ""
    lang: str | None = None
    transfer: bool = False
    open_now: bool = False


LANGUAGE_PAGE = Position(langs=("en", "nb", "ro"))
HINTED = Position(langs=("ro", "en", "nb"), hint="ro")
HINTED_TH = Position(langs=("th", "en", "nb"), hint="th")
HINTED_PAGE = (
    "ro:lang_hint.1",
    "en:lang_select.2",
    "nb:lang_select.3",
    "th:more_languages.9",
    "ru:more_languages.9",
)
MENU = Position(Node.MENU, lang="en")
RIGHTS = Position(Node.PART, lang="en", topic="rights")

ROWS = [
    # The language menu.
    Row(
        "a language key opens the safety sentences and the topics",
        LANGUAGE_PAGE,
        "2",
        ("nb:intro", "nb:topic_menu", "nb:menu_rights.1", "nb:menu_asylum.2", "nb:menu_keys"),
        Position(Node.MENU, lang="nb"),
        "menu",
        "nb",
    ),
    Row(
        "a key means the language the caller heard on the page",
        Position(langs=("ro", "en")),
        "1",
        ("ro:intro", "ro:topic_menu", "ro:menu_rights.1", "ro:menu_asylum.2", "ro:menu_keys"),
        Position(Node.MENU, lang="ro"),
        "menu",
        "ro",
    ),
    Row(
        "without a list heard, a key means the page's language",
        Position(page=1),
        "2",
        ("th:intro", "th:topic_menu", "th:menu_rights.1", "th:menu_asylum.2", "th:menu_keys"),
        Position(Node.MENU, lang="th"),
        "menu",
        "th",
    ),
    Row(
        "the more key opens the next page",
        LANGUAGE_PAGE,
        "9",
        SECOND,
        Position(page=1, langs=("ru", "th")),
        "language_menu",
    ),
    Row(
        "the more key on the last page returns to the first",
        Position(page=1),
        "9",
        FIRST,
        Position(langs=("en", "nb", "ro")),
        "language_menu",
    ),
    Row(
        "# on a language page returns to the first page",
        Position(page=1),
        "#",
        FIRST,
        Position(langs=("en", "nb", "ro")),
        "language_menu",
    ),
    Row(
        "* repeats the page without the greeting",
        Position(page=1, miss=1),
        "*",
        SECOND,
        Position(page=1, langs=("ru", "th")),
        "language_menu",
    ),
    Row(
        "a key past the page's languages is not an option",
        LANGUAGE_PAGE,
        "4",
        both("invalid") + FIRST,
        Position(miss=1, langs=("en", "nb", "ro")),
        "invalid",
    ),
    Row(
        "silence repeats the page",
        LANGUAGE_PAGE,
        None,
        FIRST,
        Position(miss=1, langs=("en", "nb", "ro")),
        "silence",
    ),
    Row(
        "silence once too often: callback information and goodbye in both languages",
        Position(miss=2),
        "",
        both("callback", "goodbye"),
        None,
        "gave_up",
    ),
    Row(
        "a wrong key once too often: not an option, callback information, goodbye",
        Position(miss=2),
        "5",
        both("invalid") + both("callback", "goodbye"),
        None,
        "gave_up",
    ),
    # The language of the caller's country first (`hint`).
    Row(
        "key 1 on a hinted page chooses the hinted language",
        HINTED,
        "1",
        ("ro:intro", "ro:topic_menu", "ro:menu_rights.1", "ro:menu_asylum.2", "ro:menu_keys"),
        Position(Node.MENU, lang="ro"),
        "menu",
        "ro",
    ),
    Row(
        "the usual languages follow the hinted one, one key later",
        HINTED,
        "2",
        ("en:intro", *TOPICS),
        MENU,
        "menu",
        "en",
    ),
    Row(
        "the next page keeps the hint",
        HINTED,
        "9",
        SECOND,
        Position(page=1, langs=("ru", "th"), hint="ro"),
        "language_menu",
    ),
    Row(
        "back on the first page, the hinted language is again first, in full",
        Position(page=1, langs=("ru", "th"), hint="ro"),
        "9",
        HINTED_PAGE,
        HINTED,
        "language_menu",
    ),
    Row(
        "a wrong key on a hinted page repeats it",
        HINTED,
        "7",
        both("invalid") + HINTED_PAGE,
        replace(HINTED, miss=1),
        "invalid",
    ),
    Row(
        "a hinted language from the second page moves to the first",
        HINTED_TH,
        "9",
        ("ro:lang_select.1", "ru:lang_select.2", "en:more_languages.9", "nb:more_languages.9"),
        Position(page=1, langs=("ro", "ru"), hint="th"),
        "language_menu",
    ),
    # The topic menu.
    Row(
        "a topic key plays its first part",
        MENU,
        "1",
        ("en:rights_1", "en:part_next"),
        RIGHTS,
        "topic:rights:1",
        "en",
    ),
    Row(
        "a one-part topic ends with the end keys",
        MENU,
        "2",
        ("en:asylum_1", "en:part_end"),
        Position(Node.PART, lang="en", topic="asylum"),
        "topic:asylum:1",
        "en",
    ),
    Row(
        "# in the topic menu returns to the language menu",
        MENU,
        "#",
        FIRST,
        Position(langs=("en", "nb", "ro")),
        "language_menu",
    ),
    Row(
        "* repeats the topic menu without the safety sentences",
        MENU,
        "*",
        TOPICS,
        MENU,
        "menu",
        "en",
    ),
    Row(
        "a key with no topic is not an option",
        MENU,
        "7",
        ("en:invalid", *TOPICS),
        Position(Node.MENU, lang="en", miss=1),
        "invalid",
        "en",
    ),
    Row(
        "only the first of several digits counts",
        MENU,
        "12",
        ("en:rights_1", "en:part_next"),
        RIGHTS,
        "topic:rights:1",
        "en",
    ),
    # Inside a message.
    Row(
        "1 plays the next part",
        RIGHTS,
        "1",
        ("en:rights_2", "en:part_end"),
        Position(Node.PART, lang="en", topic="rights", part=1),
        "topic:rights:2",
        "en",
    ),
    Row(
        "1 after the last part is not an option: only the keys again",
        Position(Node.PART, lang="en", topic="rights", part=1),
        "1",
        ("en:invalid", "en:part_end"),
        Position(Node.PART, lang="en", topic="rights", part=1, miss=1),
        "invalid",
        "en",
    ),
    Row(
        "silence in a message repeats only its keys",
        RIGHTS,
        None,
        ("en:part_next",),
        Position(Node.PART, lang="en", topic="rights", miss=1),
        "silence",
        "en",
    ),
    Row(
        "* repeats the whole part",
        Position(Node.PART, lang="en", topic="rights", miss=1),
        "*",
        ("en:rights_1", "en:part_next"),
        RIGHTS,
        "topic:rights:1",
        "en",
    ),
    Row("# in a message returns to the topics", RIGHTS, "#", TOPICS, MENU, "menu", "en"),
    Row(
        "a part number past the end plays the last part",
        Position(Node.PART, lang="en", topic="rights", part=7),
        "*",
        ("en:rights_2", "en:part_end"),
        Position(Node.PART, lang="en", topic="rights", part=1),
        "topic:rights:2",
        "en",
    ),
    # A person.
    Row(
        "0 while KOM is open puts the caller through",
        RIGHTS,
        "0",
        ("en:transfer",),
        None,
        "transfer",
        "en",
        transfer=True,
        open_now=True,
    ),
    Row(
        "0 while KOM is closed gives the callback information",
        MENU,
        "0",
        ("en:closed", "en:callback", "en:callback_keys"),
        Position(Node.CALLBACK, lang="en"),
        "closed",
        "en",
    ),
    Row(
        "0 before a language, closed: callback information in both languages",
        LANGUAGE_PAGE,
        "0",
        both("closed") + both("callback") + both("callback_keys"),
        Position(Node.CALLBACK),
        "closed",
    ),
    Row(
        "0 before a language, open: the transfer announced in both languages",
        LANGUAGE_PAGE,
        "0",
        both("transfer"),
        None,
        "transfer",
        transfer=True,
        open_now=True,
    ),
    # The callback information.
    Row(
        "# after the callback information returns to the topics",
        Position(Node.CALLBACK, lang="en"),
        "#",
        TOPICS,
        MENU,
        "menu",
        "en",
    ),
    Row(
        "# after the callback information, before a language: the language menu",
        Position(Node.CALLBACK),
        "#",
        FIRST,
        Position(langs=("en", "nb", "ro")),
        "language_menu",
    ),
    Row(
        "other keys after the callback information, before a language, are not options",
        Position(Node.CALLBACK),
        "1",
        both("invalid") + both("callback_keys"),
        Position(Node.CALLBACK, miss=1),
        "invalid",
    ),
    Row(
        "silence after the callback information repeats only its keys",
        Position(Node.CALLBACK, lang="en"),
        None,
        ("en:callback_keys",),
        Position(Node.CALLBACK, lang="en", miss=1),
        "silence",
        "en",
    ),
    # Positions that lack what their place needs (a forged or stale URL).
    Row(
        "the topic menu without a language is the language menu",
        Position(Node.MENU),
        "*",
        FIRST,
        Position(langs=("en", "nb", "ro")),
        "language_menu",
    ),
    Row(
        "a topic that does not exist is the language menu",
        Position(Node.PART, lang="en", topic="gone"),
        "*",
        FIRST,
        Position(topic="gone", langs=("en", "nb", "ro")),
        "language_menu",
    ),
    Row(
        "a topic key without a language is not an option",
        Position(Node.MENU),
        "1",
        both("invalid") + FIRST,
        Position(miss=1, langs=("en", "nb", "ro")),
        "invalid",
    ),
]


def heard(step: Step) -> tuple[str, ...]:
    """What the caller hears, as `lang:prompt-id` strings."""
    return tuple(f"{p.lang}:{p.id}" for p in step.prompts)


def line(open_now: bool = False) -> Line:
    """The made-up line, open or closed."""
    return Line(CATALOG, PAGES, lambda: open_now)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_next_step(row: Row) -> None:
    step = next_step(line(row.open_now), row.pos, row.digits)
    assert heard(step) == row.heard
    assert step.gather == row.gather
    assert step.event == row.event
    assert step.lang == row.lang
    assert step.transfer == row.transfer
    assert step.hangup == (row.gather is None and not row.transfer)


def test_a_call_starts_with_the_greeting_then_the_first_page() -> None:
    step = start(line())
    assert heard(step) == both("greeting") + FIRST
    assert step.gather == Position(langs=("en", "nb", "ro"))


def test_every_place_in_the_menus_has_one_handler() -> None:
    assert set(HANDLERS) == set(Node)


@pytest.mark.parametrize(
    "pos",
    [
        Position(),
        Position(Node.MENU, lang="ro", intro=True),
        Position(Node.PART, lang="th", topic="rights", part=1, miss=2, brief=True),
        Position(Node.CALLBACK, lang="en"),
        Position(page=1, langs=("ru", "th"), hint="ro"),
    ],
)
def test_a_position_survives_the_url(pos: Position) -> None:
    assert Position.from_query(pos.to_query()) == pos


def test_an_unknown_place_in_the_url_is_the_language_menu() -> None:
    assert Position.from_query({"node": "admin", "lang": "en"}).node is Node.LANGUAGE


@pytest.mark.parametrize(
    "country,hint",
    [
        ("RO", "ro"),
        ("MD", "ro"),
        ("TH", "th"),
        ("GB", "en"),
        ("NO", None),
        (None, None),
        ("PL", "pl"),
    ],
)
def test_the_callers_country_names_a_language_offered_first_if_the_menu_has_it(
    country: str | None, hint: str | None
) -> None:
    assert CATALOG.language_for_country(country) == hint
    step = start(line(), CATALOG.language_for_country(country))
    offered = hint if hint != "pl" else None  # Polish is not on this line: the usual menu
    assert step.gather.hint == offered
    assert step.prompts[0].segment == ("lang_hint" if offered else "greeting")


def test_a_call_from_a_hinted_country_hears_its_language_first_then_the_greeting() -> None:
    step = start(line(), hint="ro")
    assert heard(step) == ("ro:lang_hint.1", *both("greeting"), *HINTED_PAGE[1:])
    assert step.gather == HINTED and step.event == "country_hint"


def test_a_hinted_language_from_another_page_is_first_and_the_pages_reflow() -> None:
    step = start(line(), hint="th")
    assert heard(step) == (
        "th:lang_hint.1",
        *both("greeting"),
        "en:lang_select.2",
        "nb:lang_select.3",
        "ru:more_languages.9",
        "ro:more_languages.9",
    )
    assert step.gather == HINTED_TH


def test_a_hint_for_a_language_not_offered_gives_the_usual_menu() -> None:
    without_thai = Line(CATALOG, [["en", "nb", "ro"], ["ru"]], lambda: False)
    step = start(without_thai, hint="th")
    assert step.prompts[0].segment == "greeting" and step.gather.hint is None
    assert step.event == "language_menu"


def test_a_forged_hint_in_the_url_is_ignored() -> None:
    assert Position.from_query({"hint": "../etc"}).hint is None
    assert Position.from_query({"hint": "ro"}).hint == "ro"
