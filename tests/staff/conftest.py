"""Fixtures for the staff pages: accounts of each role, a `staff` helper, the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from staff_support import ADMIN, EDITOR, PASSWORD, REVIEWER, Staff

from ivr import audit
from ivr.admin.accounts import add_account
from ivr.models import AuditEntry
from ivr.services import services


@pytest.fixture
def db(app):
    return services(app).db


@pytest.fixture
def accounts(db):
    """One account of each role, all with PASSWORD."""
    add_account(db, EDITOR, "editor", PASSWORD, name="Eva Editor")
    add_account(db, REVIEWER, "reviewer", PASSWORD, name="Rolf Reviewer")
    add_account(db, ADMIN, "admin", PASSWORD)


@pytest.fixture
def staff(client, accounts):
    return Staff(client)


@pytest.fixture
def audit_actions(db):
    """The audit log's actions so far, oldest first."""

    def read() -> list[tuple[str, str, str]]:
        with db.session() as s:
            rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            return [(r.actor, r.action, r.detail) for r in rows]

    return read


@pytest.fixture
def audit_facts(db):
    """The audit log so far, oldest first: (action, the facts it keeps, the typed detail)."""

    def read() -> list[tuple[str, dict, str]]:
        with db.session() as s:
            rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            return [(r.action, audit.facts_of(r), r.detail) for r in rows]

    return read
