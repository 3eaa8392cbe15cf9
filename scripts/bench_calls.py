"""Benchmark the caller's line: webhook latency over many simulated calls, and how many seconds
of audio the longest path to a topic costs a caller.

    .venv/bin/python scripts/bench_calls.py [--calls 200]

Runs in one process through Flask's test client on a temporary SQLite database, with signed
requests as Twilio sends them; prints figures, asserts nothing.
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


def seconds_of(current: dict, prompts: list[Prompt]) -> float | None:
    """Seconds of recorded audio for these prompts, or None if any has no recording."""
    total = 0.0
    for prompt in prompts:
        recording = current.get((prompt.id, prompt.lang))
        if recording is None:
            return None
        total += recording.duration
    return total


def _until(current: dict, prompts: list[Prompt], last: Prompt) -> float | None:
    """Seconds of audio up to and including `last` (the earliest moment to press its key)."""
    upto = prompts[: prompts.index(last) + 1]
    return seconds_of(current, upto)


def longest_path() -> None:
    """Seconds of audio a caller hears before they can press the key of the last topic, per
    language, pressing each key as soon as their option has been said; with the audio built
    by `ivr audio build` (the instance database and audio store)."""
    from ivr import flow
    from ivr.voice.routes import _line

    app = create_app({"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET_KEY})
    current = services(app).recordings.current()
    catalog = services(app).catalog
    last_topic = catalog.topics[-1]
    rows = []
    with app.test_request_context("/voice", method="POST"):
        line = _line()
        for page_index, page in enumerate(line.pages):
            for position, code in enumerate(page):
                first = list(flow.start(line).prompts)
                parts = []
                if page_index:
                    parts.append(_until(current, first, Prompt("more_languages", code,
                                                                catalog.more_key)))
                    first = list(flow.present(line, flow.Position(page=page_index)).prompts)
                parts.append(_until(current, first, Prompt("lang_select", code, str(position + 1))))
                menu = list(flow.present(line, flow.Position("menu", code, intro=True)).prompts)
                parts.append(_until(current, menu, Prompt(last_topic.menu_segment, code,
                                                          last_topic.key)))
                if None not in parts:
                    rows.append((code, page_index + 1, sum(parts[:-1]), sum(parts)))
    if not rows:
        print("longest path: no recorded audio (run `ivr audio build` first)")
        return
    print(f"audio before the caller can press the last topic ({last_topic.id}), pressing as "
          "soon as each option is said:")
    for code, presses, choose, total in sorted(rows, key=lambda r: r[3]):
        print(f"  {code:3} language in {presses} press(es) after {choose:5.1f} s; "
              f"topic key after {total:5.1f} s")
    code, presses, choose, total = max(rows, key=lambda r: r[3])
    print(f"longest path: {total:.1f} s of audio ({code}, {presses + 1} key presses)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = {"TWILIO_AUTH_TOKEN": TOKEN, "SECRET_KEY": SECRET_KEY, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
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
        print(f"{args.calls} calls, {len(t)} webhooks in {elapsed:.2f} s "
              f"({len(t) / elapsed:.0f} webhooks/s in one process)")
        print(f"webhook latency: p50 {statistics.median(t) * 1000:.1f} ms, "
              f"p95 {t[int(len(t) * 0.95)] * 1000:.1f} ms, p99 {t[int(len(t) * 0.99)] * 1000:.1f} ms, "
              f"max {t[-1] * 1000:.1f} ms")
    longest_path()


if __name__ == "__main__":
    main()
