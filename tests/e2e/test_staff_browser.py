"""End to end in Chromium: a coordinator closes the line and a caller gets the callback
information; they reopen it and the next caller is put through. Another uploads a recording,
listens to it, publishes it, a caller hears it; they restore the old version and callers hear
that again.

Needs Debian's Chromium at /usr/bin/chromium and Playwright (`scripts/install-browser.sh`).
Run only these with `pytest -m browser`, or leave them out with `pytest -m "not browser"`.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from werkzeug.serving import make_server

from ivr.admin.accounts import add_account
from ivr.hours import OSLO
from ivr.services import services
from tests.e2e.conftest import fresh_page
from tests.staff.staff_support import decimal, label

CHROMIUM = Path("/usr/bin/chromium")
# CI sets REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not REQUIRED,
        reason="Chromium is not at /usr/bin/chromium: run scripts/install-browser.sh",
    ),
]
if REQUIRED:
    from playwright import sync_api
else:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[browser]'"
    )

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL, PASSWORD = "coordinator@kom.test", "correct horse battery"
WEDNESDAY_10 = datetime(2026, 12, 2, 10, 0, tzinfo=OSLO)  # open by the regular hours


def _serve(app):
    """Serve the app over HTTP on a free port of 127.0.0.1, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served over HTTP on a free port of 127.0.0.1, in a thread."""
    yield from _serve(app)


@pytest.fixture
def built_live_server(built_app):
    """The app with every English prompt built (eSpeak NG), served like live_server."""
    yield from _serve(built_app)


@pytest.fixture
def browser_page(chromium):
    """A page of its own in the session's Chromium."""
    context, page = fresh_page(chromium, 10_000)
    yield page
    context.close()


def _sign_in(page, base: str, path: str) -> None:
    """Sign in with the keyboard only: the e-mail field has focus, Tab, Enter."""
    page.goto(f"{base}{path}")
    sync_api.expect(page.get_by_role("heading", name=label("sign_in"))).to_be_visible()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Hashing the password (argon2id) and the first page can take seconds on a busy machine.
    page.wait_for_url(lambda url: "/sign-in" not in url, timeout=30_000)
    page.wait_for_load_state()


def _press_0_on_wednesday_at_10(caller):
    """A signed call from Twilio: English, then 0 for a person."""
    with time_machine.travel(WEDNESDAY_10, tick=False):
        return caller().press("1").press("0")


def test_closing_and_reopening_the_line_in_the_browser_reaches_the_caller(
    app, live_server, browser_page, caller
):
    add_account(services(app).db, EMAIL, "editor", PASSWORD, name="Kari Koordinator")
    page = browser_page
    expect = sync_api.expect

    _sign_in(page, live_server, "/staff/line")
    expect(page.get_by_role("heading", name=label("line.title"))).to_be_visible()

    # Close the line with a reason.
    page.get_by_label(label("line.reason")).first.fill("Personalmøte")
    page.get_by_role("button", name=label("line.close_now")).click()
    expect(page.locator("#line-state")).to_have_attribute("data-state", "closed")
    expect(page.get_by_text("Personalmøte")).to_be_visible()

    call = _press_0_on_wednesday_at_10(caller)
    assert call.heard_prompt("closed", "en") and call.heard_prompt("callback", "en")
    assert not call.dialed

    # Reopen: the next caller pressing 0 is put through.
    page.get_by_role("button", name=label("line.reopen")).click()
    expect(page.locator("p.message.info")).to_have_text(label("line.reopened"))
    expect(page.get_by_role("button", name=label("line.close_now"))).to_be_visible()

    call = _press_0_on_wednesday_at_10(caller)
    assert call.heard_prompt("transfer", "en")
    assert call.dialed and call.dialed[0]["numbers"] == [app.config["KOM_PHONE_NUMBER"]]

    # Both changes are in the audit log, with who made them; then in English.
    page.get_by_role("link", name=label("nav.audit")).click()
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("åpnet linjen igjen")
    expect(rows.nth(1)).to_contain_text("stengte linjen")
    expect(rows.nth(1)).to_contain_text("Kari Koordinator")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name=label("audit.title", "en"))).to_be_visible()


def _tone_wav(seconds: float = 2.0) -> bytes:
    """A small WAV file, as a coordinator's phone might have recorded it."""
    from tests.support import tone

    return tone(seconds, 330, volume=-10)


def _played(app) -> list[str]:
    """What a signed call from Twilio plays first (the greeting, among others)."""
    from tests.conftest import Call

    call = Call(app.test_client(), services(app).catalog).start()
    return [h.text for h in call.heard if h.verb == "Play"]


def _duration(page, selector: str) -> float:
    """Load an <audio> element in the page and give its duration as Chromium decoded it."""
    return page.eval_on_selector(
        selector,
        """audio => new Promise((resolve, reject) => {
        if (audio.readyState >= 1) { resolve(audio.duration); return; }
        audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
        audio.addEventListener("error", () => reject(new Error("cannot load " + audio.src)));
        audio.preload = "metadata";
        audio.load();
    })""",
    )


