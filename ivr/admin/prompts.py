"""The prompt pages (/staff/prompts): what callers hear, per prompt and language.

The grid shows every prompt × language; a prompt's page shows its text, the player of what
plays now, drafts and every version, with the forms of recordings.py (upload, publish,
restore, purge) and prompt_texts.py (edit, publish, go back to the file's text). Everything
staff change there is a draft until published.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_login import current_user, login_required

from .. import texts
from ..audio.library import PromptState, words_hash
from ..catalog import SOURCE_LANGUAGE, Catalog, Prompt
from ..line import languages_in_order
from ..translations import english_before, segment_state
from .accounts import EDIT_PROMPTS, PURGE
from .actions import catalog, db, recordings
from .forms import ActionForm, TextForm, UploadForm
from .i18n import t
from .outline import prompt_name, prompts_in_order
from .refusals import Refusal

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


def problems_said(state: PromptState) -> list[str]:
    """What is wrong with the file that plays, in the person's language (found by
    `Recordings.state`, by the rules of ivr.audio.processing)."""
    return [
        t(
            f"problem.{code}",
            **{
                name: format_percent(value, "0.00%")
                if name == "clipped"
                else format_decimal(value, "0.#")
                for name, value in values.items()
            },
        )
        for code, values in state.problem_codes
    ]


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
        # The same ids in every language: grouped by topic, in call order, in staff's words.
        "admin/prompts.html",
        groups=prompts_in_order(scripts, shown[0]),
        name=lambda p: prompt_name(scripts, p),
        shown=[scripts.languages[c] for c in shown],
        all_languages=[scripts.languages[c] for c in codes],
        chosen=chosen,
        states={(s.prompt.id, s.prompt.lang): s for s in lib.states(shown)},
        audio_state=lambda s: audio_state(scripts, s),
        audio_drafts=set(lib.drafts()),
        text_drafts=texts.drafts(db()),
        text_state=lambda p, lang: segment_state(scripts, scripts.languages[lang], p.segment),
    )


@bp.get("/prompts/<prompt_id>/<lang>")
@login_required
def prompt(prompt_id: str, lang: str):
    """The text, the player of what plays now, drafts, every version; upload, record, edit."""
    return render_prompt(prompt_or_404(prompt_id, lang))


def who(by: str) -> str:
    """Who made a version, in the staff's words (the build and the command line by name)."""
    return t(f"by.{by}") if by in ("build", "cli") else by


def _versions(prompt: Prompt, published: texts.TextChoice | None) -> dict:
    """The text versions; which one each TTS version says (text-to-speech of other words
    than the published text can only play with its text); the newest draft, which the edit
    field shows (a saved draft is not lost)."""
    versions = texts.versions(db(), prompt.segment, prompt.lang)
    said = {words_hash(v.text.replace("{key}", prompt.key or "")): v.id for v in reversed(versions)}
    return {
        "text_versions": versions,
        "text_version_by_hash": said,
        "published_words": words_hash(recordings().published_words(prompt.id, prompt.lang)),
        "editing_draft": next((v for v in versions if texts.is_draft(v, published)), None),
    }


def _english(scripts: Catalog, prompt: Prompt) -> dict:
    """For a translation: the English to translate from now and, when the translation is
    outdated, the English it was made from."""
    if prompt.lang == SOURCE_LANGUAGE:
        return {"english_now": None, "english_before": None}
    before = None
    if segment_state(scripts, scripts.languages[prompt.lang], prompt.segment) == "outdated":
        before = english_before(scripts, prompt.lang, prompt.segment, texts.english_versions(db()))
    return {
        "english_now": scripts.languages[SOURCE_LANGUAGE].texts[prompt.segment],
        "english_before": before,
    }


def render_prompt(
    prompt: Prompt,
    text_form: TextForm | None = None,
    text_error: str = "",
    status: int = 200,
    upload_error: Refusal | None = None,
):
    """The prompt page; with `text_error` the edit form shows the text as typed and why it
    was refused, next to the field; with `upload_error`, the upload form says why."""
    lang = prompt.lang
    scripts, lib = catalog(), recordings()
    language = scripts.languages[lang]
    current = lib.current().get((prompt.id, lang))
    published = texts.choice(db(), prompt.segment, lang)
    versions = _versions(prompt, published)
    editing = versions["editing_draft"]
    return render_template(
        "admin/prompt.html",
        prompt=prompt,
        language=language,
        prompt_title=prompt_name(scripts, prompt),
        who=who,
        upload_error=upload_error,
        text=scripts.text(prompt),
        raw_text=language.texts.get(prompt.segment, ""),
        published=published,
        **versions,
        **_english(scripts, prompt),
        text_draft=lambda v: texts.is_draft(v, published),
        text_state=segment_state(scripts, language, prompt.segment),
        state=(state := lib.state(prompt, current)),
        problems_said=problems_said(state),
        current=current,
        history=lib.history(prompt.id, lang),
        drafts={r.id for r in lib.drafts().get((prompt.id, lang), [])},
        has_file=lib.store.has,
        audio_state=lambda s: audio_state(scripts, s),
        upload_form=UploadForm(),
        text_form=text_form
        or TextForm(
            formdata=None, text=editing.text if editing else language.texts.get(prompt.segment, "")
        ),
        text_error=text_error,
        max_text=texts.MAX_TEXT,
        action_form=ActionForm(),
        may_edit=current_user.may(EDIT_PROMPTS),
        may_purge=current_user.may(PURGE),
        max_mb=current_app.config["STAFF_UPLOAD_MAX_MB"],
    ), status
