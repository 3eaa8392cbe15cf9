"""Signing in: passwords, limits on guessing, CSRF, session expiry, cookie flags, settings."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from staff_support import ADMIN, EDITOR, PASSWORD, TOKEN, Staff, flashed, says

from ivr import create_app
from ivr.admin import accounts as accounts_module
from ivr.admin.accounts import _delay, set_active
from ivr.config import ConfigError
from ivr.models import LineSwitch, StaffAccount, utcnow
from ivr.services import services

PAGES = ["/staff/", "/staff/line", "/staff/languages", "/staff/audit"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_sends_a_stranger_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response.location.startswith("/staff/sign-in?next=")


def test_a_stranger_cannot_close_the_line_even_with_a_valid_token(staff, db):
    response = staff.post("/staff/line/close", {"reason": "x"}, page="/staff/sign-in")
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).first() is None


@pytest.mark.parametrize(
    "path",
    [
        "/staff/sign-out",
        "/staff/line/close",
        "/staff/line/reopen",
        "/staff/line/closures",
        "/staff/line/closures/1/remove",
        "/staff/line/transfer",
        "/staff/line/languages",
        "/staff/languages/ro/reviewed",
    ],
)
def test_every_change_sends_a_stranger_to_sign_in_and_changes_nothing(staff, audit_actions, path):
    response = staff.post(path, {"reason": "x", "first_day": "2026-12-07"}, page="/staff/sign-in")
    assert response.status_code == 302 and response.location == "/staff/sign-in"
    assert audit_actions() == []


def test_right_password_signs_in_and_is_logged(staff, audit_actions):
    response = staff.sign_in(EDITOR, PASSWORD)
    assert response.status_code == 302 and response.location == "/staff/line"
    page = staff.client.get("/staff/line")
    assert page.status_code == 200 and "Eva Editor" in page.get_data(as_text=True)
    assert audit_actions() == [("Eva Editor <editor@kom.test>", "staff.sign_in", "")]


def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(staff):
    token = staff.token()
    data = {"csrf_token": token, "email": EDITOR, "password": PASSWORD}
    response = staff.client.post("/staff/sign-in?next=/staff/audit", data=data)
    assert response.location == "/staff/audit"
    staff.client.post("/staff/sign-out", data={"csrf_token": staff.token("/staff/line")})
    data["csrf_token"] = staff.token()
    response = staff.client.post("/staff/sign-in?next=https://evil.example/", data=data)
    assert response.location == "/staff/line"


def test_email_is_matched_without_case(staff):
    assert staff.sign_in(EDITOR.upper(), PASSWORD).status_code == 302


def test_password_is_stored_as_an_argon2id_hash(db, accounts):
    with db.session() as s:
        row = s.scalars(select(StaffAccount).where(StaffAccount.email == EDITOR)).one()
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash


@pytest.mark.parametrize(
    "email,password", [(EDITOR, "wrong password!"), ("nobody@kom.test", PASSWORD)]
)
def test_wrong_email_or_password_is_refused(staff, email, password):
    response = staff.sign_in(email, password)
    assert response.status_code == 401
    assert ("error", says("sign_in.wrong")) in flashed(response.get_data(as_text=True))
    assert staff.client.get("/staff/line").status_code == 302


def test_disabled_account_cannot_sign_in_and_its_session_ends(staff, db):
    staff.sign_in(EDITOR)
    set_active(db, EDITOR, False)
    assert staff.client.get("/staff/line").status_code == 302
    assert staff.sign_in(EDITOR).status_code == 401


def test_sign_out_ends_the_session(staff, audit_actions):
    staff.sign_in(EDITOR)
    response = staff.post("/staff/sign-out")
    assert response.status_code == 302
    assert staff.client.get("/staff/line").status_code == 302
    assert [a[1] for a in audit_actions()] == ["staff.sign_in", "staff.sign_out"]


def _replay(staff, cookie: str):
    """Put a copied session cookie back, as someone who kept a copy of it would."""
    staff.client.set_cookie("session", cookie, domain="localhost")


def _token_of(staff, page: str = "/staff/line") -> str:
    """The CSRF token stored in the current (signed) session cookie, as on its pages."""
    match = TOKEN.search(staff.client.get(page).get_data(as_text=True))
    assert match
    return match.group(1)


def test_a_copied_session_cookie_stops_working_after_sign_out(staff, db):
    staff.sign_in(EDITOR)
    token = _token_of(staff)
    cookie = staff.client.get_cookie("session").value
    staff.post("/staff/sign-out")
    _replay(staff, cookie)
    response = staff.client.get("/staff/line")
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    _replay(staff, cookie)
    response = staff.client.post("/staff/line/close", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).first() is None


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_new_password_or_disabling_ends_every_open_session(staff, app, db, change):
    staff.sign_in(EDITOR)
    token = _token_of(staff)
    runner = app.test_cli_runner()
    if change == "password":
        args = ["staff", "password", EDITOR, "--password", "another long passphrase"]
    else:
        args = ["staff", "disable", EDITOR]
    assert runner.invoke(args=args).exit_code == 0
    if change == "disable":
        assert runner.invoke(args=["staff", "enable", EDITOR]).exit_code == 0
    response = staff.client.post("/staff/line/close", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).first() is None


def test_signing_out_in_one_browser_ends_the_session_in_another(app, accounts):
    first, second = Staff(app.test_client()), Staff(app.test_client())
    first.sign_in(EDITOR)
    second.sign_in(EDITOR)
    first.post("/staff/sign-out")
    assert second.client.get("/staff/line").status_code == 302


def test_after_five_failures_the_account_waits_a_moment_here_only(staff):
    for _ in range(5):
        assert staff.sign_in(EDITOR, "wrong password!").status_code == 401
    response = staff.sign_in(EDITOR, PASSWORD)
    assert response.status_code == 429
    assert ("error", says("sign_in.limited")) in flashed(response.get_data(as_text=True))
    assert staff.sign_in(ADMIN, PASSWORD).status_code == 302, "other accounts are not slowed"
    with time_machine.travel(utcnow() + timedelta(seconds=2)):
        assert staff.sign_in(EDITOR, PASSWORD).status_code == 302, "slowed, never locked out"


def test_a_stranger_elsewhere_cannot_lock_staff_out(staff):
    elsewhere = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
    for _ in range(30):
        staff.sign_in(EDITOR, "wrong password!", **elsewhere)
    assert staff.sign_in(EDITOR, PASSWORD).status_code == 302


def test_many_accounts_guessed_from_one_address_slow_that_address_only(staff):
    for n in range(20):
        assert staff.sign_in(f"guess{n}@kom.test", "wrong password!").status_code == 401
    assert staff.sign_in(ADMIN, PASSWORD).status_code == 429
    elsewhere = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
    assert staff.sign_in(ADMIN, PASSWORD, **elsewhere).status_code == 302
    with time_machine.travel(utcnow() + timedelta(seconds=2)):
        assert staff.sign_in(ADMIN, PASSWORD).status_code == 302


def test_each_further_failure_doubles_the_wait_up_to_a_minute():
    assert [_delay(n, 5) for n in (0, 4, 5, 6, 7, 10, 30)] == [0, 0, 1, 2, 4, 32, 60]


def test_parallel_guesses_get_no_more_password_checks_than_allowed(db, accounts, monkeypatch):
    checks = []
    real_verify = accounts_module._verify
    monkeypatch.setattr(
        accounts_module, "_verify", lambda h, p: checks.append(1) or real_verify(h, p)
    )
    start = threading.Barrier(30)
    outcomes = []

    def guess() -> None:
        start.wait(10)
        outcomes.append(
            accounts_module.sign_in(db, EDITOR, "wrong password!", "10.0.0.1", (15, 5, 20))[0]
        )

    with time_machine.travel(utcnow(), tick=False):  # all thirty at the same instant
        threads = [threading.Thread(target=guess) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert len(checks) == 5
    assert sorted(o.value for o in outcomes) == ["limited"] * 25 + ["wrong"] * 5


def test_failed_sign_ins_and_the_slow_down_are_in_the_audit_log(staff, audit_actions):
    for _ in range(5):
        staff.sign_in(EDITOR, "wrong password!")
    staff.sign_in("nobody@example.org", "wrong password!")
    actions = [(actor, action) for actor, action, _ in audit_actions()]
    assert actions.count((EDITOR, "staff.sign_in_failed")) == 5
    assert actions.count((EDITOR, "staff.sign_in_slowed")) == 1
    assert ("(no such account)", "staff.sign_in_failed") in actions
    assert not any("nobody@example.org" in str(entry) for entry in audit_actions())


def test_sign_in_without_csrf_token_is_refused(staff):
    response = staff.client.post("/staff/sign-in", data={"email": EDITOR, "password": PASSWORD})
    assert response.status_code == 400
    assert staff.client.get("/staff/line").status_code == 302


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_closing_with_a_bad_csrf_token_is_refused(staff, db, token):
    staff.sign_in(EDITOR)
    response = staff.client.post("/staff/line/close", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 400
    assert ("error", says("err.csrf")) in flashed(response.get_data(as_text=True))
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).first() is None


def test_a_token_from_another_session_is_refused(client, accounts, app, db):
    other = Staff(app.test_client())
    other.sign_in(ADMIN)
    stolen = other.token("/staff/line")
    me = Staff(client)
    me.sign_in(EDITOR)
    response = client.post("/staff/line/close", data={"csrf_token": stolen, "reason": "x"})
    assert response.status_code == 400


def test_session_expires_after_eight_hours(staff, db):
    staff.sign_in(EDITOR)
    with time_machine.travel(utcnow() + timedelta(hours=7, minutes=59)):
        assert staff.client.get("/staff/line").status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=8, minutes=1)):
        response = staff.client.get("/staff/line")
        assert response.status_code == 302 and "/staff/sign-in" in response.location
        page = staff.client.get(response.location).get_data(as_text=True)
        assert ("error", says("session_expired")) in flashed(page)
    assert staff.client.get("/staff/line").status_code == 302, "signed out for good"


def test_an_expired_session_cannot_change_anything(staff, db):
    staff.sign_in(EDITOR)
    token = staff.token("/staff/line")
    with time_machine.travel(utcnow() + timedelta(hours=9)):
        response = staff.client.post(
            "/staff/line/close", data={"csrf_token": token, "reason": "late"}
        )
    assert response.status_code == 302 and "/staff/sign-in" in response.location
    with db.session() as s:
        assert s.scalars(select(LineSwitch)).first() is None


def test_session_cookie_is_secure_httponly_and_samesite_in_service(app_settings, accounts):
    app = create_app(app_settings)  # signed webhooks, not testing: production flags
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = Staff(app.test_client()).sign_in(EDITOR)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    services(app).db.engine.dispose()


def test_session_cookie_is_not_secure_for_local_development(app_settings):
    settings = {**app_settings, "TWILIO_AUTH_TOKEN": "", "ALLOW_UNSIGNED_WEBHOOKS": "1"}
    assert create_app(settings).config["SESSION_COOKIE_SECURE"] is False


def test_secret_key_is_required_when_webhooks_are_signed(app_settings):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({**app_settings, "SECRET_KEY": ""})


def test_short_secret_key_is_refused(app_settings):
    with pytest.raises(ConfigError, match="SECRET_KEY is too short"):
        create_app({**app_settings, "SECRET_KEY": "short"})


def test_development_gets_a_random_secret_key_with_a_warning(app_settings, caplog):
    settings = {
        **app_settings,
        "TWILIO_AUTH_TOKEN": "",
        "ALLOW_UNSIGNED_WEBHOOKS": "1",
        "SECRET_KEY": "",
    }
    with caplog.at_level(logging.WARNING, logger="ivr"):
        first, second = create_app(settings), create_app(settings)
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert "SECRET_KEY is not set" in caplog.text


def test_staff_pages_are_not_cached_or_framed(staff):
    staff.sign_in(EDITOR)
    response = staff.client.get("/staff/line")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_interface_switches_between_norwegian_and_english(staff):
    staff.sign_in(EDITOR)
    page = staff.client.get("/staff/line").get_data(as_text=True)
    assert '<html lang="nb">' in page and f"<h1>{says('line.title')}</h1>" in page
    response = staff.client.get("/staff/ui/en?next=/staff/line")
    assert response.location == "/staff/line"
    page = staff.client.get("/staff/line").get_data(as_text=True)
    assert '<html lang="en">' in page and f"<h1>{says('line.title', 'en')}</h1>" in page
    assert says("line.title") not in page
    assert staff.client.get("/staff/ui/en?next=//evil.example").location == "/staff/line"
