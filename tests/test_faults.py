"""Work that must not run twice at once, and command-line faults that end in a clear message."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.db import Busy, Database
from ivr.services import services

from .conftest import SECRET_KEY, TOKEN


def gets_in_beside(db: Database, name: str) -> bool:
    """Whether another thread may start the work `name` at once (asked not to wait)."""
    outcome: list[bool] = []

    def other() -> None:
        try:
            with db.serialised(name, wait=0):
                outcome.append(True)
        except Busy:
            outcome.append(False)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(15)
    assert outcome, "the other thread never answered"
    return outcome[0]


def the_same_work_waits(db: Database) -> None:
    """While one thread publishes the English greeting, another may not start the same work
    (asked not to wait, it is refused; asked to wait, it starts once the first ends), but
    may publish the Norwegian one at once."""
    order: list[str] = []

    def second() -> None:
        with db.serialised("publish greeting en"):  # waits for the first
            order.append("second starts")

    with db.serialised("publish greeting en"):
        assert not gets_in_beside(db, "publish greeting en")
        assert gets_in_beside(db, "publish greeting nb"), "other work does not wait"
        waiting = threading.Thread(target=second)
        waiting.start()
        order.append("first ends")
    waiting.join(15)
    assert order == ["first ends", "second starts"]


def test_the_same_work_waits_for_the_other_thread(app):
    the_same_work_waits(services(app).db)


def test_a_lock_that_is_taken_says_busy_when_asked_not_to_wait(app):
    db = services(app).db
    with db.serialised("audio build"), pytest.raises(Busy), db.serialised("audio build", wait=0):
        pass
    with db.serialised("audio build", wait=0):
        pass  # free again


def cli_env(app) -> dict:
    return {
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SECRET_KEY": SECRET_KEY,
        "TRUSTED_PROXIES": "1",
        "DATABASE_URL": app.config["DATABASE_URL"],
        "AUDIO_DIR": app.config["AUDIO_DIR"],
        "TTS_ENGINES": "espeak",
        "LOG_LEVEL": "ERROR",
    }


def test_a_second_audio_build_is_refused_while_one_runs(app):
    with services(app).db.serialised("audio build"):
        result = CliRunner().invoke(
            cli, ["audio", "build", "--lang", "en", "--prompt", "goodbye"], env=cli_env(app)
        )
    assert result.exit_code == 1
    assert "another `ivr audio build` is running" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_audio_build_on_a_read_only_store_says_so(app, tmp_path):
    store = tmp_path / "read-only-store"
    store.mkdir()
    store.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = CliRunner().invoke(
            cli, ["audio", "build", "--lang", "en"], env={**cli_env(app), "AUDIO_DIR": str(store)}
        )
    finally:
        store.chmod(0o700)
    assert result.exit_code == 1
    assert f"cannot write the audio store {store}" in result.output
    assert "Traceback" not in result.output


def test_audio_build_on_a_read_only_store_says_so_even_as_root(app, tmp_path, monkeypatch):
    store = tmp_path / "store"
    real_mkdir = type(store).mkdir

    def read_only(self, *args, **kwargs):
        if self == store:
            raise OSError(30, "Read-only file system")
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(type(store), "mkdir", read_only)
    result = CliRunner().invoke(
        cli, ["audio", "build", "--lang", "en"], env={**cli_env(app), "AUDIO_DIR": str(store)}
    )
    assert result.exit_code == 1
    assert "cannot write the audio store" in result.output and "Read-only" in result.output


def test_hours_close_on_a_locked_database_says_so_without_a_traceback(app):
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = CliRunner().invoke(
            cli, ["hours", "close", "--reason", "staff day"], env=cli_env(app)
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "the database is not available" in result.output
    assert "did not finish" in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
