"""What the pronunciation step costs the <Say> answers: `python scripts/bench_say.py [ROUNDS]`.

Times `say_only` (every prompt spoken with <Say>, as the fallback answer and any prompt without
audio) for the language menu and each language's safe answer (callback, goodbye), with the
words prepared (`said_by_twilio`, cached per text) against a baseline in the same run that
speaks the texts as written. Also prints the one-off cost of preparing every prompt of every
language once, as a new process does on its first answers.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr import flow
from ivr.audio import pronounce
from ivr.catalog import Catalog, load_catalog
from ivr.config import DEFAULTS
from ivr.voice import twiml


def steps(catalog: Catalog) -> list[flow.Step]:
    """The language menu and every language's safe answer."""
    line = flow.Line(catalog, catalog.menu_pages(), lambda: False)
    return [flow.start(line)] + [flow.give_up(line, lang) for lang in catalog.languages]


def per_answer(catalog: Catalog, rounds: int) -> float:
    """Microseconds per `say_only` answer, the best of three runs."""
    answers = steps(catalog)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(rounds):
            for step in answers:
                twiml.say_only(step, catalog)
        best = min(best, time.perf_counter() - started)
    return best / (rounds * len(answers)) * 1e6


def as_written_text(root: Path | str, lang: str, text: str) -> str:
    """The text as staff wrote it ("112"): what <Say> spoke before the step applied to it."""
    return text


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    catalog = load_catalog(DEFAULTS["PROMPTS_DIR"])
    texts = [
        (lang, catalog.text(p)) for lang in catalog.languages for p in catalog.all_prompts(lang)
    ]
    started = time.perf_counter()
    for lang, text in texts:
        pronounce.said_by_twilio(catalog.root, lang, text)
    cold = (time.perf_counter() - started) * 1000
    prepared = per_answer(catalog, rounds)
    real = twiml.said_by_twilio
    twiml.said_by_twilio = as_written_text  # the baseline: what <Say> spoke before
    try:
        written = per_answer(catalog, rounds)
    finally:
        twiml.said_by_twilio = real
    print(f"preparing all {len(texts)} prompt texts once (cold): {cold:.1f} ms")
    print(f"say_only answer, texts as written (baseline): {written:.1f} us")
    print(f"say_only answer, prepared words (cached):     {prepared:.1f} us")
    print(f"ratio prepared / baseline: {prepared / written:.3f}")


if __name__ == "__main__":
    main()
