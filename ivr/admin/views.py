"""The staff pages: sign-in, the line (hours, switch, transfer, languages), reviews, audit log.

Every change goes through a POST with a CSRF token, checks the role, writes the audit log and
redirects (post/redirect/get), so a reload never repeats a change.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import datetime, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..catalog import Catalog
from ..catalog import texts_fingerprint as catalog_fingerprint
from ..config import E164
from ..hours import OSLO, holiday_name, is_open
from ..models import Closure, LanguageReview, LineSwitch, utcnow
from ..schedule import LineSettings, set_switch, write_setting
from ..services import services
from ..voice.routes import offered_languages
from . import audit, calendar
from .accounts import EDIT_LINE, REVIEW, SESSION_VERSION, SignIn, end_sessions, sign_in
from .blueprint import bp
from .forms import ActionForm, CloseForm, ClosureForm, LanguagesForm, SignInForm, TransferForm
from .i18n import t

CALENDAR_WEEKS = 14
MAX_TRANSFER_NUMBERS = 10


def _db():
    return services().db


def _catalog() -> Catalog:
    return services().catalog


def _line_settings() -> LineSettings:
    return services().line.settings()


def requires(roles: frozenset[str]):
    """Refuse (403) a signed-in person whose role is not one of `roles`."""

    def decorate(view):
        @functools.wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if not current_user.may(roles):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def _log(action: str, detail: str = "") -> None:
    audit.record(_db(), current_user.label, action, detail)


def _safe_next(target: str | None) -> str:
    """Only paths inside the staff pages: never an open redirect."""
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return url_for("admin.line")


def _form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(t(error), "error")


# Signing in and out --------------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    """The sign-in form; refused without checking the password once the limit is reached."""
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        config = current_app.config
        limits = (config["STAFF_SIGNIN_WINDOW_MINUTES"], config["STAFF_SIGNIN_MAX_PER_ACCOUNT"],
                  config["STAFF_SIGNIN_MAX_PER_IP"])
        outcome, user = sign_in(_db(), form.email.data, form.password.data,
                                request.remote_addr or "unknown", limits)
        if outcome is SignIn.OK:
            ui = session.get("ui_lang")
            session.clear()  # a fresh session: no fixation of a cookie set before signing in
            if ui:
                session["ui_lang"] = ui
            login_user(user)
            session[SESSION_VERSION] = user.session_version
            session.permanent = True
            session["signed_in_at"] = utcnow().timestamp()
            audit.record(_db(), user.label, "staff.sign_in")
            return redirect(_safe_next(request.args.get("next")))
        if outcome is SignIn.LIMITED:
            flash(t("sign_in.limited"), "error")
            status = 429
        else:
            flash(t("sign_in.wrong"), "error")
            status = 401
    elif form.is_submitted():
        _form_errors(form)
        status = 400
    return render_template("admin/sign_in.html", form=form), status


@bp.post("/sign-out")
@login_required
def sign_out():
    """Sign out and forget the session; a copy of its cookie no longer signs anyone in."""
    _log("staff.sign_out")
    end_sessions(_db(), current_user.id)
    logout_user()
    ui = session.get("ui_lang")
    session.clear()
    if ui:
        session["ui_lang"] = ui
    flash(t("signed_out"), "info")
    return redirect(url_for("admin.sign_in_page"))


@bp.get("/ui/<lang>")
def choose_ui_language(lang: str):
    """Switch the interface between Norwegian and English."""
    if lang in ("nb", "en"):
        session["ui_lang"] = lang
    return redirect(_safe_next(request.args.get("next")))


@bp.get("/")
@login_required
def home():
    return redirect(url_for("admin.line"))


# The line: hours, switch, transfer, languages ---------------------------------------------------


def _switch_row() -> LineSwitch | None:
    with _db().session() as s:
        return s.scalars(select(LineSwitch).where(LineSwitch.cleared_at.is_(None))
                         .order_by(LineSwitch.set_at.desc(), LineSwitch.id.desc()).limit(1)).first()


def _closures(start: datetime, end: datetime | None = None) -> list[Closure]:
    """Closures that overlap [start, end), or all that end after `start`."""
    query = select(Closure).where(Closure.ends_at > start).order_by(Closure.starts_at)
    if end is not None:
        query = query.where(Closure.starts_at < end)
    with _db().session() as s:
        return list(s.scalars(query))


@bp.get("/line")
@login_required
def line():
    """The line page: the switch, the calendar, closures, transfer numbers, languages."""
    now = utcnow()
    today = now.astimezone(OSLO).date()
    first = today - timedelta(days=today.weekday())
    start = datetime.combine(first, time(0), OSLO)
    end = start + timedelta(weeks=CALENDAR_WEEKS)
    closures = _closures(start, end)
    rows = [calendar.ClosureRow(c.id, c.starts_at, c.ends_at, c.reason) for c in closures]
    catalog = _catalog()
    settings = _line_settings()
    rules = services().line.rules(now)
    open_now = is_open(now, rules)
    # What "Back to regular hours" would do now: the rules without the manual switch.
    open_regularly = is_open(now, dataclasses.replace(rules, override=None))
    if open_regularly != open_now:
        back_effect = "line.back_opens" if open_regularly else "line.back_closes"
    else:
        back_effect = "line.back_stays_open" if open_now else "line.back_stays_closed"
    return render_template(
        "admin/line.html", back_effect=back_effect,
        open_now=open_now, why_closed=None if open_now else _why_closed(now, rules),
        switch=_switch_row(),
        weeks=calendar.build(first, CALENDAR_WEEKS, rows, today),
        closures=_closures(now), settings=settings,
        languages=[catalog.languages[c] for c in _language_order(catalog)],
        close_form=CloseForm(), action_form=ActionForm(), closure_form=ClosureForm(),
        transfer_form=TransferForm(numbers="\n".join(settings.transfer_numbers),
                                   timeout=settings.dial_timeout),
        languages_form=LanguagesForm(offer_drafts=settings.offer_drafts),
        may_edit=current_user.may(EDIT_LINE), to_oslo=lambda d: d.astimezone(OSLO),
    )


def _why_closed(now: datetime, rules) -> str:
    """Why the line is closed now, in the staff's words."""
    if rules.override is not None and rules.override.applies(now):
        return t("why.switch")
    if closure := next((c for c in rules.closures if c.covers(now)), None):
        return f"{t('why.closure')}: {closure.reason}" if closure.reason else t("why.closure")
    if name := holiday_name(now.astimezone(OSLO).date()):
        return f"{t('why.holiday')}: {name}"
    return t("why.hours")


