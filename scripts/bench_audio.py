#!/usr/bin/env python3
"""Benchmark the audio build offline: full build, no-change rebuild, bytes and longest prompt.

    .venv/bin/python scripts/bench_audio.py [--engines espeak] [--keep DIR]

Builds every prompt of every language in a fresh temporary database and store (nothing of
yours is touched), with eSpeak NG only unless --engines says otherwise.
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
from ivr.audio.engines import engines_from_setting
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
        app = create_app({"TWILIO_AUTH_TOKEN": "bench", "SECRET_KEY": "bench-secret-key-0123456789", "TTS_ENGINES": args.engines,
                          "DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}",
                          "AUDIO_DIR": str(folder / "store"), "LOG_LEVEL": "ERROR"})
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
        for (prompt_id, lang), rec in recordings.current().items():
            size[lang] += rec.size
            longest[lang] = max(longest.get(lang, (0.0, "")), (rec.duration, prompt_id))

    print(f"engines: {args.engines}   prompts: {len(prompts)} in "
          f"{len({p.lang for p in prompts})} languages")
    print(f"full offline build:   {full:7.2f} s  ({report.rendered} rendered, "
          f"{report.failed} failed, {full / max(report.rendered, 1) * 1000:.0f} ms per prompt)")
    print(f"no-change rebuild:    {rebuild:7.3f} s  ({again.rendered} rendered)")
    print(f"{'language':10}{'files':>7}{'bytes':>12}{'longest (s)':>13}  prompt")
    for lang in sorted(size):
        count = sum(again.counts[lang].values())
        seconds, prompt_id = longest[lang]
        print(f"{lang:10}{count:>7}{size[lang]:>12,}{seconds:>13.1f}  {prompt_id}")
    print(f"{'total':10}{'':>7}{sum(size.values()):>12,}")


if __name__ == "__main__":
    main()
