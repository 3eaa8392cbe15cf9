"""Signing in and out, and the interface language (/staff/sign-in, /sign-out, /ui/<lang>)."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit
from ..models import utcnow
from .accounts import SESSION_VERSION, SignIn, StaffUser, end_sessions, sign_in
from .actions import db, log_change
from .forms import SignInForm
from .i18n import t

bp = Blueprint("sign_in", __name__)
MENU = None  # reached from every page's header, not the menu
INTERFACE_LANGUAGES = ("nb", "en")


def safe_next(target: str | None) -> str:
    """Only paths inside the staff pages: never an open redirect, never a header broken by
    control characters (CR/LF) or a backslash some browsers read as a slash."""
    if (
        target
        and target.startswith("/staff")
        and not target.startswith("//")
        and target.isprintable()
        and "\\" not in target
        and len(target) <= 2000
    ):
        return target
    return url_for("admin.line.page")


def _fresh_session(user: StaffUser | None = None) -> None:
    """Forget the session (no fixation of a cookie set before), keeping the interface language."""
    ui = session.get("ui_lang")
    session.clear()
    if ui:
        session["ui_lang"] = ui
    if user is not None:
        login_user(user)
        session[SESSION_VERSION] = user.session_version
        # Not permanent: the cookie ends with the browser, and Flask-Login's "strong" session
        # protection only works on such sessions (a permanent one is merely marked not fresh).
        # With it, the cookie used from another address or browser signs nobody in. The
        # STAFF_SESSION_HOURS limit is kept on the server (signed_in_at), whatever the cookie.
        session.permanent = False
        session["signed_in_at"] = utcnow().timestamp()


@bp.route("/sign-in", methods=["GET", "POST"])
def page():
    """The sign-in form; refused without checking the password once the limit is reached."""
    form = SignInForm(email=request.args.get("email", "")[:254])  # e.g. after choosing a password
    status = 200
    if form.validate_on_submit():
        config = current_app.config
        limits = (
            config["STAFF_SIGNIN_WINDOW_MINUTES"],
            config["STAFF_SIGNIN_MAX_PER_ACCOUNT"],
            config["STAFF_SIGNIN_MAX_PER_IP"],
        )
        outcome, user = sign_in(
            db(), form.email.data, form.password.data, request.remote_addr or "unknown", limits
        )
        if outcome is SignIn.OK and user is not None:
            _fresh_session(user)
            audit.record(db(), user.label, "staff.sign_in")
            return redirect(safe_next(request.args.get("next")))
        if outcome is SignIn.LIMITED:
            flash(t("sign_in.limited"), "error")
            status = 429
        else:
            flash(t("sign_in.wrong"), "error")
            status = 401
    elif form.is_submitted():
        status = 400  # the template shows each field's error next to it
    return render_template("admin/sign_in.html", form=form), status


@bp.post("/sign-out")
@login_required
def sign_out():
    """Sign out and forget the session; a copy of its cookie no longer signs anyone in."""
    log_change("staff.sign_out")
    end_sessions(db(), current_user.id)
    logout_user()
    _fresh_session()
    flash(t("signed_out"), "info")
    return redirect(url_for("admin.sign_in.page"))


@bp.get("/ui/<lang>")
def interface_language(lang: str):
    """Switch the interface between Norwegian and English."""
    if lang in INTERFACE_LANGUAGES:
        session["ui_lang"] = lang
    return redirect(safe_next(request.args.get("next")))
