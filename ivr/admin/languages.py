"""Languages and reviews (/staff/languages): each language's review status and what there is
to do, reviewers confirming a language's texts as they are now, and each language's worklist
(/staff/languages/<code>/work)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..catalog import SOURCE_LANGUAGE, Catalog
from ..catalog import texts_fingerprint as catalog_fingerprint
from ..line import languages_in_order
from ..models import LanguageReview
from .accounts import REVIEW
from .actions import catalog, db, log_change, published_texts, requires, settings
from .forms import ActionForm
from .i18n import t
from .outline import segment_name
from .worklist import language_worklists

bp = Blueprint("languages", __name__)
MENU = "nav.languages"


def texts_fingerprint(scripts: Catalog, code: str) -> str:
    """A fingerprint of all of a language's texts (with published staff texts), for reviews."""
    return catalog_fingerprint(scripts.languages[code].texts)


def _latest_reviews() -> dict[str, LanguageReview]:
    with db().session() as s:
        rows = s.scalars(
            select(LanguageReview).order_by(LanguageReview.reviewed_at, LanguageReview.id)
        )
        return {row.lang: row for row in rows}


@bp.get("/languages")
@login_required
def page():
    """Each language's review status: from the catalog files, and reviews recorded here."""
    scripts = catalog()
    return render_template(
        "admin/languages.html",
        reviews=_latest_reviews(),
        settings=settings(),
        work=language_worklists(list(scripts.languages)),
        languages=[scripts.languages[c] for c in languages_in_order(scripts)],
        fingerprints={c: texts_fingerprint(scripts, c) for c in scripts.languages},
        action_form=ActionForm(),
        may_review=current_user.may(REVIEW),
    )


@bp.post("/languages/<code>/reviewed")
@requires(REVIEW)
def mark_reviewed(code: str):
    """A reviewer confirms this language's texts as they are now."""
    scripts = catalog()
    if code not in scripts.languages:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    fingerprint = texts_fingerprint(scripts, code)
    with db().session() as s:
        s.add(LanguageReview(lang=code, reviewed_by=current_user.label, texts_hash=fingerprint))
    log_change("language.reviewed", lang=code, texts=fingerprint)
    published_texts().refresh()  # it counts as reviewed for callers at once
    flash(t("review.recorded"), "info")
    return redirect(url_for("admin.languages.page"))


@bp.get("/languages/<code>/work")
@login_required
def worklist(code: str):
    """One language's worklist, each item with the words to work from and a link to the
    prompt page where it is done."""
    scripts = catalog()
    if code not in scripts.languages:
        abort(404)
    first_prompt = {p.segment: p for p in reversed(scripts.all_prompts(code))}
    return render_template(
        "admin/worklist.html",
        language=scripts.languages[code],
        work=language_worklists([code])[code],
        is_source=code == SOURCE_LANGUAGE,
        first_prompt=first_prompt,
        name=lambda segment: segment_name(scripts, segment),
    )
