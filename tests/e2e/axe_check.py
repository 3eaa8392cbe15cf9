"""axe-core's WCAG 2.1 AA rules on a page, one way for every browser test.

Only violations come back from the page in full (`resultTypes`): the passes' node lists of a
large page (the all-languages grid) are megabytes that nobody reads, and sending them from the
browser took most of each run's time."""

from __future__ import annotations

from functools import cache

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}


@cache
def _axe():
    """axe-playwright-python's runner (imported here: without the `browser` extra the browser
    tests are skipped, not broken at collection)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_violations(page) -> list[str]:
    """The page's WCAG 2.1 AA violations, one line each (rule, help, how many, first node);
    fails if axe-core did not run its rules on the page."""
    results = _axe().run(page, options=AXE_OPTIONS)
    assert results.response["testEngine"]["name"] == "axe-core"
    assert results.response["passes"], "axe ran its rules on the page"
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
