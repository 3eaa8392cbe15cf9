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
from .i18n import MESSAGES, t

bp = Blueprint("statistics", __name__)
MENU = "nav.statistics"
MAX_DAYS = 800  # a little over two years: more than the retention keeps anyway
CHARTS = ("calls_day", "calls_week", "calls_hour", "languages", "topics", "person",
          "transfers", "missed_hours")
DAY_CHART_LIMIT = 62  # longer ranges: the weeks chart tells more than 365 bars

MESSAGES["nb"].update({
    "nav.statistics": "Statistikk",
    "stats.title": "Statistikk",
    "stats.what": "Hva som lagres, og hvorfor",
    "stats.what_text": "For hvert steg i en ekte samtale lagres tidspunktet, språket, hvor i menyen innringeren er, tasten i menyen og hva som skjedde (for eksempel «hørte del 2 av et tema» eller «overføringen var opptatt»). Aldri telefonnummer, navn, stemme eller Twilios samtale-ID. I noen timer etter samtalen knyttes stegene i en samtale sammen med en anonym nøkkel, slik at vi kan telle samtaler som sluttet i språkmenyen; så slettes nøkkelen. Alt slettes etter {months} måneder. Vi lagrer dette for å se om linjen blir brukt og hjelper: hvilke språk og temaer innringerne trenger, og når de prøver å nå en person uten å få svar.",
    "stats.masked": "Tall fra 1 til 4 vises som «< 5», så ingen enkeltsamtale kan pekes ut. Tider vises aldri mer nøyaktig enn timen (norsk tid). Prøvesamtaler telles ikke.",
    "stats.from": "Fra og med", "stats.to": "Til og med", "stats.show": "Vis",
    "stats.csv": "Last ned som CSV",
    "stats.range_error": "Velg en gyldig periode (til og med kommer etter fra og med, høyst {days} dager).",
    "stats.count": "Antall",
    "stats.section.calls_total": "Samtaler",
    "stats.section.calls_day": "Samtaler per dag",
    "stats.section.calls_week": "Samtaler per uke",
    "stats.section.calls_hour": "Samtaler per time på døgnet",
    "stats.section.languages": "Valgt språk (hver gang et språk ble valgt)",
    "stats.section.country_hint": "Samtaler der landets språk ble tilbudt først (landhint)",
    "stats.section.topics": "Temaer hørt: tema og del (hvor langt innringerne lyttet)",
    "stats.section.language_menu": "Samtaler som sluttet i språkmenyen",
    "stats.section.person": "Ba om å snakke med en person (trykket 0)",
    "stats.section.transfers": "Overføringer til KOM",
    "stats.section.missed_hours": "Timer da noen trykket 0 og ingen svarte",
    "stats.label": "Hva",
    "stats.row.calls": "samtaler", "stats.row.used": "samtaler", "stats.row.ended": "samtaler",
    "stats.row.asked": "trykket 0", "stats.row.transferred": "satt over (KOM åpen)",
    "stats.row.closed": "trykket 0 mens KOM var stengt",
    "stats.row.completed": "besvart", "stats.row.no-answer": "ingen svarte",
    "stats.row.busy": "opptatt", "stats.row.failed": "feilet", "stats.row.other": "annet",
    "stats.part": "del",
})
MESSAGES["en"].update({
    "nav.statistics": "Statistics",
    "stats.title": "Statistics",
    "stats.what": "What is stored, and why",
    "stats.what_text": "For each step of a real call we store the time, the language, where in the menus the caller is, the menu key and what happened (for example \"heard part 2 of a topic\" or \"the transfer was busy\"). Never a phone number, a name, a voice or Twilio's call id. For a few hours after the call, the steps of one call are linked by an anonymous key, so we can count calls that ended in the language menu; then the key is erased. Everything is deleted after {months} months. We keep this to see whether the line is used and helps: which languages and topics callers need, and when they try to reach a person and nobody answers.",
    "stats.masked": "Numbers from 1 to 4 are shown as \"< 5\", so no single call can be singled out. Times are never shown finer than the hour (Norwegian time). Test calls are not counted.",
    "stats.from": "From", "stats.to": "To (included)", "stats.show": "Show",
    "stats.csv": "Download as CSV",
    "stats.range_error": "Choose a valid period (the end after the start, at most {days} days).",
    "stats.count": "Count",
    "stats.section.calls_total": "Calls",
    "stats.section.calls_day": "Calls per day",
    "stats.section.calls_week": "Calls per week",
    "stats.section.calls_hour": "Calls per hour of the day",
    "stats.section.languages": "Language chosen (each time a language was chosen)",
    "stats.section.country_hint": "Calls offered their country's language first (country hint)",
    "stats.section.topics": "Topics heard: topic and part (how far callers listened)",
    "stats.section.language_menu": "Calls that ended in the language menu",
    "stats.section.person": "Asked to talk to a person (pressed 0)",
    "stats.section.transfers": "Transfers to KOM",
    "stats.section.missed_hours": "Hours when someone pressed 0 and nobody answered",
    "stats.label": "What",
    "stats.row.calls": "calls", "stats.row.used": "calls", "stats.row.ended": "calls",
    "stats.row.asked": "pressed 0", "stats.row.transferred": "put through (KOM open)",
    "stats.row.closed": "pressed 0 while KOM was closed",
    "stats.row.completed": "answered", "stats.row.no-answer": "not answered",
    "stats.row.busy": "busy", "stats.row.failed": "failed", "stats.row.other": "other",
    "stats.part": "part",
})


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
    charts = {}
    for section in result.sections:
        if section.name not in CHARTS or not section.rows:
            continue
        if section.name == "calls_day" and len(section.rows) > DAY_CHART_LIMIT:
            continue
        rows = [(row_label(section.name, label), n) for label, n in section.rows]
        charts[section.name] = bar_chart(f"chart-{section.name}",
                                         t(f"stats.section.{section.name}"), rows)
    return charts


@bp.get("/statistics")
@login_required
def page():
    """The dashboard for a date range."""
    first, last, valid = _range()
    if not valid:
        flash(t("stats.range_error", days=MAX_DAYS), "error")
    db = services().db
    stats.forget_call_keys(db, utcnow())  # even where cron does not run `ivr stats prune`
    result = stats.report(db, first, last)
    return render_template("admin/statistics.html", report=result, charts=_charts(result),
                           masked=stats.masked, row_label=row_label,
                           months=current_app.config["STATS_RETENTION_MONTHS"],
                           first=first, last=last, last_plus=last + timedelta(days=1))


@bp.get("/statistics.csv")
@login_required
def csv_export():
    """The same numbers as CSV: section, label, count (masked)."""
    first, last, _ = _range()
    result = stats.report(services().db, first, last)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(stats.csv_rows(result))
    name = f"kom-line-statistics-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
