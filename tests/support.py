"""What every test shares: the line's test credentials, one way to break the database, tones.

Plain functions and constants (no fixtures): the fixtures live in `conftest.py`.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from flask import Flask

from ivr.audio.processing import ffmpeg_exe
from ivr.services import services

TOKEN = "test-auth-token"  # the Twilio auth token every test app signs with
SECRET_KEY = "test-secret-key-0123456789abcdef"  # signs the test apps' staff sessions
LAVFI_SINE_PEAK_DBFS = -18.06  # ffmpeg's sine source plays at 1/8 of full scale


def database_file(app: Flask) -> Path:
    """The SQLite file a test app uses."""
    return Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))


def break_database(app: Flask) -> Path:
    """Take the app's SQLite database away, as a lost disk or volume would: its path becomes a
    folder, so it cannot even be opened ("unable to open database file"). Returns the path;
    `path.rmdir()` lets it open again (empty). The app's own threads keep running, as in
    service: one of them may open (and so make) the file again just after it is taken away."""
    path = database_file(app)
    for _ in range(100):  # a background reader or the event writer may open it again at once
        services(app).db.engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        try:
            path.mkdir()
        except FileExistsError:  # SQLite made a new empty file in between: take it away too
            continue
        return path
    raise AssertionError(f"{path} keeps being made again: cannot break the database")


def tone(seconds: float = 2.0, freq: int = 330, fmt: str = "wav", volume: float = -8) -> bytes:
    """A sine tone peaking at `volume` dBFS, as a phone might send it (any format ffmpeg
    writes: wav, mp3, ogg, adts, ...). Made by ffmpeg, so a long tone costs milliseconds."""
    gain = volume - LAVFI_SINE_PEAK_DBFS
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, f"tone.{fmt}")  # a file: the WAV header gets its real sizes
        subprocess.run(
            [
                ffmpeg_exe(),
                "-nostdin",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency={freq}:sample_rate=44100:duration={seconds}",
                "-af",
                f"volume={gain:.2f}dB",
                "-ac",
                "1",
                "-bitexact",
                "-f",
                fmt,
                str(out),
            ],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return out.read_bytes()
