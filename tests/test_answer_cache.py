"""The answer cache: one answer per position and content version, bounded, dropped at once
when staff change what callers hear."""

from __future__ import annotations

from ivr.answers import Answer, AnswerCache


def answer(name: str) -> Answer:
    return Answer(f"<Response>{name}</Response>", "en", "menu", name, None)


def test_an_answer_is_computed_once_per_version_and_peek_never_computes():
    cache, computed = AnswerCache(), []

    def compute(name):
        computed.append(name)
        return answer(name)

    assert cache.peek(1, "menu") is None
    first = cache.get(1, "menu", lambda: compute("menu"))
    assert cache.get(1, "menu", lambda: compute("menu")) is first
    assert cache.peek(1, "menu") is first and first.body == b"<Response>menu</Response>"
    assert cache.peek(2, "menu") is None, "a new version never serves an old answer"
    assert cache.get(2, "menu", lambda: compute("menu")) is not first
    assert cache.peek(1, "menu") is None, "the old version is dropped"
    assert computed == ["menu", "menu"]
    assert (cache.hits, cache.misses) == (2, 2)


def test_the_least_recently_used_answer_goes_first():
    cache = AnswerCache(size=2)
    for name in ("a", "b"):
        cache.get(1, name, lambda name=name: answer(name))
    cache.peek(1, "a")  # used again: "b" is now the oldest
    cache.get(1, "c", lambda: answer("c"))
    assert cache.peek(1, "b") is None
    assert cache.peek(1, "a") is not None and cache.peek(1, "c") is not None
