"""The line page (/staff/line): open or closed now and why, the manual switch, the calendar,
the numbers a caller pressing 0 is put through to, and which languages callers are offered.
(Planned closures are added and removed in closures.py.)

Every change goes through a POST with a CSRF token, checks the role, writes the audit log and
redirects (post/redirect/get), so a reload never repeats a change. A refused change shows the
page again at the refused form, with why and what was typed (`render_page` with a Refusal).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, time, timedelta

import phonenumbers
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..hours import OSLO, HoursRules, holiday_name, is_open
from ..line import languages_in_order, offered_languages
from ..models import Closure, LineSwitch, utcnow
from ..schedule import set_switch, write_setting
from ..services import services
from . import calendar
from .accounts import CHANGE_TRANSFER, EDIT_LINE
from .actions import audio, catalog, db, log_change, requires, settings
from .forms import ActionForm, CloseForm, ClosureForm, LanguagesForm, TransferForm
from .i18n import t
from .refusals import Refusal, refused

bp = Blueprint("line", __name__)
MENU = "nav.line"
CALENDAR_WEEKS = 14
COMING_DAYS = 366  # the list of coming holidays and closures: a year ahead
MAX_TRANSFER_NUMBERS = 10
ASCII_E164 = re.compile(r"\+[1-9][0-9]{6,14}", re.ASCII)


@bp.get("/")
@login_required
def home():
    """The staff pages open on the line page."""
    return redirect(url_for("admin.line.page"))


def _switch_row() -> LineSwitch | None:
    with db().session() as s:
        return s.scalars(
            select(LineSwitch)
            .where(LineSwitch.cleared_at.is_(None))
            .order_by(LineSwitch.set_at.desc(), LineSwitch.id.desc())
            .limit(1)
        ).first()


def closures_from(start: datetime, end: datetime | None = None) -> list[Closure]:
    """Closures that overlap [start, end), or all that end after `start`."""
    query = select(Closure).where(Closure.ends_at > start).order_by(Closure.starts_at)
    if end is not None:
        query = query.where(Closure.starts_at < end)
    with db().session() as s:
        return list(s.scalars(query))


def _planning(now: datetime) -> dict:
    """The calendar from this week's Monday, CALENDAR_WEEKS long, and the list of the coming
    year's holidays, eves and closures."""
    today = now.astimezone(OSLO).date()
    first = today - timedelta(days=today.weekday())
    start = datetime.combine(first, time(0), OSLO)
    rows = [
        calendar.ClosureRow(c.id, c.starts_at, c.ends_at, c.reason) for c in closures_from(start)
    ]
    end = start + timedelta(weeks=CALENDAR_WEEKS)
    return {
        "weeks": calendar.build(
            first, CALENDAR_WEEKS, [r for r in rows if r.starts_at < end], today
        ),
        "coming": calendar.coming(today, COMING_DAYS, rows),
    }


def _back_effect(now: datetime, rules: HoursRules) -> str:
    """What "Back to regular hours" would do now: the rules without the manual switch."""
    open_now = is_open(now, rules)
    open_regularly = is_open(now, dataclasses.replace(rules, override=None))
    if open_regularly != open_now:
        return "line.back_opens" if open_regularly else "line.back_closes"
    return "line.back_stays_open" if open_now else "line.back_stays_closed"


def _why_closed(now: datetime, rules: HoursRules) -> str:
    """Why the line is closed now, in the staff's words."""
    if rules.override is not None and rules.override.applies(now):
        return t("why.switch")
    if closure := next((c for c in rules.closures if c.covers(now)), None):
        return f"{t('why.closure')}: {closure.reason}" if closure.reason else t("why.closure")
    if name := holiday_name(now.astimezone(OSLO).date()):
        return f"{t('why.holiday')}: {name}"
    return t("why.hours")


@bp.get("/line")
@login_required
def page():
    """The line page: the switch, the calendar, closures, transfer numbers, languages."""
    return render_page()


def render_page(status: int = 200, refusal: Refusal | None = None, **forms):
    """The line page; with a `refusal`, the refused form (in `forms`, bound to what was typed)
    says why next to itself and the page opens there."""
    now, scripts, current = utcnow(), catalog(), settings()
    rules = services().line.rules(now)
    open_now = is_open(now, rules)
    forms = {
        "close_form": CloseForm(formdata=None),
        "closure_form": ClosureForm(formdata=None),
        "transfer_form": TransferForm(
            formdata=None, numbers="\n".join(current.transfer_numbers), timeout=current.dial_timeout
        ),
        "languages_form": LanguagesForm(formdata=None, offer_drafts=current.offer_drafts),
        "enabled": {c for c in scripts.languages if c not in current.disabled_languages},
        **forms,
    }
    return render_template(
        "admin/line.html",
        back_effect=_back_effect(now, rules),
        open_now=open_now,
        why_closed=None if open_now else _why_closed(now, rules),
        next_change=calendar.next_change(now, rules),
        switch=_switch_row(),
        closures=closures_from(now),
        settings=current,
        **_planning(now),
        span=calendar.span,
        refusal=refusal,
        languages=[scripts.languages[c] for c in languages_in_order(scripts)],
        action_form=ActionForm(),
        **forms,
        may_edit=current_user.may(EDIT_LINE),
        may_transfer=current_user.may(CHANGE_TRANSFER),
    ), status


