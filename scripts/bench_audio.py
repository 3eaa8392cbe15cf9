#!/usr/bin/env python3
"""Benchmark the audio build offline: full build, no-change rebuild, bytes, longest prompt, rate.

    .venv/bin/python scripts/bench_audio.py [--engines espeak] [--keep DIR]

Builds every prompt of every language in a fresh temporary database and store (nothing of
yours is touched), with eSpeak NG only unless --engines says otherwise. Every language is
listed, those the engines cannot speak too. The speaking rate is measured on the built audio of
every topic (seconds of speech, without the padding) against the words of the text as the engine
got it, and syllables read off eSpeak NG's phonemes; the band is the one in speech.toml.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr import create_app
from ivr.audio.build import Builder
from ivr.audio.engines import ESpeakEngine, engines_from_setting
from ivr.audio.processing import PAD_MS
from ivr.audio.pronounce import SpeechBook
from ivr.audio.rate import RateMeasure, count_syllables, count_words
from ivr.catalog import Prompt
from ivr.services import services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="espeak", help="TTS_ENGINES for the run")
    parser.add_argument("--keep", type=Path, help="build here instead of a temporary folder")
    args = parser.parse_args()
    logging.getLogger("ivr").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        app = create_app(
            {
                "TWILIO_AUTH_TOKEN": "bench",
                "SECRET_KEY": "bench-secret-key-0123456789",
                "TRUSTED_PROXIES": 1,
                "TTS_ENGINES": args.engines,
                "DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}",
                "AUDIO_DIR": str(folder / "store"),
                "LOG_LEVEL": "ERROR",
            }
        )
        services(app).db.upgrade()
        recordings = services(app).recordings
        engines = engines_from_setting(args.engines)

        builder = Builder(recordings, engines)
        prompts = builder.prompts()
        started = time.perf_counter()
        report = builder.run(prompts)
        full = time.perf_counter() - started

        started = time.perf_counter()
        again = Builder(recordings, engines).run(prompts)
        rebuild = time.perf_counter() - started

        size: dict[str, int] = defaultdict(int)
        longest: dict[str, tuple[float, str]] = {}
        current = recordings.current()
        for (prompt_id, lang), rec in current.items():
            size[lang] += rec.size
            longest[lang] = max(longest.get(lang, (0.0, "")), (rec.duration, prompt_id))
        rates = {
            lang: topic_rate(recordings.catalog, current, lang)
            for lang in recordings.catalog.languages
        }

    print(
        f"engines: {args.engines}   prompts: {len(prompts)} in "
        f"{len({p.lang for p in prompts})} languages"
    )
    print(
        f"full offline build:   {full:7.2f} s  ({report.rendered} rendered, "
        f"{report.failed} failed, {full / max(report.rendered, 1) * 1000:.0f} ms per prompt)"
    )
    print(f"no-change rebuild:    {rebuild:7.3f} s  ({again.rendered} rendered)")
    print(
        f"{'language':10}{'files':>7}{'bytes':>12}{'longest (s)':>13}  {'prompt':16}"
        f"{'wpm':>6}{'syll/s':>8}  target"
    )
    book = SpeechBook(recordings.catalog.root)
    for lang in sorted(recordings.catalog.languages):
        band = book.rules(lang).band
        target = f"{band.low:g}-{band.high:g} {band.unit}" if band else "(no band set)"
        if lang not in size:
            print(
                f"{lang:10}{0:>7}{'-':>12}{'-':>13}  {'no audio: no engine in use speaks it':44}"
                f"{target}"
            )
            continue
        count = sum(again.counts[lang].values())
        seconds, prompt_id = longest[lang]
        rate = rates[lang]
        verdict = "" if not band else (" ok" if band.holds(rate.value(band.unit)) else " OUT")
        print(
            f"{lang:10}{count:>7}{size[lang]:>12,}{seconds:>13.1f}  {prompt_id:16}"
            f"{rate.wpm:>6.0f}{rate.syllables_per_second:>8.2f}  {target}{verdict}"
        )
    print(f"{'total':10}{'':>7}{sum(size.values()):>12,}")


def topic_rate(catalog, current, lang: str) -> RateMeasure:
    """The speaking rate of a language's built topics: what was said over how long."""
    book, espeak = SpeechBook(catalog.root), ESpeakEngine()
    voice = espeak.voice_for(catalog.languages[lang])
    words = syllables = 0
    seconds = 0.0
    for part in (p for topic in catalog.topics for p in topic.parts):
        recording = current.get((part, lang))
        if recording is None or not recording.engine:
            continue
        said = book.prepare(catalog.text(Prompt(part, lang)), lang, recording.engine).text
        seconds += recording.duration - 2 * PAD_MS / 1000
        words += count_words(said)
        syllables += count_syllables(espeak.phonemes(said, voice, ipa=True)) if voice else 0
    return RateMeasure(words, syllables, seconds)


if __name__ == "__main__":
    main()
