"""The `ivr` command: Flask's CLI with the line's own commands.

ivr init-db            create or migrate the database
ivr hours status       is KOM open now, and the coming holidays
ivr hours close/open   the manual switch; `ivr hours regular` returns to the regular hours
ivr sign URL k=v ...   the X-Twilio-Signature for a request, to walk a call with curl
ivr audio ...          build, import and check the recorded prompts (docs/audio.md)
ivr selftest URL       walk the live line at URL as Twilio would (for cron monitoring)
ivr staff add/list/disable/enable/password   staff accounts (see docs/staff.md)
ivr call [--at ...] [--keys ...]   walk a simulated call and print what a caller hears
ivr stats prune        delete anonymous call events older than the retention (cron)
"""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from twilio.request_validator import RequestValidator

from . import translations
from .audio.cli import audio
from .catalog import load_catalog
from .config import ConfigError
from .db import Busy, DatabaseUnavailable
from .hours import OSLO, holiday_name, is_open
from .models import utcnow
from .schedule import set_switch, write_setting
from .selftest import selftest
from .services import services


def _create_app(*_args):
    from . import create_app

    return create_app()


class LineCommands(FlaskGroup):
    """Flask's CLI group; a database that is locked or away is one clear message, not a
    traceback."""

    def invoke(self, ctx: click.Context):
        """Run the command; turn DatabaseUnavailable into a message and exit status 1."""
        try:
            return super().invoke(ctx)
        except Busy as exc:
            raise click.ClickException(f"{exc}; try again when it has finished") from None
        except DatabaseUnavailable as exc:
            raise click.ClickException(
                f"the database is not available ({exc}). The command did not finish; "
                "run it again when the database answers (a locked SQLite database is "
                "usually free again within seconds)."
            ) from None


@click.group(cls=LineCommands, create_app=_create_app)
def cli() -> None:
    """KOM information line."""


def main() -> None:
    """The `ivr` command; a configuration mistake is one clear line, not a traceback."""
    try:
        cli()
    except ConfigError as exc:
        click.echo(f"ivr: configuration error: {exc}", err=True)
        sys.exit(2)


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(init_db)
    app.cli.add_command(hours)
    app.cli.add_command(sign)
    app.cli.add_command(languages)
    app.cli.add_command(audio)
    app.cli.add_command(selftest)
    from .admin.cli import staff

    app.cli.add_command(staff)
    from .call_cli import call
    from .stats_cli import stats

    app.cli.add_command(call)
    app.cli.add_command(stats)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or migrate the database to the newest version."""
    services().db.upgrade()
    click.echo(f"database ready: {services().db.engine.url!r}")


@click.group(cls=AppGroup)
def hours() -> None:
    """Opening hours: see them, close or open the line now."""


@hours.command("status")
@click.option("--days", default=60, show_default=True, help="How far ahead to list holidays.")
def hours_status(days: int) -> None:
    """Whether KOM is open now, and the public holidays ahead."""
    now = utcnow()
    rules = services().line.rules(now)
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
    set_switch(services().db, False, reason, by="cli")
    _audit("line.close", reason)
    click.echo("the line is CLOSED until `ivr hours regular`")


@hours.command("open")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def hours_open(reason: str) -> None:
    """Open the line now, outside the regular hours."""
    set_switch(services().db, True, reason, by="cli")
    _audit("line.open", reason)
    click.echo("the line is OPEN until `ivr hours regular`")


@hours.command("regular")
def hours_regular() -> None:
    """Switch the manual override off: the regular hours and closures apply again."""
    set_switch(services().db, None)
    _audit("line.reopen")
    click.echo("the line follows the regular hours")


def _audit(action: str, detail: str = "") -> None:
    """Changes made on the command line appear in the staff pages' audit log too."""
    from .audit import record

    record(services().db, "cli", action, detail)


