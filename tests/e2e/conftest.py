"""The browsers the Chromium tests share: Playwright and each kind of Chromium start once per
session (per worker); every test opens its own browser context (cookies, storage, cache), so
tests stay apart without paying for a browser start each."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def playwright():
    """Playwright's sync API, started once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as started:
        yield started


def launch(playwright, *extra_args: str):
    """Debian's Chromium, headless, with the tests' arguments and `extra_args`."""
    from tests.e2e.test_staff_browser import CHROMIUM, CHROMIUM_ARGS

    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


@pytest.fixture(scope="session")
def chromium(playwright):
    """Chromium for the staff pages."""
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def chromium_that_plays(playwright):
    """Chromium that may play audio without a click first (the call button is the click)."""
    browser = launch(playwright, "--autoplay-policy=no-user-gesture-required")
    yield browser
    browser.close()


def fresh_page(browser, timeout_ms: float):
    """A page in a new browser context that accepts confirmation dialogs ("Close the line
    now?" -> yes). Returns (context, page); close the context after the test."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page
