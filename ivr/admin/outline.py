"""The prompts as a coordinator thinks of them: named in their words, grouped by what the
caller is doing, in the order a call reaches them (the topics in the menu's order)."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, Prompt
from .i18n import t

# Before and after the topics; every topic of menu.toml is a group of its own in between.
OPENING = (
    ("start", ("greeting", "lang_hint", "lang_select", "more_languages")),
    ("menu", ("intro", "topic_menu", "*menus", "menu_keys")),
)
CLOSING = (
    ("parts", ("part_next", "part_end")),
    ("person", ("transfer", "transfer_failed", "closed", "callback", "callback_keys")),
    ("end", ("invalid", "goodbye")),
)


@dataclass(frozen=True)
class Group:
    """A topic of the call and its segments, in call order."""

    key: str
    name: str
    segments: tuple[str, ...]


def outline(catalog: Catalog) -> list[Group]:
    """Every segment in a group, groups in call order; segments nobody placed come last."""
    menus = tuple(topic.menu_segment for topic in catalog.topics)
    groups = [
        Group(
            key,
            t(f"group.{key}"),
            tuple(s for name in names for s in (menus if name == "*menus" else (name,))),
        )
        for key, names in OPENING
    ]
    groups += [
        Group(topic.id, segment_name(catalog, topic.menu_segment), topic.parts)
        for topic in catalog.topics
    ]
    groups += [Group(key, t(f"group.{key}"), names) for key, names in CLOSING]
    placed = {s for g in groups for s in g.segments}
    rest = tuple(s for s in catalog.segments if s not in placed)
    groups = [
        Group(g.key, g.name, tuple(s for s in g.segments if s in catalog.segments)) for g in groups
    ]
    if rest:
        groups.append(Group("other", t("group.other"), rest))
    return [g for g in groups if g.segments]


def segment_order(catalog: Catalog) -> list[str]:
    """Every segment in call order."""
    return [s for g in outline(catalog) for s in g.segments]


def segment_name(catalog: Catalog, segment: str) -> str:
    """A segment's name in the staff's language: "Rights – part 2", "Menu: asylum"."""
    for topic in catalog.topics:
        if segment in topic.parts and len(topic.parts) > 1:
            number = topic.parts.index(segment) + 1
            return t("seg.part", topic=t(f"topic.{topic.id}"), n=number)
        if segment in topic.parts:
            return t(f"topic.{topic.id}")
        if segment == topic.menu_segment:
            return t("seg.menu_entry", topic=t(f"topic.{topic.id}"))
    return t(f"seg.{segment}")


def prompt_name(catalog: Catalog, prompt: Prompt) -> str:
    """A prompt's name: its segment's, with the key it announces ("… – key 3")."""
    name = segment_name(catalog, prompt.segment)
    return t("seg.with_key", name=name, digit=prompt.key) if prompt.key is not None else name


def prompts_in_order(catalog: Catalog, lang: str) -> list[tuple[Group, list[Prompt]]]:
    """The prompts of a language by group, in call order (keyed prompts in key order)."""
    by_segment: dict[str, list[Prompt]] = {}
    for prompt in catalog.all_prompts(lang):
        by_segment.setdefault(prompt.segment, []).append(prompt)
    return [(g, [p for s in g.segments for p in by_segment.get(s, [])]) for g in outline(catalog)]
