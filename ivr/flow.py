"""The call flow as plain Python: where the caller is, what they pressed, what happens next.

No Flask and no Twilio here. A `Position` is everything the line needs to know about a call;
it travels in the webhook URL, so no process keeps per-call state. `next_step` turns a position
and a key press (or silence) into a `Step`: what to play, and where the next key press goes.

Each place in the menus (`Node`) has one handler in `HANDLERS`: what the caller hears on
arriving there, and what a key means there. The keys that mean the same everywhere (0, *,
silence, wrong keys) are handled once, in `next_step`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from .catalog import HINT_KEY, Catalog, Prompt


class Node(StrEnum):
    """A place in the menus; its value is what travels in the URL (`node=menu`)."""

    LANGUAGE = "language"  # a page of the language menu
    MENU = "menu"  # the topic menu, in the caller's language
    PART = "part"  # one part of a topic's message
    CALLBACK = "callback"  # when to call KOM back (key 0 while KOM is closed)


NODES = tuple(node.value for node in Node)
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$")


@dataclass(frozen=True)
class Position:
    """Where a caller is in the menus."""

    node: Node = Node.LANGUAGE
    lang: str | None = None
    page: int = 0
    topic: str | None = None
    part: int = 0
    miss: int = 0
    intro: bool = False  # first arrival: greeting (language menu) or safety sentences (topics)
    brief: bool = False  # after silence or a wrong key: only the key options, not the message
    # The languages the caller just heard on a language page, key 1 first: a key means what
    # the caller heard, even if staff switch a language off while they listen.
    langs: tuple[str, ...] = ()
    # The language of the caller's country (never the number), offered first on key 1.
    hint: str | None = None

    def __post_init__(self) -> None:
        # Positions are also written by hand (`Position("menu", lang="en")`): keep a Node.
        object.__setattr__(self, "node", Node(self.node))

    def to_query(self) -> dict[str, str]:
        """The position as URL query parameters (defaults left out, to keep URLs short)."""
        default = Position()
        query: dict[str, str] = {}
        for name, value in vars(self).items():
            if value == getattr(default, name) or value is None:
                continue
            if isinstance(value, tuple):
                query[name] = ",".join(value)
            elif isinstance(value, bool):
                query[name] = str(int(value))
            else:
                query[name] = str(value)
        return query

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> Position:
        """Read a position back from URL parameters; anything malformed becomes a default."""

        def number(name: str) -> int:
            value = str(args.get(name, "0"))
            return int(value) if value.isdigit() and len(value) < 4 else 0

        node = args.get("node", Node.LANGUAGE)
        return cls(
            node=Node(node) if node in NODES else Node.LANGUAGE,
            lang=args.get("lang") or None,
            page=number("page"),
            topic=args.get("topic") or None,
            part=number("part"),
            miss=number("miss"),
            intro=args.get("intro") == "1",
            brief=args.get("brief") == "1",
            langs=tuple(c for c in str(args.get("langs", "")).split(",")[:9] if LANG_CODE.match(c)),
            hint=hint if LANG_CODE.match(hint := str(args.get("hint", ""))) else None,
        )


@dataclass(frozen=True)
class Step:
    """What the line does next: play prompts, then listen, transfer, or hang up."""

    prompts: tuple[Prompt, ...]
    gather: Position | None = None
    transfer: bool = False
    hangup: bool = False
    lang: str | None = None
    event: str = ""


@dataclass(frozen=True)
class Line:
    """What the flow needs from the outside world for one request."""

    catalog: Catalog
    pages: list[list[str]]
    open_now: Callable[[], bool]

    def speaking(self, lang: str | None) -> tuple[str, ...]:
        """The languages to speak in: the caller's, or the greeting languages if none yet."""
        if lang in self.catalog.languages:
            return (lang,)
        offered = {code for page in self.pages for code in page}
        spoken = tuple(c for c in self.catalog.greeting_languages if c in offered)
        return spoken or self.catalog.greeting_languages[:1]

    def say(self, lang: str | None, *segments: str) -> tuple[Prompt, ...]:
        """These segments in the caller's language (or each greeting language)."""
        return tuple(Prompt(s, code) for code in self.speaking(lang) for s in segments)

    def offers(self, lang: str | None) -> bool:
        """Whether the language menu offers this language."""
        return any(lang in page for page in self.pages)

    def pages_for(self, hint: str | None) -> list[list[str]]:
        """The language pages, with the hinted language (if offered) first on the first page."""
        if hint is None or not self.offers(hint):
            return self.pages
        codes = [hint] + [c for page in self.pages for c in page if c != hint]
        size = max(self.catalog.per_page, 1)
        return [codes[i : i + size] for i in range(0, len(codes), size)]