def _language_order(catalog: Catalog) -> list[str]:
    codes = [c for c in catalog.order if c in catalog.languages]
    return codes + sorted(c for c in catalog.languages if c not in codes)


@bp.post("/line/close")
@requires(EDIT_LINE)
def close_line():
    """Close the line now: callers pressing 0 hear the callback information."""
    form = CloseForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("admin.line"))
    set_switch(_db(), False, form.reason.data.strip(), by=current_user.email)
    _log("line.close", form.reason.data.strip())
    flash(t("line.closed_now"), "info")
    return redirect(url_for("admin.line"))


@bp.post("/line/reopen")
@requires(EDIT_LINE)
def reopen_line():
    """Switch the manual closure off: the regular hours and closures apply again."""
    set_switch(_db(), None, by=current_user.email)
    _log("line.reopen")
    flash(t("line.reopened"), "info")
    return redirect(url_for("admin.line"))


def _closure_span(form: ClosureForm) -> tuple[datetime, datetime] | None:
    first = form.first_day.data
    last = form.last_day.data or first
    starts = datetime.combine(first, form.from_time.data or time(0), OSLO)
    if form.until_time.data:
        ends = datetime.combine(last, form.until_time.data, OSLO)
    else:
        ends = datetime.combine(last + timedelta(days=1), time(0), OSLO)
    if ends <= starts or ends - starts > timedelta(days=366):
        return None
    return starts, ends


@bp.post("/line/closures")
@requires(EDIT_LINE)
def add_closure():
    """Add a one-off closure (a whole day, several days, or part of a day)."""
    form = ClosureForm()
    span = _closure_span(form) if form.validate_on_submit() else None
    if span is None:
        _form_errors(form)
        if not form.errors:
            flash(t("err.span"), "error")
        return redirect(url_for("admin.line") + "#closures")
    reason = form.reason.data.strip()
    with _db().session() as s:
        s.add(Closure(starts_at=span[0], ends_at=span[1], reason=reason,
                      created_by=current_user.email))
    _log("closure.add", f"{span[0]:%Y-%m-%d %H:%M} – {span[1]:%Y-%m-%d %H:%M} Oslo: {reason}")
    flash(t("closure.added"), "info")
    return redirect(url_for("admin.line") + "#closures")


@bp.post("/line/closures/<int:closure_id>/remove")
@requires(EDIT_LINE)
def remove_closure(closure_id: int):
    """Remove a planned closure."""
    with _db().session() as s:
        row = s.get(Closure, closure_id)
        if row is None:
            abort(404)
        starts, ends, reason = row.starts_at.astimezone(OSLO), row.ends_at.astimezone(OSLO), row.reason
        s.delete(row)
    _log("closure.remove", f"{starts:%Y-%m-%d %H:%M} – {ends:%Y-%m-%d %H:%M} Oslo: {reason}")
    flash(t("closure.removed"), "info")
    return redirect(url_for("admin.line") + "#closures")


