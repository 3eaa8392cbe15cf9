"""A pytest plugin for scripts/bench_tests.sh: run only the tests listed in $BENCH_TEST_IDS.

Loaded with `-p bench_same_tests` (scripts/ on PYTHONPATH) by both runs of the benchmark when it
compares the same tests: those whose ids exist in the baseline and in this checkout. Works with
any pytest since 7 (it only deselects), so an old baseline commit needs nothing of its own.
"""

from __future__ import annotations

import os
from pathlib import Path


def pytest_collection_modifyitems(config, items):
    wanted = set(Path(os.environ["BENCH_TEST_IDS"]).read_text(encoding="utf-8").splitlines())
    kept = [item for item in items if item.nodeid in wanted]
    deselected = [item for item in items if item.nodeid not in wanted]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept
