"""The database as the line uses it: failures pause it briefly; a migration ends the pause."""

import pytest
from sqlalchemy import select

from ivr import create_app
from ivr.db import DatabaseUnavailable
from ivr.models import CallEvent
from ivr.services import services


def test_a_new_database_works_right_after_init_db_in_the_same_process(app_settings, tmp_path):
    app = create_app({**app_settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"})
    db = services(app).db
    # no tables yet: the line pauses the database
    with pytest.raises(DatabaseUnavailable), db.session() as s:
        s.scalars(select(CallEvent)).all()
    db.upgrade()
    with db.session() as s:
        assert s.scalars(select(CallEvent)).all() == []
    db.engine.dispose()


def test_a_mistake_in_a_query_does_not_pause_the_database(app):
    from sqlalchemy import text

    db = services(app).db
    with pytest.raises(DatabaseUnavailable), db.session() as s:
        s.execute(text("INSERT INTO setting (key, value, updated_at) VALUES (NULL, NULL, NULL)"))
    with db.session() as s:
        assert s.scalars(select(CallEvent)).all() == []
