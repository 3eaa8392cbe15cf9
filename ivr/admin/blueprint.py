"""The /staff blueprint and what every staff request goes through: session expiry, CSRF,
safe headers, error pages. The pages themselves are blueprints nested in it (see __init__.py),
so all of this applies to each of them."""

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
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge

from ..models import utcnow
from .i18n import t, tn, ui_language

bp = Blueprint(
    "admin", __name__, url_prefix="/staff", template_folder="templates", static_folder="static"
)
csrf = CSRFProtect()
# The forms a person who is not signed in may send (with their CSRF token, like every form).
PUBLIC_FORMS = frozenset({"admin.sign_in.page", "admin.accounts.set_password"})

# No inline scripts or styles; nothing from elsewhere; never inside a frame.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


@bp.before_request
def end_expired_session():
    """Sign out a session older than STAFF_SESSION_HOURS, whatever the cookie says."""
    if not current_user.is_authenticated:
        return None
    started = session.get("signed_in_at", 0)
    if utcnow().timestamp() - started <= current_app.config["STAFF_SESSION_HOURS"] * 3600:
        return None
    logout_user()
    session.pop("signed_in_at", None)
    flash(t("session_expired"), "error")
    return redirect(url_for("admin.sign_in.page", next=request.path))


@bp.before_request
def check_post():
    """A POST needs a signed-in person (except signing in) and the form's CSRF token.

    The caller's webhooks are not checked here: they carry Twilio's signature instead.
    """
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if not current_user.is_authenticated and request.endpoint not in PUBLIC_FORMS:
        flash(t("sign_in_needed"), "info")  # e.g. the session expired while the form was open
        return redirect(url_for("admin.sign_in.page"))
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


@bp.after_request
def safe_headers(response):
    """Staff pages are private: not cached, not framed, no foreign scripts."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "admin.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def bad_csrf(error):
    """A form that is too old or forged: say so, change nothing."""
    return render_template("admin/error.html", message=t("err.csrf")), 400


@bp.errorhandler(403)
def forbidden(error):
    """A signed-in person whose role may not do this."""
    return render_template("admin/error.html", message=t("err.forbidden")), 403


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """An upload over STAFF_UPLOAD_MAX_MB, refused before it was read."""
    message = t("upload.too_large", mb=current_app.config["STAFF_UPLOAD_MAX_MB"])
    return render_template("admin/error.html", message=message), 413


@bp.app_context_processor
def interface_text():
    """`_` translates interface text in templates (`_n` with a plural for a number); `ui` is
    the chosen language."""
    return {"_": t, "_n": tn, "ui": ui_language()}
