"""What the `ivr` commands print: one short line about development mode, no warning on a new
database's first start, and output that ends with a newline."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from ivr import create_app
from ivr.services import services

IVR = Path(sys.executable).with_name("ivr")


def test_init_db_on_a_new_database_prints_one_line_and_only_the_development_warning(tmp_path):
    env = {
        **os.environ,
        "ALLOW_UNSIGNED_WEBHOOKS": "1",
        "TWILIO_AUTH_TOKEN": "",
        "PUBLIC_BASE_URL": "",
        "SECRET_KEY": "a test secret key of some length",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}",
        "CACHE_DIR": str(tmp_path),
        "AUDIO_DIR": str(tmp_path / "audio"),
    }
    done = subprocess.run(
        [str(IVR), "init-db"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("database ready:") and done.stdout.endswith("\n")
    warnings = done.stderr.splitlines()
    assert len(warnings) == 1, warnings
    assert "development mode" in warnings[0] and len(warnings[0]) < 140


def test_development_mode_is_one_warning_line(app_settings, caplog):
    caplog.set_level(logging.WARNING, logger="ivr")
    app = create_app({**app_settings, "TWILIO_AUTH_TOKEN": "", "ALLOW_UNSIGNED_WEBHOOKS": True})
    services(app).close()
    said = [r.getMessage() for r in caplog.records if "signature" in r.getMessage()]
    assert len(said) == 1 and "\n" not in said[0]


def test_staff_list_ends_with_a_newline_and_says_when_there_are_no_accounts(app, accounts):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["staff", "list"]).output
    assert listed.endswith("\n") and not listed.endswith("\t\n")
    assert len(listed.splitlines()) == 3


def test_staff_list_of_no_accounts_says_how_to_add_one(app):
    listed = app.test_cli_runner().invoke(args=["staff", "list"]).output
    assert "ivr staff add" in listed and listed.endswith("\n")
