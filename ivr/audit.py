"""The audit log: every change staff make, by whom and when."""

from __future__ import annotations

from sqlalchemy import func, select

from .db import Database
from .models import AuditEntry


def record(db: Database, actor: str, action: str, detail: str = "") -> None:
    """Write one entry: `actor` did `action` (a short code such as "line.close"), with details."""
    with db.session() as s:
        s.add(AuditEntry(actor=actor, action=action, detail=detail))


def entries(db: Database, page: int = 1, per_page: int = 100) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, and the total number of entries."""
    with db.session() as s:
        total = s.scalar(select(func.count(AuditEntry.id))) or 0
        rows = s.scalars(
            select(AuditEntry)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    return list(rows), total
