"""Staff accounts from the browser: an admin adds, disables, enables and resets accounts; a
person chooses their password through a one-time link (random, stored as a hash, expires,
works once, ended by a newer link); everything in the audit log, in the reader's language."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from staff_support import ADMIN, BEFORE_DECEMBER, EDITOR, PASSWORD, REVIEWER, Staff, says

from ivr import audit
from ivr.admin import account_changes
from ivr.models import PasswordLink, StaffAccount, utcnow

LINK = re.compile(r'id="link-url"[^>]*value="([^"]+)"')
NEW_PASSWORD = "a long new passphrase"


def _link(response) -> str:
    """The set-password link shown on the page (its path)."""
    match = LINK.search(response.get_data(as_text=True))
    assert match, "no link shown"
    return re.sub(r"^https?://[^/]+", "", match.group(1))


def _account_id(db, email: str) -> int:
    with db.session() as s:
        return s.scalars(select(StaffAccount.id).where(StaffAccount.email == email)).one()


def _add(staff: Staff, email: str = "new@kom.test", role: str = "editor", name: str = "Nora"):
    return staff.post(
        "/staff/accounts", {"name": name, "email": email, "role": role}, page="/staff/accounts"
    )


def _choose(client, link: str, password: str = NEW_PASSWORD, again: str | None = None):
    """Open the link in a browser that is not signed in and choose a password."""
    person = Staff(client)
    return client.post(
        link,
        data={"csrf_token": person.token(link), "password": password, "again": again or password},
    )


@pytest.fixture
def admin(staff):
    staff.sign_in(ADMIN)
    return staff


def test_admin_adds_an_account_and_its_person_chooses_a_password_and_signs_in(
    app, admin, db, audit_facts
):
    response = _add(admin, "New@KOM.test")
    assert response.status_code == 200
    link = _link(response)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 40
    with db.session() as s:
        stored = s.scalars(select(PasswordLink)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(stored.__dict__)
    assert stored.expires_at - stored.created_at == timedelta(hours=24)
    assert Staff(app.test_client()).sign_in("new@kom.test", "").status_code == 400
    chosen = _choose(app.test_client(), link)
    assert chosen.status_code == 302 and "/staff/sign-in" in chosen.headers["Location"]
    person = Staff(app.test_client())
    assert person.sign_in("new@kom.test", NEW_PASSWORD).status_code == 302
    assert person.client.get("/staff/accounts").status_code == 403  # an editor
    assert [(a, f) for a, f, _ in audit_facts() if a.startswith("staff.") and "email" in f] == [
        ("staff.add", {"email": "new@kom.test", "role": "editor"}),
        ("staff.password_set", {"email": "new@kom.test"}),
    ]


def test_an_account_is_added_with_its_link_and_audit_entry_or_not_at_all(
    admin, db, audit_facts, monkeypatch
):
    def fails(*args, **kwargs):
        raise RuntimeError("the database went away while the link was written")

    with monkeypatch.context() as patch:
        patch.setattr(account_changes, "give_link", fails)
        with pytest.raises(RuntimeError):
            _add(admin)
    with db.session() as s:
        assert (
            s.scalars(select(StaffAccount).where(StaffAccount.email == "new@kom.test")).all() == []
        )
    assert not [a for a, _, _ in audit_facts() if a == "staff.add"]
    again = _add(admin)  # the admin tries again: no "already has an account"
    assert again.status_code == 200 and _link(again)


def test_a_password_chosen_on_the_command_line_ends_an_open_link(app, admin, db):
    link = _link(
        admin.post(f"/staff/accounts/{_account_id(db, EDITOR)}/reset", page="/staff/accounts")
    )
    result = app.test_cli_runner().invoke(
        args=["staff", "password", EDITOR, "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert _choose_broken(app.test_client(), link).status_code == 410
    stranger = Staff(app.test_client())
    form = {"csrf_token": stranger.token(), "password": "someone else's", "again": "someone else's"}
    assert stranger.client.post(link, data=form).status_code == 410
    assert Staff(app.test_client()).sign_in(EDITOR, NEW_PASSWORD).status_code == 302


def test_a_password_too_long_to_choose_says_so(app, admin):
    link = _link(_add(admin))
    response = _choose(app.test_client(), link, "x" * 1001)
    assert response.status_code == 400
    assert says("err.password_long", max=1000) in response.get_data(as_text=True)
    assert _choose(app.test_client(), link, "x" * 1000).status_code == 302


def test_an_account_without_a_chosen_password_cannot_sign_in(app, admin):
    _add(admin)
    for guess in ("!none", "not a real password", NEW_PASSWORD):
        assert Staff(app.test_client()).sign_in("new@kom.test", guess).status_code == 401


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_only_admins_reach_the_accounts_page(app, db, accounts, role):
    person = Staff(app.test_client())
    person.sign_in(EDITOR if role == "editor" else REVIEWER)
    assert person.client.get("/staff/accounts").status_code == 403
    token = person.token("/staff/line")
    data = {"csrf_token": token, "name": "X", "email": "x@kom.test", "role": "admin"}
    assert person.client.post("/staff/accounts", data=data).status_code == 403
    target = _account_id(db, ADMIN)
    for change in ("disable", "enable", "reset"):
        url = f"/staff/accounts/{target}/{change}"
        assert person.client.post(url, data={"csrf_token": token}).status_code == 403
    assert 'href="/staff/accounts"' not in person.client.get("/staff/line").get_data(as_text=True)


def test_the_menu_shows_accounts_to_admins(admin):
    assert 'href="/staff/accounts"' in admin.client.get("/staff/line").get_data(as_text=True)


def test_a_link_works_once(app, admin):
    link = _link(_add(admin))
    assert _choose(app.test_client(), link).status_code == 302
    again = _choose_broken(app.test_client(), link)
    assert again.status_code == 410
    assert says("err.link_used") in again.get_data(as_text=True)
    assert Staff(app.test_client()).sign_in("new@kom.test", NEW_PASSWORD).status_code == 302


def _choose_broken(client, link: str):
    """A link that no longer works shows no form: the page says why (with a CSRF-free GET)."""
    return client.get(link)


def test_a_link_expires_after_24_hours(app, admin):
    link = _link(_add(admin))
    with time_machine.travel(utcnow() + timedelta(hours=24, seconds=1)):
        response = app.test_client().get(link)
        assert response.status_code == 410
        assert says("err.link_expired") in response.get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(hours=23)):
        assert _choose(app.test_client(), link).status_code == 302


def test_a_newer_link_ends_the_older_one(app, admin, db):
    first = _link(_add(admin))
    account = _account_id(db, "new@kom.test")
    reset = admin.post(f"/staff/accounts/{account}/reset", page="/staff/accounts")
    second = _link(reset)
    assert second != first
    response = app.test_client().get(first)
    assert response.status_code == 410
    assert says("err.link_replaced") in response.get_data(as_text=True)
    assert _choose(app.test_client(), second).status_code == 302


def test_an_unknown_link_says_it_does_not_work(client, accounts):
    response = client.get("/staff/set-password/" + "x" * 43)
    assert response.status_code == 410
    assert 'id="link-broken"' in response.get_data(as_text=True)


def test_a_short_or_mistyped_password_is_refused_and_the_link_still_works(app, admin):
    link = _link(_add(admin))
    short = _choose(app.test_client(), link, "too short")
    assert short.status_code == 400
    assert says("err.password_short", min=12) in short.get_data(as_text=True)
    assert 'aria-invalid="true"' in short.get_data(as_text=True)
    mismatch = _choose(app.test_client(), link, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert mismatch.status_code == 400
    assert says("err.password_again") in mismatch.get_data(as_text=True)
    assert _choose(app.test_client(), link).status_code == 302


def test_the_set_password_form_needs_its_csrf_token(app, admin):
    link = _link(_add(admin))
    data = {"password": NEW_PASSWORD, "again": NEW_PASSWORD}
    assert app.test_client().post(link, data=data).status_code == 400
    assert _choose(app.test_client(), link).status_code == 302


def test_disabling_ends_sign_in_and_open_sessions_and_enabling_restores_sign_in(
    app, admin, db, audit_facts
):
    editor = Staff(app.test_client())
    editor.sign_in(EDITOR)
    assert editor.client.get("/staff/line").status_code == 200
    account = _account_id(db, EDITOR)
    response = admin.post(f"/staff/accounts/{account}/disable", page="/staff/accounts")
    assert response.status_code == 302
    assert editor.client.get("/staff/line").status_code == 302  # signed out
    assert Staff(app.test_client()).sign_in(EDITOR).status_code == 401
    page = admin.client.get("/staff/accounts").get_data(as_text=True)
    assert re.search(rf'id="account-{account}"[^>]*data-state="disabled"', page)
    admin.post(f"/staff/accounts/{account}/enable", page="/staff/accounts")
    assert Staff(app.test_client()).sign_in(EDITOR).status_code == 302
    assert [a for a, _, _ in audit_facts() if a in ("staff.disable", "staff.enable")] == [
        "staff.disable",
        "staff.enable",
    ]


def test_disabling_ends_the_accounts_open_link(app, admin, db):
    link = _link(_add(admin))
    admin.post(f"/staff/accounts/{_account_id(db, 'new@kom.test')}/disable", page="/staff/accounts")
    assert app.test_client().get(link).status_code == 410


def test_an_admin_cannot_disable_or_reset_themselves(admin, db):
    me = _account_id(db, ADMIN)
    for change, key in (("disable", "err.disable_self"), ("reset", "err.reset_self")):
        response = admin.post(f"/staff/accounts/{me}/{change}", page="/staff/accounts")
        assert response.status_code == 409
        assert says(key) in response.get_data(as_text=True)
    assert admin.client.get("/staff/accounts").status_code == 200  # still signed in, still admin


def test_the_last_admin_who_can_sign_in_cannot_be_disabled(app, admin, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "disable", ADMIN])
    assert result.exit_code != 0 and "last admin who can sign in" in result.output
    link = _link(_add(admin, "second@kom.test", role="admin"))
    result = runner.invoke(args=["staff", "disable", ADMIN])  # the new admin has no password
    assert result.exit_code != 0 and "last admin who can sign in" in result.output
    assert _choose(app.test_client(), link).status_code == 302
    assert runner.invoke(args=["staff", "disable", ADMIN]).exit_code == 0


def test_reset_ends_the_old_password_and_sessions_at_once(app, admin, db):
    editor = Staff(app.test_client())
    editor.sign_in(EDITOR)
    response = admin.post(
        f"/staff/accounts/{_account_id(db, EDITOR)}/reset", page="/staff/accounts"
    )
    assert response.status_code == 200
    link = _link(response)
    assert editor.client.get("/staff/line").status_code == 302
    assert Staff(app.test_client()).sign_in(EDITOR, PASSWORD).status_code == 401
    assert _choose(app.test_client(), link).status_code == 302
    assert Staff(app.test_client()).sign_in(EDITOR, NEW_PASSWORD).status_code == 302


def test_a_refused_new_account_keeps_what_was_typed_next_to_the_form(admin):
    response = _add(admin, email=EDITOR, name="Eva Again")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="account-form-error"' in page and says("err.account_exists") in page
    assert 'value="Eva Again"' in page and 'id="link-url"' not in page
    bad = _add(admin, email="not an address")
    assert bad.status_code == 400 and says("err.email") in bad.get_data(as_text=True)
    assert _add(admin, role="boss").status_code == 400


def _audit_row(page: str, action: str) -> str:
    match = re.search(rf'<tr data-action="{re.escape(action)}">(.*?)</tr>', page, re.S)
    assert match, f"no {action} in the audit log"
    return match.group(1)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_account_changes_are_in_the_audit_log_in_the_readers_language(admin, db, lang):
    _add(admin, role="reviewer")
    admin.post(f"/staff/accounts/{_account_id(db, 'new@kom.test')}/disable", page="/staff/accounts")
    admin.client.get(f"/staff/ui/{lang}")
    page = admin.client.get("/staff/audit").get_data(as_text=True)
    added = _audit_row(page, "staff.add")
    role = says("role.reviewer", lang)
    assert says("action.staff.add", lang) in added
    assert says("audit.detail.staff.add", lang, email="new@kom.test", role=role) in added
    assert says("action.staff.disable", lang) in _audit_row(page, "staff.disable")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_audit_details_are_said_in_the_readers_language(staff, db, lang):
    with time_machine.travel(BEFORE_DECEMBER, tick=True):  # the closure is still to come
        staff.sign_in(ADMIN)
        staff.post("/staff/line/transfer", {"numbers": "+4791234567", "timeout": "40"})
        staff.post("/staff/line/closures", {"first_day": "2026-12-30", "reason": "Staff day"})
        staff.post("/staff/line/languages", {"enabled": ["en", "nb"]})
        audit.record(db, "someone", "text.publish", "en greeting: version 7 is live")  # old row
        staff.client.get(f"/staff/ui/{lang}")
        page = staff.client.get("/staff/audit").get_data(as_text=True)
    transfer = _audit_row(page, "line.transfer")
    assert (
        says(
            "audit.detail.line.transfer",
            lang,
            old_numbers="+4747451500",
            numbers="+4791234567",
            old_ring=25,
            ring=40,
        )
        in transfer
    )
    closure = re.search(r'class="detail">([^<]*)<', _audit_row(page, "closure.add")).group(1)
    assert closure.endswith(": Staff day") and "30.12.2026" in closure  # a whole day: no times
    assert "Oslo" not in closure and "00:00" not in closure
    languages = _audit_row(page, "line.languages")
    assert says("audit.no", lang) in languages and "Română" in languages
    assert "en greeting: version 7 is live" in _audit_row(page, "text.publish")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_audit_log_says_a_closure_as_the_line_page_does(staff, lang):
    with time_machine.travel(BEFORE_DECEMBER, tick=True):
        staff.sign_in(ADMIN)
        staff.client.get(f"/staff/ui/{lang}")
        closure = {"first_day": "2026-12-30", "from_time": "14:00", "reason": "Afternoon"}
        staff.post("/staff/line/closures", closure)
        line = staff.client.get("/staff/line").get_data(as_text=True)
        page = staff.client.get("/staff/audit").get_data(as_text=True)
    listed = re.search(r'<ul class="closures">\s*<li>\s*<span>([^<]*)</span>', line).group(1)
    assert listed.endswith(": Afternoon") and "14:00–24:00" in listed
    logged = re.search(r'class="detail">([^<]*)<', _audit_row(page, "closure.add")).group(1)
    assert logged == listed


def test_failed_sign_ins_are_said_in_the_readers_language(app, admin):
    Staff(app.test_client()).sign_in(EDITOR, "wrong password!")
    admin.client.get("/staff/ui/en")
    row = _audit_row(
        admin.client.get("/staff/audit").get_data(as_text=True), "staff.sign_in_failed"
    )
    assert says("action.staff.sign_in_failed", "en") in row
    assert "action.staff" not in row and "from 127.0.0.1" in row


def test_the_command_line_and_unknown_e_mails_are_named_in_the_readers_language(app, admin):
    Staff(app.test_client()).sign_in("nobody@kom.test", "wrong password!")
    app.test_cli_runner().invoke(args=["staff", "enable", EDITOR])
    page = admin.client.get("/staff/audit").get_data(as_text=True)
    assert says("audit.actor.unknown") in _audit_row(page, "staff.sign_in_failed")
    assert says("audit.actor.cli") in _audit_row(page, "staff.enable")
    assert "(no such account)" not in page and "nobody@kom.test" not in page


def test_a_wrong_password_says_tries_slow_down_and_whom_to_ask(staff):
    response = staff.sign_in(EDITOR, "wrong password!")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert says("sign_in.wrong") in page and says("sign_in.contact") in page
