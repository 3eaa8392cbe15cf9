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


def overlap_of_two(db: Database, first: str, second: str) -> bool:
    """Whether two threads were inside `db.serialised(...)` at the same time: the first waits
    (at most a second) for the second to come in beside it."""
    inside_first, inside_second = threading.Event(), threading.Event()
    seen: list[bool] = []

    def one() -> None:
        with db.serialised(first):
            inside_first.set()
            seen.append(inside_second.wait(1.0))

    def two() -> None:
        inside_first.wait(5)
        with db.serialised(second):
            inside_second.set()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert inside_second.is_set(), "the second never got the lock"
    return seen == [True]


def test_the_same_work_waits_for_the_other_thread(app):
    db = services(app).db
    assert not overlap_of_two(db, "publish greeting en", "publish greeting en")
    assert overlap_of_two(db, "publish greeting en", "publish greeting nb")


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
