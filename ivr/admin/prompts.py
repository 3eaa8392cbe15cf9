"""The prompt pages (/staff/prompts): what callers hear, per prompt and language.

The grid shows every prompt × language; a prompt's page shows its text, the player of what
plays now, drafts and every version, with the forms of recordings.py (upload, publish,
restore, purge) and prompt_texts.py (edit, publish, go back to the file's text). Everything
staff change there is a draft until published.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from .. import texts
from ..audio.library import PromptState
from ..catalog import Catalog, Prompt
from ..line import languages_in_order
from ..translations import segment_state
from .accounts import EDIT_PROMPTS, PURGE
from .actions import catalog, db, recordings
from .forms import ActionForm, TextForm, UploadForm

bp = Blueprint("prompts", __name__)
MENU = "nav.prompts"


def prompt_or_404(prompt_id: str, lang: str) -> Prompt:
    """The prompt with this id in this language; 404 when there is none."""
    try:
        return recordings().prompt(prompt_id, lang)
    except ValueError:
        abort(404)


def prompt_url(prompt: Prompt, anchor: str = "") -> str:
    """The address of a prompt's page, at `anchor` (e.g. "#now")."""
    return url_for("admin.prompts.prompt", prompt_id=prompt.id, lang=prompt.lang) + anchor


def audio_state(scripts: Catalog, state: PromptState) -> str:
    """human | tts | stale | say | missing: what a caller hears for this prompt now."""
    if state.state != "missing":
        return state.state
    return "say" if scripts.languages[state.prompt.lang].has_say else "missing"


@bp.get("/prompts")
@login_required
def page():
    """Prompt × language: audio that plays, text state, drafts waiting; filter by language."""
    scripts = catalog()
    codes = languages_in_order(scripts)
    chosen = request.args.get("lang", "")
    shown = [chosen] if chosen in scripts.languages else codes
    lib = recordings()
    return render_template(
        "admin/prompts.html", rows=scripts.all_prompts(shown[0]),  # the same ids everywhere
        shown=[scripts.languages[c] for c in shown],
        all_languages=[scripts.languages[c] for c in codes], chosen=chosen,
        states={(s.prompt.id, s.prompt.lang): s for s in lib.states(shown)},
        audio_state=lambda s: audio_state(scripts, s), audio_drafts=set(lib.drafts()),
        text_drafts=texts.drafts(db()),
        text_state=lambda p, lang: segment_state(scripts, scripts.languages[lang], p.segment),
    )


@bp.get("/prompts/<prompt_id>/<lang>")
@login_required
def prompt(prompt_id: str, lang: str):
    """The text, the player of what plays now, drafts, every version; upload, record, edit."""
    return render_prompt(prompt_or_404(prompt_id, lang))


def render_prompt(prompt: Prompt, text_form: TextForm | None = None, text_error: str = "",
                  status: int = 200):
    """The prompt page; with `text_error` the edit form shows the text as typed and why it
    was refused, next to the field."""
    lang = prompt.lang
    scripts, lib = catalog(), recordings()
    language = scripts.languages[lang]
    current = lib.current().get((prompt.id, lang))
    published = texts.choice(db(), prompt.segment, lang)
    return render_template(
        "admin/prompt.html", prompt=prompt, language=language,
        text=scripts.text(prompt), raw_text=language.texts.get(prompt.segment, ""),
        published=published, text_versions=texts.versions(db(), prompt.segment, lang),
        text_draft=lambda v: texts.is_draft(v, published),
        text_state=segment_state(scripts, language, prompt.segment),
        state=lib.state(prompt, current), current=current, history=lib.history(prompt.id, lang),
        drafts={r.id for r in lib.drafts().get((prompt.id, lang), [])},
        has_file=lib.store.has, audio_state=lambda s: audio_state(scripts, s),
        upload_form=UploadForm(),
        text_form=text_form or TextForm(text=language.texts.get(prompt.segment, "")),
        text_error=text_error, max_text=texts.MAX_TEXT, action_form=ActionForm(),
        may_edit=current_user.may(EDIT_PROMPTS), may_purge=current_user.may(PURGE),
        max_mb=current_app.config["STAFF_UPLOAD_MAX_MB"],
    ), status
