"""`ivr staff ...`: accounts are made, listed and switched off on the command line."""

from __future__ import annotations

from sqlalchemy import select
from staff_support import EDITOR, PASSWORD, Staff

from ivr import audit
from ivr.models import AuditEntry, StaffAccount


def test_staff_add_makes_an_account_that_can_sign_in(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "staff",
            "add",
            "New@KOM.test",
            "--role",
            "editor",
            "--password",
            PASSWORD,
            "--name",
            "New Person",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "account made: new@kom.test (editor)" in result.output
    assert Staff(app.test_client()).sign_in("new@kom.test").status_code == 302
    with db.session() as s:
        entry = s.scalars(select(AuditEntry)).first()
    assert (entry.actor, entry.action, audit.facts_of(entry)) == (
        "cli",
        "staff.add",
        {"email": "new@kom.test", "role": "editor"},
    )


def test_staff_add_prompts_for_the_password_twice(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["staff", "add", "p@kom.test", "--role", "reviewer"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with db.session() as s:
        assert s.scalars(select(StaffAccount)).one().role == "reviewer"


def test_staff_add_refuses_bad_role_short_password_and_duplicates(app):
    runner = app.test_cli_runner()
    add = ["staff", "add", "a@kom.test", "--password"]
    assert runner.invoke(args=[*add, PASSWORD, "--role", "boss"]).exit_code != 0
    short = runner.invoke(args=[*add, "short", "--role", "editor"])
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    assert runner.invoke(args=[*add, PASSWORD, "--role", "editor"]).exit_code == 0
    again = runner.invoke(args=[*add, PASSWORD, "--role", "admin"])
    assert again.exit_code != 0 and "already has an account" in again.output


def test_staff_list_and_disable(app, accounts):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["staff", "list"]).output
    assert "editor@kom.test\teditor\tactive" in listed
    assert runner.invoke(args=["staff", "disable", "editor@kom.test"]).exit_code == 0
    assert "editor@kom.test\teditor\tDISABLED" in runner.invoke(args=["staff", "list"]).output
    assert Staff(app.test_client()).sign_in("editor@kom.test").status_code == 401
    assert runner.invoke(args=["staff", "disable", "nobody@kom.test"]).exit_code != 0
    assert runner.invoke(args=["staff", "enable", "editor@kom.test"]).exit_code == 0
    assert Staff(app.test_client()).sign_in("editor@kom.test").status_code == 302


def test_staff_password_changes_the_password(app, accounts):
    runner = app.test_cli_runner()
    new = "a brand new passphrase"
    result = runner.invoke(args=["staff", "password", "editor@kom.test", "--password", new])
    assert result.exit_code == 0, result.output
    assert Staff(app.test_client()).sign_in("editor@kom.test", PASSWORD).status_code == 401
    assert Staff(app.test_client()).sign_in("editor@kom.test", new).status_code == 302


def test_closing_the_line_on_the_command_line_is_in_the_audit_log(app, audit_actions):
    runner = app.test_cli_runner()
    with app.app_context():  # the `hours` group does not push one itself
        assert runner.invoke(args=["hours", "close", "--reason", "Power cut"]).exit_code == 0
        assert runner.invoke(args=["hours", "regular"]).exit_code == 0
    assert audit_actions() == [("cli", "line.close", "Power cut"), ("cli", "line.reopen", "")]


def test_a_change_on_the_command_line_and_its_audit_entry_are_written_together(
    app, db, accounts, audit_actions, monkeypatch
):
    runner = app.test_cli_runner()

    def fails(*args, **kwargs):
        raise RuntimeError("the audit entry could not be made")

    with monkeypatch.context() as patch:
        patch.setattr(audit, "entry", fails)
        assert runner.invoke(args=["staff", "disable", EDITOR]).exit_code != 0
    assert audit_actions() == []
    assert Staff(app.test_client()).sign_in(EDITOR).status_code == 302  # still active
    assert runner.invoke(args=["staff", "disable", EDITOR.upper()]).exit_code == 0
    assert runner.invoke(args=["staff", "enable", EDITOR]).exit_code == 0
    changed = runner.invoke(args=["staff", "password", EDITOR, "--password", "x" * 12])
    assert changed.exit_code == 0
    with db.session() as s:
        done = [
            (e.action, audit.facts_of(e))
            for e in s.scalars(select(AuditEntry).where(AuditEntry.actor == "cli"))
        ]
    assert done == [
        ("staff.disable", {"email": EDITOR}),
        ("staff.enable", {"email": EDITOR}),
        ("staff.password", {"email": EDITOR}),
    ]