@bp.post("/line/close")
@requires(EDIT_LINE)
def close():
    """Close the line now: callers pressing 0 hear the callback information."""
    form = CloseForm()
    if not form.validate_on_submit():
        return render_page(400, refused("close-form", form), close_form=form)
    set_switch(db(), False, form.reason.data.strip(), by=current_user.label)
    log_change("line.close", form.reason.data.strip())
    flash(t("line.closed_now"), "info")
    return redirect(url_for("admin.line.page"))


@bp.post("/line/reopen")
@requires(EDIT_LINE)
def reopen():
    """Switch the manual closure off: the regular hours and closures apply again."""
    set_switch(db(), None, by=current_user.label)
    log_change("line.reopen")
    flash(t("line.reopened"), "info")
    return redirect(url_for("admin.line.page"))


def parse_numbers(text: str) -> list[str]:
    """Phone numbers one per line, or separated by commas or semicolons; spaces and dots inside
    a number are dropped, so "+47 47 45 15 00" and "+47.47.45.15.00" are +4747451500."""
    numbers = (re.sub(r"[\s.]+", "", part) for part in re.split(r"[\n\r,;]+", text))
    return [n for n in numbers if n]


def valid_number(number: str) -> str | None:
    """The number in E.164 if it is written with + and the ASCII digits 0-9 only and
    `phonenumbers` knows it as a valid number in its country; else None. (Other scripts'
    digits, which phonenumbers would quietly read, are refused: staff must see what is saved.)"""
    if not ASCII_E164.fullmatch(number):
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@bp.post("/line/transfer")
@requires(CHANGE_TRANSFER)
def set_transfer():
    """Change the numbers a caller pressing 0 is put through to, and how long they ring.
    Admins only: every caller who asks for a person goes where these numbers say."""
    form = TransferForm()
    back = url_for("admin.line.page") + "#transfer"
    if not form.validate_on_submit():
        return render_page(400, refused("transfer-form", form), transfer_form=form)
    numbers = [valid_number(n) for n in parse_numbers(form.numbers.data)]
    if not numbers or len(numbers) > MAX_TRANSFER_NUMBERS or None in numbers:
        return render_page(
            400, Refusal("transfer-form", t("err.numbers"), ("numbers",)), transfer_form=form
        )
    numbers = list(dict.fromkeys(numbers))
    old = settings()
    write_setting(db(), "transfer_numbers", numbers)
    write_setting(db(), "dial_timeout", form.timeout.data)
    log_change(
        "line.transfer",
        old_numbers=list(old.transfer_numbers),
        numbers=[n for n in numbers if n],
        old_ring=old.dial_timeout,
        ring=form.timeout.data,
    )
    flash(t("saved"), "info")
    return redirect(back)


@bp.post("/line/languages")
@requires(EDIT_LINE)
def set_languages():
    """Which languages callers are offered, and whether draft translations are offered."""
    form = LanguagesForm()
    back = url_for("admin.line.page") + "#languages"
    codes = set(catalog().languages)
    enabled = codes & set(request.form.getlist("enabled"))
    if not form.validate_on_submit():
        return render_page(
            400, refused("languages-form", form), languages_form=form, enabled=enabled
        )
    if not enabled:
        return render_page(
            400,
            Refusal("languages-form", t("err.no_language"), ("enabled",)),
            languages_form=form,
            enabled=enabled,
        )
    disabled = sorted(codes - enabled)
    proposed = dataclasses.replace(
        settings(),
        disabled_languages=frozenset(disabled),
        offer_drafts=bool(form.offer_drafts.data),
    )
    if not offered_languages(catalog(), proposed, audio().url_for):
        return render_page(
            400,
            Refusal("languages-form", t("err.none_offered"), ("enabled",)),
            languages_form=form,
            enabled=enabled,
        )
    write_setting(db(), "disabled_languages", disabled)
    write_setting(db(), "offer_drafts", bool(form.offer_drafts.data))
    log_change("line.languages", off=disabled, drafts=bool(form.offer_drafts.data))
    flash(t("saved"), "info")
    return redirect(back)
