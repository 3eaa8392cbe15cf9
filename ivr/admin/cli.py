"""`ivr staff ...`: staff accounts on the server's command line (admins also manage them on the
accounts page, /staff/accounts)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services import services
from .accounts import ROLES, AccountError, add_account, list_accounts, set_active, set_password


def _db():
    return services().db


@click.group(cls=AppGroup)
def staff() -> None:
    """Staff accounts for the staff pages (/staff)."""


@staff.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="editor: hours and line; reviewer: reviews; admin: everything.",
)
@click.option("--name", default="", help="The person's name, shown on reviews and in the log.")
@click.password_option("--password", help="Prompted (hidden, twice) when not given.")
def staff_add(email: str, role: str, name: str, password: str) -> None:
    """Make an account that can sign in to the staff pages."""
    try:
        user = add_account(_db(), email, role, password, name, actor="cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account made: {user.email} ({role})")


@staff.command("list")
def staff_list() -> None:
    """Every account, its role, whether it is active and when it last signed in."""
    rows = list_accounts(_db())
    if not rows:
        click.echo("no accounts yet: add one with `ivr staff add EMAIL --role admin`")
    for row in rows:
        state = "active" if row.active else "DISABLED"
        last = f"{row.last_sign_in:%Y-%m-%d %H:%M} UTC" if row.last_sign_in else "never"
        fields = [row.email, row.role, state, f"last sign-in: {last}", row.name]
        click.echo("\t".join(field for field in fields if field))


@staff.command("disable")
@click.argument("email")
def staff_disable(email: str) -> None:
    """Switch an account off; its open sessions stop working at the next click."""
    try:
        set_active(_db(), email, False, actor="cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account disabled: {email}")


@staff.command("enable")
@click.argument("email")
def staff_enable(email: str) -> None:
    """Switch a disabled account on again."""
    try:
        set_active(_db(), email, True, actor="cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"account enabled: {email}")


@staff.command("password")
@click.argument("email")
@click.password_option("--password", help="Prompted (hidden, twice) when not given.")
def staff_password(email: str, password: str) -> None:
    """Give an account a new password."""
    try:
        set_password(_db(), email, password, actor="cli")
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"password changed: {email}")
