"""Staff accounts from the browser (/staff/accounts, admins only), and the page where a person
chooses their password through a one-time link (/staff/set-password/<token>, no sign-in).

No e-mail is sent: adding an account or resetting a password shows the admin a link once, to
pass on (account_changes.py, password_links.py). Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from ..db import Database
from . import account_changes
from .accounts import (
    MANAGE_ACCOUNTS,
    MAX_PASSWORD,
    MIN_PASSWORD,
    ROLES,
    AccountError,
    StaffUser,
    list_accounts,
)
from .actions import db, requires
from .forms import AccountForm, ActionForm, SetPasswordForm
from .i18n import t
from .password_links import GivenLink, account_for, open_links, use_link
from .refusals import Refusal, refused

bp = Blueprint("accounts", __name__)
T = TypeVar("T")
MENU = "nav.accounts"
MENU_ROLES = MANAGE_ACCOUNTS  # the menu shows this page to admins only


def link_address(token: str) -> str:
    """The full address of a set-password link: on PUBLIC_BASE_URL when it is set (the address
    staff reach the line at), else on the address this request came to."""
    path = url_for("admin.accounts.set_password", token=token)
    base = current_app.config.get("PUBLIC_BASE_URL", "")
    return (
        f"{base}{path}"
        if base
        else url_for("admin.accounts.set_password", token=token, _external=True)
    )


def render_page(
    status: int = 200,
    refusal: Refusal | None = None,
    form: AccountForm | None = None,
    given: tuple[str, GivenLink] | None = None,
):
    """The accounts page; `given` is a link just made (for this e-mail), shown this once."""
    shown = None
    if given is not None:
        email, link = given
        shown = {"email": email, "url": link_address(link.token), "expires": link.expires_at}
    return render_template(
        "admin/accounts.html",
        accounts=list_accounts(db()),
        links=open_links(db()),
        roles=ROLES,
        form=form or AccountForm(formdata=None),
        action_form=ActionForm(),
        refusal=refusal,
        given=shown,
        me=current_user.id,
    ), status


@bp.get("/accounts")
@requires(MANAGE_ACCOUNTS)
def page():
    """Every account, what it may do, whether it is active; the form to add one."""
    return render_page()


@bp.post("/accounts")
@requires(MANAGE_ACCOUNTS)
def add():
    """Add an account and show the link its person chooses a password with (once)."""
    form = AccountForm()
    if not form.validate_on_submit():
        return render_page(400, refused("account-form", form), form)
    try:
        user, link = account_changes.add_with_link(
            db(), current_user, form.email.data, form.name.data, form.role.data
        )
    except AccountError as exc:
        field = "role" if exc.key == "err.role" else "email"
        return render_page(400, Refusal("account-form", t(exc.key), (field,)), form)
    flash(t("accounts.added", email=user.email), "info")
    return render_page(given=(user.email, link))


def _change(account_id: int, change: Callable[[Database, StaffUser, int], T]) -> T | None:
    """Run one change of an account; a refusal is shown and None returned."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        return change(db(), current_user, account_id)
    except AccountError as exc:
        if exc.key == "err.no_account":
            abort(404)
        if exc.key == "err.forbidden":
            abort(403)
        flash(t(exc.key), "error")
        return None


@bp.post("/accounts/<int:account_id>/disable")
@requires(MANAGE_ACCOUNTS)
def disable(account_id: int):
    """Switch an account off: it cannot sign in, and its open sessions end."""
    email = _change(account_id, account_changes.disable)
    if email is None:
        return render_page(409)
    flash(t("accounts.disabled", email=email), "info")
    return redirect(url_for("admin.accounts.page") + f"#account-{account_id}")


@bp.post("/accounts/<int:account_id>/enable")
@requires(MANAGE_ACCOUNTS)
def enable(account_id: int):
    """Switch a disabled account on again."""
    email = _change(account_id, account_changes.enable)
    if email is None:
        return render_page(409)
    flash(t("accounts.enabled", email=email), "info")
    return redirect(url_for("admin.accounts.page") + f"#account-{account_id}")


@bp.post("/accounts/<int:account_id>/reset")
@requires(MANAGE_ACCOUNTS)
def reset(account_id: int):
    """End the account's password and sessions; show a new set-password link (once)."""
    given = _change(account_id, account_changes.reset)
    if given is None:
        return render_page(409)
    flash(t("accounts.reset", email=given[0]), "info")
    return render_page(given=given)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password through a one-time link; then sign in with it."""
    form = SetPasswordForm()
    try:
        user = account_for(db(), token)
    except AccountError as exc:
        return render_template("admin/set_password.html", broken=t(exc.key), form=form), 410
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        refusal = refused("password-form", form) if form.is_submitted() else None
        return _set_password_page(form, user.email, refusal, status)
    try:
        use_link(db(), token, form.password.data)
    except AccountError as exc:
        if exc.key in ("err.password_short", "err.password_long"):
            said = t(exc.key, min=MIN_PASSWORD, max=MAX_PASSWORD)
            refusal = Refusal("password-form", said, ("password",))
            return _set_password_page(form, user.email, refusal, 400)
        return render_template("admin/set_password.html", broken=t(exc.key), form=form), 410
    flash(t("password.chosen"), "info")
    return redirect(url_for("admin.sign_in.page", email=user.email))


def _set_password_page(form: SetPasswordForm, email: str, refusal: Refusal | None, status: int):
    """The set-password form for this account's e-mail."""
    return render_template(
        "admin/set_password.html",
        form=form,
        email=email,
        refusal=refusal,
        broken=None,
        min_length=MIN_PASSWORD,
    ), status
