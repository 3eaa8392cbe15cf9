"""The statistics dashboard: how the line is used, from anonymous call events (every role).

Charts are SVG drawn here, each with its table; a date range (Oslo dates) and a CSV export of
the same numbers. Counts from 1 to 4 show as "< 5"; nothing finer than the hour is shown.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, flash, render_template, request
from flask_login import login_required

from .. import stats
from ..models import utcnow
from ..services import services
from ..stats import Report
from .charts import bar_chart
from .i18n import t

bp = Blueprint("statistics", __name__)
MENU = "nav.statistics"
MAX_DAYS = 800  # a little over two years: more than the retention keeps anyway
CHARTS = (
    "calls_day",
    "calls_week",
    "calls_hour",
    "languages",
    "topics",
    "person",
    "transfers",
    "missed_hours",
)
DAY_CHART_LIMIT = 62  # longer ranges: the weeks chart tells more than 365 bars


def _range() -> tuple[date, date, bool]:
    """The dates asked for (default: the last 30 days), and whether they were valid."""
    first, last = stats.default_range()
    try:
        first = date.fromisoformat(request.args["from"]) if request.args.get("from") else first
        last = date.fromisoformat(request.args["to"]) if request.args.get("to") else last
    except ValueError:
        return *stats.default_range(), False
    if last < first or (last - first).days >= MAX_DAYS:
        return *stats.default_range(), False
    return first, last, True


def row_label(section: str, label: str) -> str:
    """A row's label in the staff's language (hours, days and language codes as they are)."""
    if section == "topics":
        topic, _, part = label.rpartition(":")
        return f"{topic} {t('stats.part')} {part}"
    if section == "languages":
        language = services().catalog.languages.get(label)
        return f"{language.name} ({label})" if language else label
    if section in ("calls_day", "calls_week"):
        return label
    if section in ("calls_hour", "missed_hours"):
        return f"{label}:00–{int(label) + 1:02d}:00"
    return t(f"stats.row.{label}")


def _charts(result: Report) -> dict[str, object]:
    charts: dict[str, object] = {}
    for section in result.sections:
        if section.name not in CHARTS or not section.rows:
            continue
        if section.name == "calls_day" and len(section.rows) > DAY_CHART_LIMIT:
            continue
        rows = [(row_label(section.name, label), n) for label, n in section.rows]
        charts[section.name] = bar_chart(
            f"chart-{section.name}", t(f"stats_section.{section.name}"), rows
        )
    return charts


@bp.get("/statistics")
@login_required
def page():
    """The dashboard for a date range."""
    first, last, valid = _range()
    if not valid:
        flash(t("stats.range_error", days=MAX_DAYS), "error")
    db = services().db
    services().events.flush()  # this process's queued events count too (others' within 1 s)
    stats.forget_call_keys(db, utcnow())  # even where cron does not run `ivr stats prune`
    result = stats.report(db, first, last)
    return render_template(
        "admin/statistics.html",
        report=result,
        charts=_charts(result),
        masked=stats.masked,
        row_label=row_label,
        months=current_app.config["STATS_RETENTION_MONTHS"],
        first=first,
        last=last,
        last_plus=last + timedelta(days=1),
    )


@bp.get("/statistics.csv")
@login_required
def csv_export():
    """The same numbers as CSV: section, label, count (masked)."""
    first, last, _ = _range()
    services().events.flush()
    result = stats.report(services().db, first, last)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(stats.csv_rows(result))
    name = f"kom-line-statistics-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
