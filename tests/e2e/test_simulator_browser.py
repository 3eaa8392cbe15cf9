"""In Chromium: the call simulator (keypad, barge-in, a topic's audio really playing, a holiday,
a busy transfer) and axe-core's WCAG 2.1 AA rules on every staff page.

Needs Debian's Chromium at /usr/bin/chromium, Playwright and axe-playwright-python (the
`browser` extra). Run only browser tests with `pytest -m browser`.
"""

from __future__ import annotations

import pytest

from ivr.admin.accounts import add_account
from ivr.catalog import Prompt
from ivr.services import services
from tests.e2e.axe_check import axe_violations
from tests.e2e.conftest import fresh_page
from tests.e2e.test_staff_browser import (
    CHROMIUM,
    EMAIL,
    PASSWORD,
    REQUIRED,
    _serve,
    _sign_in,
    sync_api,
)
from tests.staff.staff_support import label

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not REQUIRED,
        reason="Chromium is not at /usr/bin/chromium: run scripts/install-browser.sh",
    ),
]
expect = sync_api.expect
expect.set_options(timeout=15_000)


@pytest.fixture
def built_live_server(built_app):
    """The app with every English prompt built (eSpeak NG), served on 127.0.0.1."""
    yield from _serve(built_app)


@pytest.fixture
def page(chromium_that_plays):
    """A page of its own in the session's Chromium that plays audio."""
    context, page = fresh_page(chromium_that_plays, 15_000)
    yield page
    context.close()


def _open_simulator(app, server, page) -> None:
    add_account(services(app).db, EMAIL, "reviewer", PASSWORD)
    _sign_in(page, server, "/staff/simulator")
    expect(page.get_by_role("heading", name=label("sim.title"))).to_be_visible()


def _call(page, date: str = "", time: str = "") -> None:
    page.get_by_label(label("sim.date")).fill(date)
    page.get_by_label(label("sim.time")).fill(time)
    page.get_by_role("button", name=label("sim.call"), exact=True).click()
    expect(_key(page, "1")).to_be_enabled()


def _key(page, key: str):
    """A key of the simulator's keypad, by its accessible name ("Trykk 1")."""
    return page.get_by_role("button", name=f"{label('sim.press')} {key}", exact=True)


def _row(page, prompt: str):
    return page.locator(f"#sim-transcript tr[data-prompt='{prompt}']")


def _playing(page, prompt: str) -> None:
    """Wait until the audio element plays the prompt's file: loaded, and time advancing."""
    page.wait_for_function(
        """prompt => {
        const row = document.querySelector("#sim-transcript tr.now");
        const audio = document.getElementById("sim-audio");
        return row && row.dataset.prompt === prompt && !audio.paused
            && audio.duration > 0.5 && audio.currentTime > 0.2;
    }""",
        arg=prompt,
    )


def test_a_call_in_the_simulator_barges_in_and_plays_a_topic(built_app, built_live_server, page):
    catalog = services(built_app).catalog
    _open_simulator(built_app, built_live_server, page)
    _call(page, "2026-12-02", "10:00")
    _playing(page, "greeting")  # the English greeting, a real file, plays first

    _key(page, "1").click()  # barge-in during the greeting
    expect(page.locator("#sim-transcript")).to_contain_text(f"{label('sim.key')} 1")
    expect(_row(page, "topic_menu")).to_contain_text(catalog.text(Prompt("topic_menu", "en")))
    assert page.evaluate("document.getElementById('sim-audio').src").endswith(".wav")
    _playing(page, "intro")  # the greeting stopped; the next step plays from its start

    topic = catalog.topic_for_key("2")
    page.keyboard.press("2")  # the computer's keyboard works like the keypad
    first_part = topic.parts[0]
    expect(_row(page, first_part)).to_be_visible()
    _playing(page, first_part)
    heard = float(page.locator("#sim-running").inner_text())
    assert heard > 0


def test_press_0_on_a_holiday_gives_the_callback_information(built_app, built_live_server, page):
    catalog = services(built_app).catalog
    _open_simulator(built_app, built_live_server, page)
    _call(page, "2026-12-25", "10:00")  # Christmas Day
    _key(page, "1").click()
    expect(_row(page, "topic_menu")).to_be_visible()
    _key(page, "0").click()
    expect(_row(page, "closed")).to_contain_text(catalog.text(Prompt("closed", "en")))
    expect(_row(page, "callback")).to_contain_text(catalog.text(Prompt("callback", "en")))
    expect(page.locator("#sim-dial")).to_be_hidden()


def test_a_busy_transfer_gives_the_callback_information(built_app, built_live_server, page):
    catalog = services(built_app).catalog
    _open_simulator(built_app, built_live_server, page)
    _call(page, "2026-12-02", "10:00")  # a Wednesday: open
    _key(page, "1").click()
    expect(_row(page, "topic_menu")).to_be_visible()
    _key(page, "0").click()
    dialing = f"{label('sim.transfer')} 47 45 15 00"
    expect(page.locator("#sim-dial")).to_contain_text(dialing, timeout=30_000)
    page.get_by_role("button", name=label("sim_outcome.busy")).click()
    expect(_row(page, "transfer_failed")).to_contain_text(
        catalog.text(Prompt("transfer_failed", "en"))
    )
    expect(_row(page, "callback")).to_be_visible()


STAFF_PAGES = (
    "/staff/line",
    "/staff/prompts",
    "/staff/prompts?lang=en",
    "/staff/prompts/greeting/en",
    "/staff/languages",
    "/staff/languages/nb/work",
    "/staff/audit",
    "/staff/simulator",
    "/staff/statistics",
)


def _some_calls(db) -> None:
    """Events of today, so the dashboard has bars, masked cells and tables to check."""
    from ivr.models import CallEvent

    with db.session() as s:
        for i in range(7):
            s.add(CallEvent(node="incoming", event="language_menu"))
            s.add(CallEvent(node="language", event="menu", language="en" if i else "nb"))


def test_every_staff_page_passes_axe_wcag_2_1_aa(built_app, built_live_server, page):
    add_account(services(built_app).db, EMAIL, "admin", PASSWORD)
    _some_calls(services(built_app).db)
    page.goto(f"{built_live_server}/staff/sign-in")
    assert axe_violations(page) == [], "/staff/sign-in"
    _sign_in(page, built_live_server, "/staff/line")
    expect(page.get_by_role("heading", name=label("line.title"))).to_be_visible()
    found = {}
    for path in STAFF_PAGES:
        response = page.goto(f"{built_live_server}{path}")
        assert response.status == 200, path
        found[path] = axe_violations(page)
    assert found == {path: [] for path in STAFF_PAGES}


def test_simulator_and_statistics_fit_a_phone_screen(built_app, built_live_server, page):
    add_account(services(built_app).db, EMAIL, "editor", PASSWORD)
    page.set_viewport_size({"width": 320, "height": 640})
    _sign_in(page, built_live_server, "/staff/simulator")
    expect(page.get_by_role("heading", name=label("sim.title"))).to_be_visible()
    for path in ("/staff/simulator", "/staff/statistics"):
        page.goto(f"{built_live_server}{path}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 320, (path, wide)
