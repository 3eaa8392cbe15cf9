"""Shared by the audio tests: English built once per session with eSpeak NG, copied per test.

gTTS must never be reached: the apps use TTS_ENGINES=espeak, and `no_network` makes any
connection beyond loopback fail loudly.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
from pathlib import Path

import pytest

from ivr import create_app
from ivr.audio.build import Builder
from ivr.audio.engines import engines_from_setting
from ivr.audio.library import Recordings
from ivr.config import PROJECT_ROOT
from ivr.services import services

from .support import SECRET_KEY, TOKEN


@pytest.fixture
def no_network(monkeypatch):
    """Any connection that is not to this machine is a test failure."""
    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "::1", "localhost")
            and self.family in (socket.AF_INET, socket.AF_INET6)
        ):
            raise AssertionError(f"a test tried to reach {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="session")
def built_english(tmp_path_factory, migrated_db) -> Path:
    """A database and a store with every English prompt rendered by eSpeak NG: built once per
    run, by the first pytest-xdist worker that needs it (the others wait on a file lock, then
    use the same folder, which tests only copy from)."""
    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent  # shared by this run's workers
    folder = run_folder / "built-english"
    with (run_folder / "built-english.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / "complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            _build_english(folder, migrated_db)
            (folder / "complete").touch()
    return folder


def _build_english(folder: Path, migrated_db: Path) -> None:
    """Render every English prompt with eSpeak NG into `folder` (a database and a store)."""
    folder.mkdir(parents=True)
    shutil.copy(migrated_db, folder / "ivr.sqlite3")
    app = create_app(
        {
            "TWILIO_AUTH_TOKEN": TOKEN,
            "SECRET_KEY": SECRET_KEY,
            "TRUSTED_PROXIES": 1,
            "DATABASE_URL": f"sqlite:///{folder}/ivr.sqlite3",
            "AUDIO_DIR": str(folder / "store"),
            "CACHE_DIR": str(folder / "cache"),
            "TTS_ENGINES": "espeak",
        }
    )
    builder = Builder(services(app).recordings, engines_from_setting("espeak"))
    report = builder.run(builder.prompts(["en"]))
    assert report.failed == 0 and report.rendered > 20
    services(app).db.engine.dispose()


def install_built(app_settings: dict, built: Path) -> None:
    """Put the built database and store where a test's app will look."""
    shutil.copy(built / "ivr.sqlite3", app_settings["DATABASE_URL"].removeprefix("sqlite:///"))
    shutil.copytree(built / "store", app_settings["AUDIO_DIR"])


@pytest.fixture
def built_app(app_settings, built_english):
    """An app whose English prompts all have eSpeak audio."""
    install_built(app_settings, built_english)
    app = create_app(app_settings)
    app.config["TESTING"] = True
    yield app
    services(app).close()


@pytest.fixture
def prompts_copy(tmp_path) -> Path:
    """A copy of the prompts folder a test may edit."""
    target = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", target)
    return target


def recordings(app) -> Recordings:
    return services(app).recordings
