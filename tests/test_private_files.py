"""The database (staff password hashes) is readable by this user only, whatever the umask."""

from __future__ import annotations

import os
import stat

from sqlalchemy import text

from ivr import create_app
from ivr.services import services


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_and_its_folder_are_private(app_settings, tmp_path):
    folder = tmp_path / "instance"
    old = os.umask(0o022)
    try:
        app = create_app({**app_settings, "DATABASE_URL": f"sqlite:///{folder}/ivr.sqlite3"})
        services(app).db.upgrade()
        with services(app).db.session() as s:
            s.execute(text("SELECT 1"))
    finally:
        os.umask(old)
    assert mode(folder) == 0o700
    files = sorted(folder.iterdir())
    assert folder / "ivr.sqlite3" in files
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    services(app).db.engine.dispose()


def test_an_existing_database_is_left_as_the_operator_made_it(app_settings, tmp_path):
    path = tmp_path / "shared.sqlite3"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    app = create_app({**app_settings, "DATABASE_URL": f"sqlite:///{path}"})
    services(app).db.upgrade()
    assert mode(path) == 0o640
    services(app).db.engine.dispose()
