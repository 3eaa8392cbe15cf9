"""The `ivr` command: Flask's CLI with the line's own commands.

    ivr init-db            create or migrate the database
    ivr hours status       is KOM open now, and the coming holidays
    ivr hours close/open   the manual switch; `ivr hours regular` returns to the regular hours
    ivr sign URL k=v ...   the X-Twilio-Signature for a request, to walk a call with curl
    ivr staff add/list/disable/enable/password   staff accounts (see docs/staff.md)
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from twilio.request_validator import RequestValidator

from .hours import OSLO, holiday_name, is_open
from .models import utcnow
from .schedule import hours_rules, set_switch


def _create_app(*_args):
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """KOM information line."""


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(init_db)
    app.cli.add_command(hours)
    app.cli.add_command(sign)
    from .admin.cli import staff

    app.cli.add_command(staff)


@click.command("init-db")
def init_db() -> None:
    """Create or migrate the database to the newest version."""
    current_app.extensions["ivr.db"].upgrade()
    click.echo(f"database ready: {current_app.extensions['ivr.db'].engine.url!r}")


@click.group()
def hours() -> None:
    """Opening hours: see them, close or open the line now."""


@hours.command("status")
@click.option("--days", default=60, show_default=True, help="How far ahead to list holidays.")
def hours_status(days: int) -> None:
    """Whether KOM is open now, and the public holidays ahead."""
    now = utcnow()
    rules = hours_rules(current_app.extensions["ivr.db"], now)
    state = "OPEN" if is_open(now, rules) else "CLOSED"
    click.echo(f"{now.astimezone(OSLO):%A %d %B %Y %H:%M} Oslo time: {state}")
    if rules.override and rules.override.applies(now):
        kind = "open" if rules.override.open else "closed"
        click.echo(f"  manual switch: {kind} ({rules.override.reason or 'no reason given'})")
    today = now.astimezone(OSLO).date()
    for offset in range(days):
        day = today + timedelta(days=offset)
        if name := holiday_name(day):
            click.echo(f"  holiday {day:%a %d %b %Y}: {name}")


@hours.command("close")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def hours_close(reason: str) -> None:
    """Close the line now: callers pressing 0 hear the callback information."""
    set_switch(current_app.extensions["ivr.db"], False, reason, by="cli")
    _audit("line.close", reason)
    click.echo("the line is CLOSED until `ivr hours regular`")


@hours.command("open")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def hours_open(reason: str) -> None:
    """Open the line now, outside the regular hours."""
    set_switch(current_app.extensions["ivr.db"], True, reason, by="cli")
    _audit("line.open", reason)
    click.echo("the line is OPEN until `ivr hours regular`")


@hours.command("regular")
def hours_regular() -> None:
    """Switch the manual override off: the regular hours and closures apply again."""
    set_switch(current_app.extensions["ivr.db"], None)
    _audit("line.reopen")
    click.echo("the line follows the regular hours")


def _audit(action: str, detail: str = "") -> None:
    """Changes made on the command line appear in the staff pages' audit log too."""
    from .admin.audit import record

    record(current_app.extensions["ivr.db"], "cli", action, detail)


@click.command("sign")
@click.argument("url")
@click.argument("params", nargs=-1)
def sign(url: str, params: tuple[str, ...]) -> None:
    """Print the X-Twilio-Signature Twilio would send for URL with POST params k=v."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        raise click.UsageError("TWILIO_AUTH_TOKEN is not set")
    form = dict(p.split("=", 1) for p in params)
    click.echo(RequestValidator(token).compute_signature(url, form))


