"""`ivr stats`: keep the anonymous call events small, and export them.

ivr stats prune                      run hourly from cron (see README, "Statistics")
ivr stats csv --from 2026-11-01 --to 2026-11-30 > line.csv
"""

from __future__ import annotations

import csv
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from . import stats as statistics
from .models import utcnow
from .services import services


@click.group("stats", cls=AppGroup)
def stats() -> None:
    """Anonymous statistics: prune old call events, export counts."""


@stats.command("prune")
def prune() -> None:
    """Delete call events older than STATS_RETENTION_MONTHS; erase call keys after the call."""
    months = current_app.config["STATS_RETENTION_MONTHS"]
    deleted, calls = statistics.prune(services().db, utcnow(), months)
    click.echo(
        f"deleted {deleted} call event(s) older than {months} months; "
        f"erased the call key of {calls} finished call(s)"
    )


@stats.command("csv")
@click.option(
    "--from",
    "first",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day (Oslo), default 30 days ago.",
)
@click.option(
    "--to",
    "last",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day (Oslo), default today.",
)
def export(first, last) -> None:
    """The statistics as CSV on standard output (counts under 5 shown as "< 5")."""
    default_first, default_last = statistics.default_range()
    first = first.date() if first else default_first
    last = last.date() if last else default_last
    if last < first:
        raise click.BadParameter("--to is before --from")
    result = statistics.report(services().db, first, last)
    csv.writer(sys.stdout).writerows(statistics.csv_rows(result))