Present = Callable[[Line, Position], Step | None]
Choose = Callable[[Line, Position, str], Step | None]


@dataclass(frozen=True)
class NodeHandler:
    """One place in the menus: what the caller hears there, and what a key means there.

    `present` returns None when the position lacks what the node needs (a language, a topic
    that exists): the caller then hears the language menu. `choose` returns None for a key
    that means nothing there. `needs_language`: before a language is chosen, only # works.
    """

    present: Present
    choose: Choose
    needs_language: bool = True


def present(line: Line, pos: Position) -> Step:
    """What a caller hears on arriving at a position, listening for a key there afterwards."""
    step = HANDLERS[pos.node].present(line, pos)
    return step if step is not None else _present_language(line, pos)


def start(line: Line, hint: str | None = None) -> Step:
    """A call comes in: greeting and the language menu (the hinted language first, if any)."""
    return present(line, Position(intro=True, hint=hint if line.offers(hint) else None))


def next_step(line: Line, pos: Position, digits: str | None) -> Step:
    """The step after the caller pressed `digits` (None or "" for silence) at `pos`."""
    keys = line.catalog.keys
    key = (digits or "")[:1]
    if not key:
        return _missed(line, pos, invalid=False)
    if key == keys.person:
        return _person(line, pos.lang)
    if key == keys.repeat:
        return present(line, replace(pos, miss=0, brief=False, intro=False))
    chosen = _choose(line, pos, key)
    return chosen if chosen is not None else _missed(line, pos, invalid=True)


def _choose(line: Line, pos: Position, key: str) -> Step | None:
    """The step for a key that depends on where the caller is; None if it means nothing here."""
    handler = HANDLERS[pos.node]
    if handler.needs_language and not pos.lang:
        # e.g. the callback information before a language was chosen: only "back" works.
        return present(line, Position()) if key == line.catalog.keys.back else None
    return handler.choose(line, pos, key)


# -- the language menu ---------------------------------------------------------------------


def _present_language(line: Line, pos: Position) -> Step:
    """A page of the language menu: the hinted language's full sentence first ("Pentru limba
    română, apăsați 1"), the greeting on arrival, one short phrase per language, then "more
    languages" in the languages that key leads to."""
    pos = replace(pos, node=Node.LANGUAGE, lang=None)
    pages = line.pages_for(pos.hint)
    page = pos.page if pos.page < len(pages) else 0
    codes = pages[page]
    hinted = page == 0 and line.offers(pos.hint)
    prompts: tuple[Prompt, ...] = (Prompt("lang_hint", codes[0], HINT_KEY),) if hinted else ()
    prompts += line.say(None, "greeting") if pos.intro else ()
    prompts += tuple(
        Prompt("lang_select", code, str(i + 1))
        for i, code in enumerate(codes)
        if not (hinted and i == 0)
    )
    if len(pages) > 1:
        more_key = line.catalog.more_key
        prompts += tuple(Prompt("more_languages", c, more_key) for c in _more_in(line, pages, page))
    gather = replace(pos, page=page, intro=False, brief=False, langs=tuple(codes))
    event = "country_hint" if hinted and pos.intro else "language_menu"
    return Step(prompts, gather=gather, event=event)


def _more_in(line: Line, pages: list[list[str]], page: int) -> tuple[str, ...]:
    """Who hears "more languages": each language on a later page, so its speakers know where
    to go; on the last page (back to the first) the greeting languages; or menu.toml's list.

    Later languages in reverse order: the language said last here is said first on the next
    page, so no language waits through both lists (the wait is shared out evenly).
    """
    later = tuple(c for p in pages[page + 1 :] for c in p)[::-1]
    return line.catalog.more_in or later or line.speaking(None)


def _choose_language(line: Line, pos: Position, key: str) -> Step | None:
    """A language key, "more languages", or back to the first page."""
    cat = line.catalog
    pages = line.pages_for(pos.hint)
    page = [c for c in pos.langs if c in cat.languages]
    if not page:
        page = pages[pos.page] if pos.page < len(pages) else pages[0]
    if key.isdigit() and 1 <= int(key) <= len(page) and key != cat.more_key:
        return present(line, Position(Node.MENU, lang=page[int(key) - 1], intro=True))
    if key == cat.more_key and len(pages) > 1:
        return present(line, Position(page=(pos.page + 1) % len(pages), hint=pos.hint))
    if key == cat.keys.back:
        return present(line, Position(hint=pos.hint))
    return None


# -- the topic menu ------------------------------------------------------------------------


