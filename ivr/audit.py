"""The audit log: every change staff make, by whom and when.

An entry keeps the facts of a change as values (`record(..., lang="ro", version=537)`), not
as a sentence: the staff pages put them into the action's sentence in the reader's language
(ivr/admin/audit.py). `detail` is only for text someone typed, such as a closure's reason.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from .db import Database
from .models import AuditEntry


def entry(actor: str, action: str, detail: str = "", **facts: Any) -> AuditEntry:
    """One entry, not yet written: `actor` did `action` (a short code such as "line.close")."""
    return AuditEntry(
        actor=actor,
        action=action,
        detail=detail,
        facts=json.dumps(facts, ensure_ascii=False, sort_keys=True) if facts else "",
    )


def record(db: Database, actor: str, action: str, detail: str = "", **facts: Any) -> None:
    """Write one entry: `actor` did `action`, with the facts of the change (JSON values)."""
    with db.session() as s:
        s.add(entry(actor, action, detail, **facts))


def facts_of(row: AuditEntry) -> dict[str, Any]:
    """The facts an entry keeps ({} for entries from before facts were kept)."""
    try:
        value = json.loads(row.facts) if row.facts else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


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
