"""Migration 0003_staff: applies on top of 0001_initial and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from ivr.db import MIGRATIONS

STAFF_TABLES = {"staff_account", "sign_in_attempt", "audit_entry", "language_review"}


def _alembic(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_staff_migration_upgrades_and_downgrades(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with engine.begin() as connection:
        command.upgrade(_alembic(connection), "0003_staff")
    assert set(inspect(engine).get_table_names()) >= STAFF_TABLES
    with engine.begin() as connection:
        command.downgrade(_alembic(connection), "0001_initial")
    tables = set(inspect(engine).get_table_names())
    assert not STAFF_TABLES & tables and "line_switch" in tables
    engine.dispose()


def test_prompt_pages_migration_upgrades_and_downgrades(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with engine.begin() as connection:
        command.upgrade(_alembic(connection), "head")
    assert {"text_version", "text_choice"} <= set(inspect(engine).get_table_names())
    assert "purged_at" in {c["name"] for c in inspect(engine).get_columns("recording")}
    with engine.begin() as connection:
        command.downgrade(_alembic(connection), "0004_staff_prompts")
    assert "session_version" not in {
        c["name"] for c in inspect(engine).get_columns("staff_account")
    }
    with engine.begin() as connection:
        command.downgrade(_alembic(connection), "0003_staff")
    assert not {"text_version", "text_choice"} & set(inspect(engine).get_table_names())
    assert "purged_at" not in {c["name"] for c in inspect(engine).get_columns("recording")}
    with engine.begin() as connection:
        command.upgrade(_alembic(connection), "head")
    assert "session_version" in {c["name"] for c in inspect(engine).get_columns("staff_account")}
    engine.dispose()