@pytest.mark.usefixtures("no_network")
def test_upload_listen_publish_and_restore_a_recording_reaches_the_caller(
    built_app, built_live_server, browser_page
):
    add_account(services(built_app).db, EMAIL, "editor", PASSWORD, name="Kari Koordinator")
    recordings = services(built_app).recordings
    old = recordings.manifest()[("greeting", "en")]
    assert f"/audio/{old}.wav" in _played(built_app)
    page = browser_page
    expect = sync_api.expect

    _sign_in(page, built_live_server, "/staff/prompts?lang=en")
    expect(page.get_by_role("heading", name=label("prompts.title"))).to_be_visible()
    page.locator("#cell-greeting-en a").click()
    expect(page.get_by_role("heading", name=f"{label('seg.greeting')} – English")).to_be_visible()
    assert _duration(page, "#player-now") > 0.5

    # Upload: it becomes a draft with its duration and a player; callers still hear the old one.
    page.get_by_label(label("prompt.file")).set_input_files(
        {"name": "opptak.wav", "mimeType": "audio/wav", "buffer": _tone_wav()}
    )
    page.get_by_role("button", name=label("prompt.send")).click()
    expect(page.locator("p.message.info")).to_be_visible()
    draft = recordings.history("greeting", "en")[0]
    saved = label(
        "upload.saved", duration=decimal(draft.duration), loudness=decimal(draft.loudness)
    )
    expect(page.locator("p.message.info")).to_have_text(saved)
    row = f"#recording-{draft.id}"
    expect(page.locator(row)).to_contain_text(label("prompt.draft"))
    assert 1.5 < _duration(page, f"{row} audio") < 3.5
    assert f"/audio/{old}.wav" in _played(built_app)

    # Publish: the next call plays the new file.
    publish = f"{label('prompt.publish')}: {label('prompt.version')} {draft.id}"
    page.locator(row).get_by_role("button", name=publish).click()
    expect(page.locator("p.message.info")).to_have_text(label("published"))
    assert f"/audio/{draft.hash}.wav" in _played(built_app)

    # Restore the old version: calls play the old file again.
    old_id = next(r.id for r in recordings.history("greeting", "en") if r.hash == old)
    page.locator(f"#recording-{old_id}").get_by_role("button").click()
    expect(page.locator("p.message.info")).to_have_text(label("restored"))
    played = _played(built_app)
    assert f"/audio/{old}.wav" in played and f"/audio/{draft.hash}.wav" not in played

    page.get_by_role("link", name=label("nav.audit")).click()
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("tok i bruk en tidligere lydversjon")
    expect(rows.nth(1)).to_contain_text("publiserte et opptak")
    expect(rows.nth(2)).to_contain_text("lastet opp et opptak")


@pytest.mark.usefixtures("no_network")
def test_recording_in_the_browser_uploads_a_draft(built_app, built_live_server, playwright):
    """record.js with Chromium's fake microphone (a beeping tone): the recording arrives as a
    draft of the prompt, processed like any upload; callers still hear the old file."""
    add_account(services(built_app).db, EMAIL, "editor", PASSWORD)
    recordings = services(built_app).recordings
    before = recordings.manifest()[("goodbye", "en")]
    if True:  # its own Chromium: a fake microphone
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        _sign_in(page, built_live_server, "/staff/prompts/goodbye/en")
        expect = sync_api.expect
        expect(page.get_by_role("button", name=label("prompt.record_start"))).to_be_visible()
        page.get_by_role("button", name=label("prompt.record_start")).click()
        expect(page.get_by_text(label("prompt.recording"))).to_be_visible()
        page.wait_for_timeout(2500)  # the fake microphone's tone, recorded for 2.5 s
        page.get_by_role("button", name=label("prompt.record_stop")).click()
        expect(page.locator("p.message.info")).to_be_visible()
        draft = recordings.history("goodbye", "en")[0]
        saved = label(
            "upload.saved", duration=decimal(draft.duration), loudness=decimal(draft.loudness)
        )
        expect(page.locator("p.message.info")).to_have_text(saved)
        browser.close()
    assert draft.source == "human" and draft.duration > 0.5
    assert recordings.manifest()[("goodbye", "en")] == before


def test_phone_width_pages_do_not_scroll_sideways_and_disabled_buttons_look_disabled(
    built_app, built_live_server, browser_page
):
    """At 320 px the hidden labels inside the scrolling tables stay inside them (the page
    itself never scrolls sideways); the disabled Stop button does not look like a live one;
    the players have names."""
    add_account(services(built_app).db, EMAIL, "editor", PASSWORD)
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    _sign_in(page, built_live_server, "/staff/prompts?lang=en")
    sync_api.expect(page.get_by_role("heading", name=label("prompts.title"))).to_be_visible()
    for path in (
        "/staff/prompts",
        "/staff/prompts?lang=en",
        "/staff/prompts/greeting/en",
        "/staff/line",
        "/staff/languages",
    ):
        page.goto(f"{built_live_server}{path}")
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 320, (path, wide)
    page.goto(f"{built_live_server}/staff/prompts/greeting/en")
    style = "b => getComputedStyle(b).backgroundColor + getComputedStyle(b).borderStyle"
    stop = page.locator("[data-record=stop]")
    start = page.locator("[data-record=start]")
    assert stop.is_disabled() and stop.evaluate(style) != start.evaluate(style)
    player = page.locator("#player-now").get_attribute("aria-label")
    assert player.startswith(f"{label('prompt.listen')}: {label('prompt.now')}")
