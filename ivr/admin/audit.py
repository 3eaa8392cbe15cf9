"""The audit log page (/staff/audit): every change, newest first, a hundred to a page, each
said in the reader's language (audit_text.py)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from .. import audit
from .actions import catalog, db
from .audit_text import actor, describe

bp = Blueprint("audit", __name__)
MENU = "nav.audit"
PER_PAGE = 100
MAX_PAGE = 10_000_000  # a billion entries


@bp.get("/audit")
@login_required
def page():
    """Every change, newest first."""
    number = max(request.args.get("page", 1, type=int), 1)
    if number > MAX_PAGE:
        abort(404)  # beyond any audit log (and beyond what the database can count to)
    rows, total = audit.entries(db(), number, PER_PAGE)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    if number > pages:
        abort(404)
    scripts = catalog()
    shown = [(row, actor(row), describe(row, scripts)) for row in rows]
    return render_template("admin/audit.html", rows=shown, total=total, page=number, pages=pages)