def parse_numbers(text: str) -> list[str]:
    """Phone numbers one per line, or separated by commas or semicolons; spaces and dots inside
    a number are dropped, so "+47 47 45 15 00" and "+47.47.45.15.00" are +4747451500."""
    numbers = (re.sub(r"[\s.]+", "", part) for part in re.split(r"[\n\r,;]+", text))
    return [n for n in numbers if n]


@bp.post("/line/transfer")
@requires(EDIT_LINE)
def set_transfer():
    """Change the numbers a caller pressing 0 is put through to, and how long they ring."""
    form = TransferForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("admin.line") + "#transfer")
    numbers = parse_numbers(form.numbers.data)
    if not numbers or len(numbers) > MAX_TRANSFER_NUMBERS or not all(E164.match(n) for n in numbers):
        flash(t("err.numbers"), "error")
        return redirect(url_for("admin.line") + "#transfer")
    numbers = list(dict.fromkeys(numbers))
    old = _line_settings()
    write_setting(_db(), "transfer_numbers", numbers)
    write_setting(_db(), "dial_timeout", form.timeout.data)
    _log("line.transfer", f"numbers {', '.join(old.transfer_numbers)} → {', '.join(numbers)}; "
                          f"ring {old.dial_timeout} s → {form.timeout.data} s")
    flash(t("saved"), "info")
    return redirect(url_for("admin.line") + "#transfer")


@bp.post("/line/languages")
@requires(EDIT_LINE)
def set_languages():
    """Which languages callers are offered, and whether draft translations are offered."""
    form = LanguagesForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return redirect(url_for("admin.line") + "#languages")
    codes = set(_catalog().languages)
    enabled = codes & set(request.form.getlist("enabled"))
    if not enabled:
        flash(t("err.no_language"), "error")
        return redirect(url_for("admin.line") + "#languages")
    disabled = sorted(codes - enabled)
    proposed = dataclasses.replace(_line_settings(), disabled_languages=frozenset(disabled),
                                   offer_drafts=bool(form.offer_drafts.data))
    if not offered_languages(_catalog(), proposed):
        flash(t("err.none_offered"), "error")
        return redirect(url_for("admin.line") + "#languages")
    write_setting(_db(), "disabled_languages", disabled)
    write_setting(_db(), "offer_drafts", bool(form.offer_drafts.data))
    _log("line.languages", f"switched off: {', '.join(disabled) or 'none'}; "
                           f"drafts offered: {'yes' if form.offer_drafts.data else 'no'}")
    flash(t("saved"), "info")
    return redirect(url_for("admin.line") + "#languages")


# Languages and reviews ----------------------------------------------------------------------


def texts_fingerprint(catalog: Catalog, code: str) -> str:
    """A fingerprint of all of a language's texts (with published staff texts), for reviews."""
    return catalog_fingerprint(catalog.languages[code].texts)


def _latest_reviews() -> dict[str, LanguageReview]:
    with _db().session() as s:
        rows = s.scalars(select(LanguageReview).order_by(LanguageReview.reviewed_at,
                                                         LanguageReview.id))
        return {row.lang: row for row in rows}


@bp.get("/languages")
@login_required
def languages():
    """Each language's review status: from the catalog files, and reviews recorded here."""
    catalog = _catalog()
    settings = _line_settings()
    return render_template(
        "admin/languages.html", reviews=_latest_reviews(), settings=settings,
        languages=[catalog.languages[c] for c in _language_order(catalog)],
        fingerprints={c: texts_fingerprint(catalog, c) for c in catalog.languages},
        action_form=ActionForm(), may_review=current_user.may(REVIEW),
        to_oslo=lambda d: d.astimezone(OSLO),
    )


@bp.post("/languages/<code>/reviewed")
@requires(REVIEW)
def mark_reviewed(code: str):
    """A reviewer confirms this language's texts as they are now."""
    catalog = _catalog()
    if code not in catalog.languages:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    fingerprint = texts_fingerprint(catalog, code)
    with _db().session() as s:
        s.add(LanguageReview(lang=code, reviewed_by=current_user.label, texts_hash=fingerprint))
    _log("language.reviewed", f"{code} ({catalog.languages[code].name}), texts {fingerprint}")
    services().texts.refresh()  # it counts as reviewed for callers at once
    flash(t("review.recorded"), "info")
    return redirect(url_for("admin.languages"))


# Audit log ------------------------------------------------------------------------------------


@bp.get("/audit")
@login_required
def audit_log():
    """Every change, newest first."""
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = audit.entries(_db(), page)
    return render_template("admin/audit.html", rows=rows, total=total, page=page,
                           pages=max((total + 99) // 100, 1),
                           to_oslo=lambda d: d.astimezone(OSLO))
