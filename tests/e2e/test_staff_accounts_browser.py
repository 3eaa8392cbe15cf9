"""Staff accounts in Chromium: an admin adds an account and copies its set-password link, the
new person chooses a password in their own browser and signs in; disabling the account ends
their session and their sign-in. The accounts and set-password pages pass axe-core (WCAG 2.1
AA); the accounts page and the all-languages prompt grid fit 375 and 320 px without sideways
scrolling, not even inside a region of their own.

Same browser and fixtures as test_staff_pages_browser.py; elements are found by id and role.
"""

from __future__ import annotations

import pytest
from test_staff_browser import (  # noqa: F401  (fixtures, used by name)
    browser_page,
    built_live_server,
    sync_api,
)
from test_staff_pages_browser import coordinator  # noqa: F401

from tests.e2e.axe_check import axe_violations

pytestmark = pytest.mark.browser
expect = sync_api.expect if sync_api else None
CHOSEN = "a long passphrase of my own"


def _add_account(page, base: str, email: str = "nora@kom.test") -> str:
    """Fill in the add form as an admin; return the link the page shows."""
    page.goto(f"{base}/staff/accounts")
    page.locator("#account-name").fill("Nora Ny")
    page.locator("#account-email").fill(email)
    page.locator("#account-role").select_option("editor")
    page.locator("#account-add button[type=submit]").click()
    link = page.locator("#link-url")
    expect(link).to_be_in_viewport()  # the page opens where the link is, on a phone too
    return link.input_value()


def _other_browser(page):
    """A second browser (own cookies) for the new person; dialogs are accepted."""
    context = page.context.browser.new_context()
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.on("dialog", lambda dialog: dialog.accept())
    return other


def _sign_in_as(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/staff/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def test_admin_adds_an_account_the_person_sets_a_password_signs_in_and_disabling_ends_it(
    coordinator,  # noqa: F811
):
    page, base = coordinator
    link = _add_account(page, base)
    assert link.startswith(base + "/staff/set-password/")
    page.locator("#copy-link").click()
    expect(page.locator("#copy-status")).not_to_be_empty()

    person = _other_browser(page)
    person.goto(link)
    person.locator("#new-password").fill(CHOSEN)
    person.locator("#password-again").fill(CHOSEN)
    person.locator("#password-form button[type=submit]").click()
    person.wait_for_url(lambda url: "/staff/sign-in" in url, timeout=30_000)
    expect(person.locator("#email")).to_have_value("nora@kom.test")
    person.locator("#password").fill(CHOSEN)
    person.locator("form button[type=submit]").click()
    person.wait_for_url(lambda url: "/sign-in" not in url, timeout=30_000)
    expect(person.locator("nav a[href='/staff/line']")).to_be_visible()
    expect(person.locator("nav a[href='/staff/accounts']")).to_have_count(0)  # an editor

    person.goto(link)  # used: the link works once
    expect(person.locator("#link-broken")).to_be_visible()

    page.goto(f"{base}/staff/accounts")
    row = page.locator("tr[data-email='nora@kom.test']")
    row.locator("button.disable").click()
    expect(page.locator("tr[data-email='nora@kom.test']")).to_have_attribute(
        "data-state", "disabled"
    )
    person.goto(f"{base}/staff/line")
    expect(person.locator("#email")).to_be_visible()  # signed out: the sign-in form
    _sign_in_as(person, base, "nora@kom.test", CHOSEN)
    assert "/staff/sign-in" in person.url
    expect(person.locator(".message.error")).to_be_visible()
    person.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_accounts_pages_pass_axe_core_wcag_21_aa(coordinator, width):  # noqa: F811
    page, base = coordinator
    page.set_viewport_size({"width": width, "height": 800})
    link = _add_account(page, base)
    assert axe_violations(page) == [], "accounts"
    person = _other_browser(page)
    person.set_viewport_size({"width": width, "height": 800})
    for state in ("form", "refused", "broken"):
        if state == "form":
            person.goto(link)
        elif state == "refused":
            person.locator("#new-password").fill("short")
            person.locator("#password-again").fill("short")
            person.locator("#password-form button[type=submit]").click()
            expect(person.locator("#password-form-error")).to_be_visible()
        else:
            person.goto(f"{base}/staff/set-password/not-a-link")
        assert axe_violations(person) == [], state
    person.context.close()


@pytest.mark.parametrize("width", [375, 320])
def test_on_a_phone_the_accounts_page_and_the_prompt_grid_do_not_scroll_sideways(
    coordinator,  # noqa: F811
    width,
):
    page, base = coordinator
    page.set_viewport_size({"width": width, "height": 640})
    _add_account(page, base)
    for path in ("/staff/accounts", "/staff/prompts"):
        if path != "/staff/accounts":
            page.goto(f"{base}{path}")
        sizes = page.evaluate(
            """() => [document.documentElement, ...document.querySelectorAll('.scroll, table')]
                .map(e => [e.scrollWidth, e.clientWidth])"""
        )
        assert sizes[0] == [width, width], (path, sizes[0])
        wide = [s for s in sizes[1:] if s[0] > s[1]]
        assert not wide, (path, wide)
    cell = page.locator("td.cell").first
    expect(cell.locator(".lang-label")).to_be_visible()  # stacked: each cell names its language
    page.goto(f"{base}/staff/accounts")
    for button in page.locator("tr[data-email='nora@kom.test'] button").all():
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    page.locator("tr[data-email='nora@kom.test'] button.reset").click()
    expect(page.locator("#link-url")).to_be_in_viewport()
