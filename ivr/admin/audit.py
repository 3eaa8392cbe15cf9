"""The audit log page (/staff/audit): every change, newest first, a hundred to a page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from .. import audit
from .actions import db

bp = Blueprint("audit", __name__)
MENU = "nav.audit"
PER_PAGE = 100


@bp.get("/audit")
@login_required
def page():
    """Every change, newest first."""
    number = max(request.args.get("page", 1, type=int), 1)
    rows, total = audit.entries(db(), number, PER_PAGE)
    return render_template("admin/audit.html", rows=rows, total=total, page=number,
                           pages=max((total + PER_PAGE - 1) // PER_PAGE, 1))
