"""Benchmark the caller's line: webhook latency over many simulated calls, and how many seconds
of audio a caller hears before they can choose their language and reach a topic.

    .venv/bin/python scripts/bench_calls.py [--calls 200]

Runs in one process through Flask's test client on a temporary SQLite database, with signed
requests as Twilio sends them. The seconds of audio come from the recordings `ivr audio build`
made (the instance database and audio store; `scripts/run.sh` builds them offline with eSpeak
NG): each language page, when each language can be chosen, and the option of a hinted language
(the caller's country first), against the targets of issue 10. Every language is listed, also
those with no offline voice (spoken by Twilio's <Say>, not measured). Prints figures, asserts
nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr import create_app
from ivr.catalog import Prompt
from ivr.services import services
from tests.conftest import SECRET_KEY, TOKEN, Call


class TimedCall(Call):
    """A Call that records how long each webhook took."""

    timings: ClassVar[list[float]] = []

    def post(self, url, extra=None):
        started = time.perf_counter()
        root = super().post(url, extra)
        TimedCall.timings.append(time.perf_counter() - started)
        return root


def walk(app, lang: str, lang_key: str, topic_key: str) -> None:
    call = TimedCall(app.test_client(), services(app).catalog, dial_status="no-answer")
    call.start().press(lang_key).press(topic_key)
    while call.heard_prompt("part_next", lang):
        call.press("1")
    call.press("*").press("#").press("0")


TARGETS = {
    "first page": 25.0,
    "second page": 20.0,
    "choosable": 30.0,
    "hint starts": 1.0,
    "hint said": 6.0,
}  # issue 10: seconds of audio from answering, at most


def _mark(seconds: float, target: float) -> str:
    return "ok" if seconds <= target else f"OVER {target:g} s"


class Audio:
    """Seconds of the built recordings (`ivr audio build`): what a caller hears, file by file."""

    def __init__(self, app) -> None:
        self.recordings = services(app).recordings
        self.current = self.recordings.current()

    def seconds(self, prompts) -> float | None:
        """Seconds of these prompts, or None if one has no recording (Twilio's <Say>)."""
        found = [self.current.get((p.id, p.lang)) for p in prompts]
        return None if None in found else sum(r.duration for r in found)

    def until(self, prompts, last: Prompt) -> tuple[float, int] | None:
        """Seconds up to the end of `last` (the earliest moment to press its key), and how many
        prompts before it <Say> speaks (not measured); None if `last` itself has no recording."""
        if (last.id, last.lang) not in self.current:
            return None
        before = prompts[: prompts.index(last) + 1]
        recorded = [p for p in before if (p.id, p.lang) in self.current]
        return self.seconds(recorded), len(before) - len(recorded)

    def lead(self, prompt: Prompt) -> float:
        """Seconds of silence before the first sound of a prompt's file."""
        from ivr.audio.processing import measure

        recording = self.current[(prompt.id, prompt.lang)]
        return measure(self.recordings.store.read(recording.hash)).lead_ms / 1000

    def page(self, prompts) -> tuple[float, str]:
        """A page's length: the recorded seconds, and what <Say> speaks on top."""
        recorded = [p for p in prompts if (p.id, p.lang) in self.current]
        spoken = len(prompts) - len(recorded)
        total = self.seconds(recorded) or 0.0
        extra = f" + {spoken} prompt(s) spoken by <Say>, not measured" if spoken else ""
        return total, extra


def choosable(audio: Audio, line, code: str) -> tuple[float, int] | None:
    """Seconds of audio before a caller can press their language's key (pressing 9 as soon as
    "more languages" is said in their language, then their key as soon as it is said), and
    how many prompts on the way <Say> speaks; None without recordings of the language."""
    from ivr import flow

    total, spoken = 0.0, 0
    for index, page in enumerate(line.pages):
        prompts = list(flow.present(line, flow.Position(page=index, intro=index == 0)).prompts)
        mine = (
            Prompt("lang_select", code, str(page.index(code) + 1))
            if code in page
            else Prompt("more_languages", code, line.catalog.more_key)
        )
        said = audio.until(prompts, mine)
        if said is None:
            return None
        total, spoken = total + said[0], spoken + said[1]
        if code in page:
            return total, spoken
    return None


def language_menu(app) -> None:
    """The language menu in seconds of audio on the built recordings: each page, when each
    language can be chosen, and a hinted language's option (the caller's country first)."""
    from ivr import flow
    from ivr.voice.routes import _line

    audio = Audio(app)
    catalog = services(app).catalog
    with app.test_request_context("/voice", method="POST"):
        line = _line()
    if not audio.current:
        print("language menu: no recorded audio (run `ivr audio build` first)")
        return
    print("language menu, seconds of audio from answering (targets of issue 10):")
    for index, _ in enumerate(line.pages[:2]):
        name = ("first page", "second page")[index]
        prompts = flow.present(line, flow.Position(page=index, intro=index == 0)).prompts
        total, extra = audio.page(prompts)
        print(f"  {name:12} {total:5.1f} s{extra}  [{_mark(total, TARGETS[name])}]")
    hinted = [
        (audio.page(flow.start(line, hint=code).prompts), code)
        for page in line.pages
        for code in page
    ]
    ((total, extra), code) = max(hinted, key=lambda h: h[0][0])
    print(
        f"  {'hinted page':12} {total:5.1f} s{extra} (the longest: {code} first)  "
        f"[{_mark(total, TARGETS['first page'])}]"
    )
    print(f"  {'language':8} {'choosable':>9}  {'hinted: starts':>14} {'said':>6}")
    for code in [c for c in catalog.order if c in catalog.languages] + sorted(
        set(catalog.languages) - set(catalog.order)
    ):
        print("  " + _language_row(audio, line, code))


def _language_row(audio: Audio, line, code: str) -> str:
    """One language's figures: when it can be chosen, and its hinted option."""
    from ivr import flow

    if not line.offers(code):
        return f"{code:8} not offered in the menu (switched off, or a draft not offered)"
    chosen = choosable(audio, line, code)
    hinted = flow.start(line, hint=code).prompts[0]
    if chosen is None or (hinted.id, code) not in audio.current:
        return f"{code:8} no offline audio: spoken by Twilio's <Say>, not measured"
    (seconds, spoken), starts, said = chosen, audio.lead(hinted), audio.seconds([hinted])
    unmeasured = f" (+ {spoken} <Say> prompt(s) before it)" if spoken else ""
    return (
        f"{code:8} {seconds:7.1f} s  {starts:12.2f} s {said:4.1f} s  "
        f"[{_mark(seconds, TARGETS['choosable'])}; {_mark(starts, TARGETS['hint starts'])}; "
        f"{_mark(said, TARGETS['hint said'])}]{unmeasured}"
    )


def longest_path(app) -> None:
    """Seconds of audio a caller hears before they can press the key of the last topic, per
    language, pressing each key as soon as their option has been said."""
    from ivr import flow
    from ivr.voice.routes import _line

    audio = Audio(app)
    catalog = services(app).catalog
    last_topic = catalog.topics[-1]
    rows = []
    with app.test_request_context("/voice", method="POST"):
        line = _line()
    for code in [c for page in line.pages for c in page]:
        menu = list(flow.present(line, flow.Position("menu", code, intro=True)).prompts)
        chosen = choosable(audio, line, code)
        topic = audio.until(menu, Prompt(last_topic.menu_segment, code, last_topic.key))
        if chosen is not None and topic is not None:
            rows.append((code, chosen[0], chosen[0] + topic[0]))
    if not rows:
        return
    print(f"audio before the caller can press the last topic ({last_topic.id}):")
    for code, chosen, total in sorted(rows, key=lambda r: r[2]):
        print(f"  {code:3} language after {chosen:5.1f} s; topic key after {total:5.1f} s")
    code, _, total = max(rows, key=lambda r: r[2])
    print(f"longest path: {total:.1f} s of audio ({code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "SECRET_KEY": SECRET_KEY,
            "TRUSTED_PROXIES": 1,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        }
        app = create_app(settings)
        app.logger.disabled = True
        import logging

        logging.getLogger("ivr").setLevel(logging.WARNING)
        services(app).db.upgrade()
        catalog = services(app).catalog
        started = time.perf_counter()
        first_page = catalog.menu_pages()[0]
        for n in range(args.calls):
            key = n % len(first_page)
            walk(app, first_page[key], str(key + 1), catalog.topics[n % len(catalog.topics)].key)
        elapsed = time.perf_counter() - started
        t = sorted(TimedCall.timings)
        print(
            f"{args.calls} calls, {len(t)} webhooks in {elapsed:.2f} s "
            f"({len(t) / elapsed:.0f} webhooks/s in one process)"
        )
        print(
            f"webhook latency: p50 {statistics.median(t) * 1000:.1f} ms, "
            f"p95 {t[int(len(t) * 0.95)] * 1000:.1f} ms, "
            f"p99 {t[int(len(t) * 0.99)] * 1000:.1f} ms, "
            f"max {t[-1] * 1000:.1f} ms"
        )
    app = create_app({"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET_KEY, "TRUSTED_PROXIES": 1})
    language_menu(app)
    longest_path(app)


if __name__ == "__main__":
    main()