def _present_menu(line: Line, pos: Position) -> Step | None:
    """The topics, after the safety sentences on first arrival."""
    if not pos.lang:
        return None
    prompts = line.say(pos.lang, "intro") if pos.intro else ()
    prompts += line.say(pos.lang, "topic_menu")
    prompts += tuple(Prompt(t.menu_segment, pos.lang, t.key) for t in line.catalog.topics)
    prompts += line.say(pos.lang, "menu_keys")
    return Step(prompts, gather=replace(pos, intro=False, brief=False), lang=pos.lang, event="menu")


def _choose_menu(line: Line, pos: Position, key: str) -> Step | None:
    """A topic's key, or back to the language menu."""
    if key == line.catalog.keys.back:
        return present(line, Position())
    if topic := line.catalog.topic_for_key(key):
        return present(line, Position(Node.PART, lang=pos.lang, topic=topic.id))
    return None


# -- a part of a topic's message -----------------------------------------------------------


def _present_part(line: Line, pos: Position) -> Step | None:
    """One part of a topic, then its keys (only the keys after a miss)."""
    topic = line.catalog.topic(pos.topic or "")
    if not pos.lang or topic is None:
        return None
    part = min(pos.part, len(topic.parts) - 1)
    more = part + 1 < len(topic.parts)
    body = () if pos.brief else line.say(pos.lang, topic.parts[part])
    keys = line.say(pos.lang, "part_next" if more else "part_end")
    return Step(
        body + keys,
        gather=replace(pos, part=part, brief=False),
        lang=pos.lang,
        event=f"topic:{topic.id}:{part + 1}",
    )


def _choose_part(line: Line, pos: Position, key: str) -> Step | None:
    """The next part, or back to the topic menu."""
    keys = line.catalog.keys
    if key == keys.back:
        return present(line, Position(Node.MENU, lang=pos.lang))
    topic = line.catalog.topic(pos.topic or "")
    if key == keys.next_part and topic and pos.part + 1 < len(topic.parts):
        return present(line, replace(pos, part=pos.part + 1, miss=0, brief=False))
    return None


# -- the callback information --------------------------------------------------------------


def _present_callback(line: Line, pos: Position) -> Step:
    """When to call KOM back, then its keys (only the keys after a miss)."""
    body = () if pos.brief else line.say(pos.lang, "callback")
    keys = line.say(pos.lang, "callback_keys")
    return Step(body + keys, gather=replace(pos, brief=False), lang=pos.lang, event="callback")


def _choose_callback(line: Line, pos: Position, key: str) -> Step | None:
    """Back to the topic menu."""
    if key == line.catalog.keys.back:
        return present(line, Position(Node.MENU, lang=pos.lang))
    return None


HANDLERS: dict[Node, NodeHandler] = {
    Node.LANGUAGE: NodeHandler(_present_language, _choose_language, needs_language=False),
    Node.MENU: NodeHandler(_present_menu, _choose_menu),
    Node.PART: NodeHandler(_present_part, _choose_part),
    Node.CALLBACK: NodeHandler(_present_callback, _choose_callback),
}
"""One handler per node: every Node has exactly one entry."""


# -- what is the same everywhere -----------------------------------------------------------


def _missed(line: Line, pos: Position, invalid: bool) -> Step:
    """Silence or a wrong key: the same menu again, until the caller has missed too often."""
    misses = pos.miss + 1
    if misses > line.catalog.max_misses:
        prompts = line.say(pos.lang, "invalid") if invalid else ()
        prompts += line.say(pos.lang, "callback", "goodbye")
        return Step(prompts, hangup=True, lang=pos.lang, event="gave_up")
    again = present(line, replace(pos, miss=misses, brief=True, intro=False))
    if not invalid:
        return replace(again, event="silence")
    return replace(again, prompts=line.say(pos.lang, "invalid") + again.prompts, event="invalid")


def _person(line: Line, lang: str | None) -> Step:
    """Key 0: a transfer when KOM is open, the callback information when it is closed."""
    if line.open_now():
        return Step(line.say(lang, "transfer"), transfer=True, lang=lang, event="transfer")
    callback = present(line, Position(Node.CALLBACK, lang=lang))
    return replace(callback, prompts=line.say(lang, "closed") + callback.prompts, event="closed")


def after_transfer(line: Line, lang: str | None, status: str) -> Step:
    """The caller is back from a transfer: goodbye after a conversation, else callback info."""
    if status == "completed":
        return Step(line.say(lang, "goodbye"), hangup=True, lang=lang, event="transfer:completed")
    callback = present(line, Position(Node.CALLBACK, lang=lang))
    return replace(
        callback,
        prompts=line.say(lang, "transfer_failed") + callback.prompts,
        event=f"transfer:{status or 'unknown'}",
    )


def give_up(line: Line, lang: str | None) -> Step:
    """The safe answer when something went wrong: callback information, 112, goodbye."""
    return Step(line.say(lang, "callback", "goodbye"), hangup=True, lang=lang, event="error")
