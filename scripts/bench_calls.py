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
from tests.conftest import TOKEN, Call


class TimedCall(Call):
    """A Call that records how long each webhook took."""

    timings: ClassVar[list[float]] = []

    def post(self, url, extra=None):
        started = time.perf_counter()
        root = super().post(url, extra)
        TimedCall.timings.append(time.perf_counter() - started)
        return root


def walk(app, lang: str, lang_key: str, topic_key: str) -> None:
    call = TimedCall(app.test_client(), app.extensions["ivr.catalog"], dial_status="no-answer")
    call.start().press(lang_key).press(topic_key)
    while call.heard_prompt("part_next", lang):
        call.press("1")
    call.press("*").press("#").press("0")


def seconds_of(app, prompts: list[Prompt]) -> float | None:
    """Seconds of recorded audio for these prompts, if the audio store knows durations."""
    audio = app.extensions["ivr.audio"]
    duration = getattr(audio, "duration_of", None)
    if duration is None:
        return None
    total = 0.0
    for prompt in prompts:
        seconds = duration(prompt)
        if seconds is None:
            return None
        total += seconds
    return total


def longest_path(app) -> None:
    """Audio a caller sits through before the first topic message starts, per language."""
    from ivr import flow
    from ivr.voice.routes import _line

    with app.test_request_context("/voice", method="POST"):
        line = _line()
        rows = []
        for page_index, page in enumerate(line.pages):
            for i, code in enumerate(page):
                path = list(flow.start(line).prompts)
                if page_index:
                    path += list(flow.present(line, flow.Position(page=page_index)).prompts)
                path += list(flow.present(line, flow.Position("menu", code, intro=True)).prompts)
                rows.append((code, page_index + 1 + 1, seconds_of(app, path)))
    known = [r for r in rows if r[2] is not None]
    if not known:
        print("longest path: no recorded audio durations (run `ivr audio build` first)")
        return
    code, presses, seconds = max(known, key=lambda r: r[2])
    print(f"longest path to the topic menu, if the caller listens to every option: "
          f"{seconds:.1f} s of audio ({code}, {presses} key presses)")
    for code, presses, seconds in sorted(known, key=lambda r: r[2]):
        print(f"  {code:3} {presses} presses  {seconds:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = {"TWILIO_AUTH_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        app = create_app(settings)
        app.logger.disabled = True
        import logging

        logging.getLogger("ivr").setLevel(logging.WARNING)
        app.extensions["ivr.db"].upgrade()
        catalog = app.extensions["ivr.catalog"]
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
        longest_path(app)


if __name__ == "__main__":
    main()
