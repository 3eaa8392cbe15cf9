"""The staff pages as a coordinator meets them in Chromium (issue 12): a refused change says why
next to the form, in view, with what was typed kept; new words reach callers only with their
text; the worklist shows what changed in English; phones get every button without sideways
scrolling; axe-core finds no WCAG 2.1 AA violation.

Same browser and fixtures as test_staff_browser.py (Debian's /usr/bin/chromium, Playwright).
"""

from __future__ import annotations

import io

import pytest
from pydub.generators import Sine
from sqlalchemy import select
from test_staff_browser import (  # noqa: F401  (fixtures, used by name)
    EMAIL,
    PASSWORD,
    _played,
    _sign_in,
    browser_page,
    built_live_server,
    sync_api,
)

from ivr.admin.accounts import add_account
from ivr.models import Recording, TextVersion
from ivr.services import services
from ivr.texts import publish_version, save_version
from tests.e2e.axe_check import axe_violations
from tests.staff.staff_support import label

expect = sync_api.expect if sync_api else None
NEW_GREETING = "Hello. You have reached the KOM information line."
NEW_GOODBYE = "Thank you for calling KOM. Take care, and goodbye."


@pytest.fixture
def coordinator(built_app, built_live_server, browser_page):  # noqa: F811
    """An admin (transfer numbers are admins-only) signed in on the built app.

    Gives (page, base URL)."""
    add_account(services(built_app).db, EMAIL, "admin", PASSWORD, name="Kari Koordinator")
    _sign_in(browser_page, built_live_server, "/staff/line")
    expect(browser_page.get_by_role("heading", name=label("line.title"))).to_be_visible(
        timeout=15_000
    )
    return browser_page, built_live_server


def test_refused_closure_and_transfer_number_say_why_next_to_the_form_and_keep_what_was_typed(
    coordinator, built_app
):
    page, base = coordinator
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/staff/line")
    first_day, last_day = (
        page.get_by_label(label("closure.first_day")),
        page.get_by_label(label("closure.last_day")),
    )
    first_day.fill("2026-12-07")
    last_day.fill("2026-12-06")
    page.get_by_label(label("line.reason")).nth(1).fill("Julebord")
    page.get_by_role("button", name=label("closure.add")).click()
    error = page.locator("#closure-form-error")
    expect(error).to_have_text(label("err.span"))
    expect(error).to_be_in_viewport()
    expect(first_day).to_have_value("2026-12-07")
    expect(last_day).to_have_value("2026-12-06")
    expect(page.get_by_label(label("line.reason")).nth(1)).to_have_value("Julebord")
    expect(last_day).to_have_attribute("aria-invalid", "true")

    numbers = page.get_by_label(label("transfer.numbers"))
    numbers.fill("4745 150")
    page.get_by_role("button", name=label("save"), exact=True).first.click()
    error = page.locator("#transfer-form-error")
    expect(error).to_have_text(label("err.numbers"))
    expect(error).to_be_in_viewport()
    expect(numbers).to_have_value("4745 150")
    expect(numbers).to_be_focused()
    assert _dialled_numbers(built_app) == [built_app.config["KOM_PHONE_NUMBER"]]


def _dialled_numbers(app) -> list[str]:
    """The numbers a caller pressing 0 is put through to (the saved setting or the default)."""
    return list(services(app).line.settings().transfer_numbers)


def _newest(app, prompt_id: str) -> Recording:
    return services(app).recordings.history(prompt_id, "en")[0]


def _post_from_page(page, action: str) -> None:
    """Send a POST with the page's CSRF token, as a hand-made form would (no button offers it)."""
    page.evaluate(
        """action => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        const token = document.querySelector("input[name=csrf_token]").cloneNode();
        form.appendChild(token);
        document.body.appendChild(form);
        form.submit();
    }""",
        action,
    )
    page.wait_for_load_state()


def test_a_text_draft_reaches_callers_only_by_publishing_text_and_audio_together(
    coordinator, built_app
):
    page, base = coordinator
    old = services(built_app).recordings.manifest()[("greeting", "en")]
    page.goto(f"{base}/staff/prompts/greeting/en")
    text_field = page.get_by_label(f"{label('prompt.text')} (greeting, en)")
    text_field.fill(NEW_GREETING)
    page.get_by_role("button", name=label("prompt.save_text")).click()
    expect(page.locator("p.message.info")).to_have_text(label("text.saved"))
    # The saved draft is what the field shows, not lost.
    expect(text_field).to_have_value(NEW_GREETING)
    tts = _newest(built_app, "greeting")
    card = page.locator(f"#recording-{tts.id}")
    expect(card).to_contain_text(label("prompt.other_words"))
    expect(card.get_by_role("button", name=label("prompt.publish"))).to_have_count(0)

    # Even sent by hand, the audio alone is refused: callers keep hearing the published words.
    _post_from_page(page, f"/staff/recordings/{tts.id}/publish")
    expect(page.locator("p.message.error")).to_have_text(label("err.other_words"))
    assert f"/audio/{old}.wav" in _played(built_app)
    assert f"/audio/{tts.hash}.wav" not in _played(built_app)

    with services(built_app).db.session() as s:
        version = s.scalars(select(TextVersion)).one()
    publish = page.locator(f"#text-{version.id}").get_by_role(
        "button", name=label("prompt.text_publish")
    )
    publish.click()
    expect(page.locator("p.message.info")).to_have_text(label("text.published"))
    expect(page.locator("#text-now")).to_have_text(NEW_GREETING)
    assert f"/audio/{tts.hash}.wav" in _played(built_app)


