"""Planned closures, shown on the line page: add one (a day, several days, part of a day) or
remove one. Callers pressing 0 during a closure hear the callback information."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from ..hours import OSLO
from ..models import Closure, utcnow
from .accounts import EDIT_LINE
from .actions import db, log_change, requires
from .forms import ClosureForm
from .i18n import t
from .line import render_page
from .refusals import Refusal, refused

bp = Blueprint("closures", __name__)
MENU = None  # part of the line page
LONGEST = timedelta(days=366)
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def closure_span(form: ClosureForm) -> tuple[datetime, datetime] | Refusal:
    """The closure's start and end in Oslo time, or why it cannot be added: a day outside the
    years 2000-2999, it ends before it starts, is longer than a year, or is already over.
    Without times it runs from the first day's midnight to the last's end."""
    first = form.first_day.data
    last = form.last_day.data or first
    if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
        # e.g. 0001-01-01 or 9999-12-31: no such closure, and beyond datetime's range
        return Refusal("closure-form", t("err.span"), ("first_day", "last_day"))
    starts = datetime.combine(first, form.from_time.data or time(0), OSLO)
    if form.until_time.data:
        ends = datetime.combine(last, form.until_time.data, OSLO)
    else:
        ends = datetime.combine(last + timedelta(days=1), time(0), OSLO)
    if ends <= starts or ends - starts > LONGEST:
        fields = ("last_day", "until_time") if form.last_day.data else ("until_time", "from_time")
        return Refusal("closure-form", t("err.span"), fields)
    if ends <= utcnow():
        return Refusal("closure-form", t("err.past"), ("first_day", "last_day"))
    return starts, ends


def _span_facts(starts: datetime, ends: datetime) -> list[str]:
    """A closure's span for the audit log: start and end in Oslo time (ISO 8601)."""
    return [starts.astimezone(OSLO).isoformat(), ends.astimezone(OSLO).isoformat()]


def _back() -> str:
    return url_for("admin.line.page") + "#closures"


@bp.post("/line/closures")
@requires(EDIT_LINE)
def add():
    """Add a one-off closure (a whole day, several days, or part of a day)."""
    form = ClosureForm()
    span = closure_span(form) if form.validate_on_submit() else refused("closure-form", form)
    if isinstance(span, Refusal):
        return render_page(400, span, closure_form=form)
    reason = form.reason.data.strip()
    with db().session() as s:
        s.add(
            Closure(
                starts_at=span[0], ends_at=span[1], reason=reason, created_by=current_user.label
            )
        )
    log_change("closure.add", reason, span=_span_facts(*span))
    flash(t("closure.added"), "info")
    return redirect(_back())


@bp.post("/line/closures/<int:closure_id>/remove")
@requires(EDIT_LINE)
def remove(closure_id: int):
    """Remove a planned closure."""
    with db().session() as s:
        row = s.get(Closure, closure_id)
        if row is None:
            abort(404)
        span, reason = _span_facts(row.starts_at, row.ends_at), row.reason
        s.delete(row)
    log_change("closure.remove", reason, span=span)
    flash(t("closure.removed"), "info")
    return redirect(_back())
