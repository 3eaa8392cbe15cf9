"""The staff pages at /staff: sign-in, the line, prompts and texts, languages, audit log,
staff accounts.

Each page module has its own blueprint, nested in the /staff blueprint (blueprint.py), which
gives every page sign-in expiry, CSRF checks and safe headers. A new staff page is one module
with `bp` (a Blueprint named after it) and `MENU` (its menu label key, or None; optionally
`MENU_ROLES`: only these roles see it in the menu), listed once in PAGES below; its endpoints
are "admin.<name>.<view>".

`register(app)` sets up sessions, Flask-Login and CSRF protection and mounts the blueprint.
The caller's webhooks are not touched: CSRF is checked only on the staff pages.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, send_from_directory, session
from flask_login import LoginManager, current_user

from ..services import services
from . import (
    audit,
    closures,
    i18n,
    languages,
    line,
    prompt_texts,
    prompts,
    recordings,
    sign_in,
    simulator,
    staff_accounts,
    statistics,
)
from .accounts import SESSION_VERSION, load_user
from .blueprint import bp, csrf
from .i18n import t

# The staff pages, in the order of the menu.
PAGES = (
    line,
    closures,
    prompts,
    recordings,
    prompt_texts,
    languages,
    simulator,
    statistics,
    audit,
    staff_accounts,
    sign_in,
)

for _page in PAGES:
    bp.register_blueprint(_page.bp)

# (label key, endpoint of the page, its blueprint, who sees it) for each page in the menu; a
# page with MENU_ROLES is in the menu of those roles only (its views check the role anyway).
MENU = tuple(
    (
        page.MENU,
        f"admin.{page.bp.name}.page",
        f"admin.{page.bp.name}",
        getattr(page, "MENU_ROLES", None),
    )
    for page in PAGES
    if page.MENU
)


@bp.app_context_processor
def staff_menu() -> dict:
    """`menu`: the staff pages' menu for the signed-in person, for base.html."""
    signed_in = current_user.is_authenticated
    return {
        "menu": [
            (label, endpoint, blueprint)
            for label, endpoint, blueprint, roles in MENU
            if roles is None or (signed_in and current_user.may(roles))
        ]
    }


def register(app: Flask) -> None:
    """Session cookie flags, sign-in, CSRF and the blueprint."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["STAFF_SESSION_HOURS"]),
        REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_HTTPONLY=True,
        # CSRF is checked by the blueprint itself, so other blueprints (webhooks) are untouched.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (at most 8 h) session
    )
    i18n.register(app)
    csrf.init_app(app)
    logins = LoginManager()
    logins.login_view = "admin.sign_in.page"
    logins.login_message = "sign_in_needed"
    logins.login_message_category = "info"
    logins.localize_callback = t
    # Effective because staff sessions are not permanent (sign_in.py): a session cookie sent
    # from another address or browser than the one that signed in ends that session.
    logins.session_protection = "strong"
    logins.user_loader(
        lambda user_id: load_user(services(app).db, user_id, session.get(SESSION_VERSION))
    )
    logins.init_app(app)
    app.register_blueprint(bp)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


STATIC = Path(__file__).parent / "static"  # the blueprint's static folder


def _favicon():
    """The line's icon, for browsers that ask for /favicon.ico (the staff pages link it)."""
    return send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