@click.command("sign")
@click.argument("url")
@click.argument("params", nargs=-1)
@with_appcontext
def sign(url: str, params: tuple[str, ...]) -> None:
    """Print the X-Twilio-Signature Twilio would send for URL with POST params k=v."""
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        raise click.UsageError("TWILIO_AUTH_TOKEN is not set")
    form = dict(p.split("=", 1) for p in params)
    click.echo(RequestValidator(token).compute_signature(url, form))


def _catalog_now():
    """The scripts as the files say now, with the texts staff published laid over them: the
    translator edits the files, callers hear the published texts, and both count."""
    services().texts.refresh()
    return load_catalog(current_app.config["PROMPTS_DIR"]).with_overlay(services().catalog.overlay)


@click.group(cls=AppGroup, invoke_without_command=True)
@click.pass_context
@with_appcontext
def languages(ctx: click.Context) -> None:
    """Translations: per language, segments present, missing, draft, outdated, reviewed."""
    if ctx.invoked_subcommand is not None:
        return
    catalog = _catalog_now()
    header = (
        f"{'code':5} {'name':14} {'status':9} {'present':>7} {'missing':>7} "
        f"{'draft':>5} {'outdated':>8} {'reviewed':>8}  reviewer"
    )
    click.echo(header)
    for r in translations.report(catalog):
        reviewer = f"{r.reviewed_by} {r.reviewed_on}".strip() or "-"
        click.echo(
            f"{r.code:5} {r.name[:14]:14} {r.status:9} {r.present:>7} "
            f"{r.counts['missing']:>7} {r.counts['draft']:>5} {r.counts['outdated']:>8} "
            f"{r.counts['reviewed']:>8}  {reviewer}"
        )
        for segment in r.outdated:
            click.echo(f"      outdated: {segment} (the English changed since it was translated)")
        for segment in r.missing:
            click.echo(f"      missing:  {segment}")


@languages.command("stamp")
@click.argument("code")
@click.argument("segments", nargs=-1)
def languages_stamp(code: str, segments: tuple[str, ...]) -> None:
    """After updating a translation: record that SEGMENTS (default all) match today's English."""
    catalog = _catalog_now()
    if code not in catalog.languages:
        raise click.UsageError(f"no language {code!r} in {catalog.root}")
    try:
        done = translations.stamp(catalog, code, list(segments))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{code}: {len(done)} segment(s) now translate the current English")


@languages.command("review")
@click.argument("code")
@click.option("--by", "reviewer", required=True, help="The native speaker who checked it.")
@click.option(
    "--on",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The date of the review (default today in Oslo).",
)
def languages_review(code: str, reviewer: str, day) -> None:
    """Mark CODE reviewed: a named native speaker checked every segment against the English."""
    catalog = _catalog_now()
    if code not in catalog.languages or code == "en":
        raise click.UsageError(f"{code!r} is not a translated language in {catalog.root}")
    try:
        on = day.date() if day else utcnow().astimezone(OSLO).date()
        translations.mark_reviewed(catalog, code, reviewer, on)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{code} is marked reviewed by {reviewer}")


@languages.command("disable")
@click.argument("code")
def languages_disable(code: str) -> None:
    """Take CODE out of the language menu (nothing is deleted)."""
    catalog = services().catalog
    if code not in catalog.languages:
        raise click.UsageError(f"no language {code!r}")
    disabled = set(services().line.settings().disabled_languages) | {code}
    write_setting(services().db, "disabled_languages", sorted(disabled))
    click.echo(f"{code} is no longer offered to callers")


@languages.command("enable")
@click.argument("code")
def languages_enable(code: str) -> None:
    """Offer CODE in the language menu again."""
    disabled = set(services().line.settings().disabled_languages) - {code}
    write_setting(services().db, "disabled_languages", sorted(disabled))
    click.echo(f"{code} is offered to callers")


@languages.command("drafts")
@click.argument("choice", type=click.Choice(["offer", "hide"]))
def languages_drafts(choice: str) -> None:
    """Whether languages whose translation is still a draft are offered to callers."""
    write_setting(services().db, "offer_drafts", choice == "offer")
    click.echo(f"draft translations are {'offered' if choice == 'offer' else 'hidden'}")