def test_the_worklist_lists_a_prompt_whose_english_changed(coordinator, built_app):
    page, base = coordinator
    db, catalog = services(built_app).db, services(built_app).catalog
    before = catalog.file_text("en", "goodbye")
    publish_version(db, save_version(db, catalog, "goodbye", "en", NEW_GOODBYE, "kari"), "kari")
    services(built_app).texts.refresh()

    page.goto(f"{base}/staff/languages")
    row = page.locator("#lang-nb")
    expect(row).to_contain_text(f"1 {label('work.outdated')}")
    row.get_by_role("link", name=label("languages.work")).click()
    expect(page.get_by_role("heading", name=f"{label('work.title')}: Norsk")).to_be_visible()
    item = page.locator("#outdated-goodbye")
    expect(item).to_contain_text(label("seg.goodbye"))
    expect(item.locator("blockquote[lang=en]").nth(0)).to_have_text(before)
    expect(item.locator("blockquote[lang=en]").nth(1)).to_have_text(NEW_GOODBYE)
    expect(item.locator("blockquote[lang=nb]")).to_have_text(
        catalog.languages["nb"].texts["goodbye"]
    )
    item.get_by_role("link", name=label("work.update")).click()
    expect(page).to_have_url(f"{base}/staff/prompts/goodbye/nb#edit")
    expect(page.get_by_label(f"{label('prompt.text')} (goodbye, nb)")).to_be_in_viewport()


PHONE_PAGES = (
    "/staff/line",
    "/staff/prompts?lang=en",
    "/staff/prompts/greeting/en",
    "/staff/languages",
    "/staff/languages/nb/work",
    "/staff/audit",
)


@pytest.mark.parametrize("width", [375, 320])
def test_on_a_phone_nothing_scrolls_sideways_and_publish_and_restore_are_in_view(
    coordinator, built_app, width
):
    page, base = coordinator
    lib = services(built_app).recordings
    first = lib.manifest()[("greeting", "en")]
    upload = lib.import_recording("greeting", "en", _tone(330), "Kari", original_name="opptak.wav")
    draft = lib.import_recording("greeting", "en", _tone(440), "Kari", draft=True)
    page.set_viewport_size({"width": width, "height": 640})
    for path in PHONE_PAGES:
        page.goto(f"{base}{path}")
        wide = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert wide[0] == wide[1] == width, (path, wide)
    header = page.locator("header").bounding_box()
    assert header["height"] <= 130, header
    page.goto(f"{base}/staff/prompts/greeting/en")
    old_id = next(r.id for r in lib.history("greeting", "en") if r.hash == first)
    version = label("prompt.version")
    buttons = [
        page.get_by_role("button", name=f"{label('prompt.publish')}: {version} {draft.id}"),
        page.get_by_role("button", name=f"{label('prompt.restore')}: {version} {old_id}"),
    ]
    for button in buttons:
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    expect(page.locator(f"#recording-{upload.id}")).to_contain_text("opptak.wav")


def _tone(freq: int) -> bytes:
    """Two seconds of a tone, as a WAV file."""
    buffer = io.BytesIO()
    Sine(freq).to_audio_segment(duration=2000, volume=-10).export(buffer, "wav")
    return buffer.getvalue()


# At desktop width, test_simulator_browser.py's axe test checks every staff page.
@pytest.mark.parametrize("width", [320])
def test_the_staff_pages_pass_axe_core_wcag_21_aa(coordinator, built_app, width):
    page, base = coordinator
    page.set_viewport_size({"width": width, "height": 800})
    for path in (*PHONE_PAGES, "/staff/prompts"):
        page.goto(f"{base}{path}")
        assert axe_violations(page) == [], path
    page.get_by_role("button", name=label("sign_out")).click()
    expect(page.get_by_role("heading", name=label("sign_in"))).to_be_visible()
    assert axe_violations(page) == [], "sign-in"
