"""Texts on the prompt pages: save a version (rendered with TTS as a draft), publish it with
its audio, restore an earlier one, or go back to the file in prompts/. All audited.

Which recording plays after a text changes is decided by `Recordings` (audio/library.py);
these views only carry out the staff's request and show the outcome.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request
from flask_login import current_user

from .. import texts
from ..audio.build import Builder
from ..audio.engines import engines_from_setting
from ..audio.library import Render, Rendered, TextAudio
from ..spelled_numbers import spelled_numbers
from .accounts import EDIT_PROMPTS
from .actions import (
    callers_hear_changes,
    catalog,
    db,
    log_change,
    recordings,
    requires,
    show_errors,
)
from .forms import ActionForm, TextForm
from .i18n import t
from .prompts import prompt_or_404, prompt_url, render_prompt

bp = Blueprint("texts", __name__)
MENU = None  # part of the prompt pages


def _speaker() -> Render:
    """TTS with the engines in TTS_ENGINES for this request, built at the first use; one
    Builder, so an engine found unreachable is not tried again for the next prompt."""
    builder: Builder | None = None

    def speak(words: str, lang: str) -> Rendered:
        nonlocal builder
        if builder is None:
            engines = engines_from_setting(current_app.config["TTS_ENGINES"])
            builder = Builder(recordings(), engines, by=current_user.label)
        return builder.render(words, lang)

    return speak


@bp.post("/prompts/<prompt_id>/<lang>/text")
@requires(EDIT_PROMPTS)
def save(prompt_id: str, lang: str):
    """A new version of the text, rendered with TTS as a draft to listen to."""
    prompt = prompt_or_404(prompt_id, lang)
    form = TextForm()
    if not form.validate_on_submit():
        show_errors(form)
        return redirect(prompt_url(prompt, "#edit"))
    try:
        version = texts.save_version(
            db(), catalog(), prompt.segment, lang, form.text.data, current_user.label
        )
    except texts.TextRefused as exc:
        message = t(
            f"err.text_{exc.reason}", numbers=", ".join(exc.expected) or "–", max=texts.MAX_TEXT
        )
        return render_prompt(prompt, form, message, 400)
    log_change(
        "text.save", version.text[:200], lang=lang, segment=prompt.segment, version=version.id
    )
    _flag_number_words(version)
    by = current_user.label
    audio = recordings().draft_tts(version.segment, lang, version.text, _speaker(), by)
    if audio.failed:
        flash(t("text.saved_no_audio", reason=audio.failed), "error")
    else:
        flash(t("text.saved"), "info")
    return redirect(prompt_url(prompt, "#drafts"))


def _flag_number_words(version: texts.TextVersion) -> None:
    """Numbers written as words ("nine one one") escape the digit check: say so to the editor
    and put it in the audit log for a second person to check before it is published."""
    words = spelled_numbers(version.text, version.lang)
    if words:
        shown = "; ".join(f"“{w}”" for w in words)
        log_change(
            "text.number_words",
            lang=version.lang,
            segment=version.segment,
            version=version.id,
            words=list(words),
        )
        flash(t("text.number_words", words=shown), "error")


@bp.post("/texts/<int:version_id>/publish")
@requires(EDIT_PROMPTS)
def publish(version_id: int):
    """Make a text version live, with the TTS rendered from it (publish, or restore); where a
    person's recording plays, it keeps playing and the page says it is now stale."""
    version = texts.get_version(db(), version_id)
    if version is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    prompt = prompt_or_404(request.args.get("prompt", version.segment), version.lang)
    by, lib = current_user.label, recordings()
    drafted = lib.draft_tts(version.segment, version.lang, version.text, _speaker(), by)
    # Text and audio go live together, one editor at a time per segment (across processes):
    # two editors publishing at once leave one text and its audio, never a mix. (Rendering,
    # the slow part, is done before.) A version never published before is a publish.
    with texts.publishing(db(), version.segment, version.lang):
        first_time = not texts.was_published(db(), version.id)
        texts.publish_version(db(), version, by)
        played = lib.play_text(version.segment, version.lang, version.text, by)
    action = "publish" if first_time else "restore"
    callers_hear_changes()
    log_change(f"text.{action}", lang=version.lang, segment=version.segment, version=version.id)
    if played.kept_human:
        flash(t("text.published_kept_human"), "error")
    elif drafted.failed:
        flash(t("text.published_no_audio", reason=drafted.failed), "error")
    else:
        flash(t("text.published"), "info")
    return redirect(prompt_url(prompt, "#now"))


def _file_text_flash(audio: TextAudio) -> None:
    """Tell staff what callers hear now that the file's text is used again."""
    if audio.failed:
        flash(t("text.file_again_no_audio", reason=audio.failed), "error")
    elif audio.kept_human:
        flash(t("text.file_again_kept_human"), "error")
    else:
        flash(t("text.file_again"), "info")


@bp.post("/prompts/<prompt_id>/<lang>/text/file")
@requires(EDIT_PROMPTS)
def use_file(prompt_id: str, lang: str):
    """Go back to the text in prompts/ (the staff versions stay, and can be published again),
    with audio that says it: a recording made of it before, or TTS rendered now."""
    prompt = prompt_or_404(prompt_id, lang)
    if not ActionForm().validate_on_submit():
        abort(400)
    with texts.publishing(db(), prompt.segment, lang):
        was_staff_text = texts.use_file_text(db(), prompt.segment, lang)
        if was_staff_text:
            callers_hear_changes()  # the catalog has the file's text again
            by = current_user.label
            audio = recordings().play_file_text(prompt.segment, lang, _speaker(), by)
    if was_staff_text:
        callers_hear_changes()
        log_change(
            "text.file",
            lang=lang,
            segment=prompt.segment,
            audio=list(audio.done),
            no_audio=bool(audio.failed),
        )
        _file_text_flash(audio)
    return redirect(prompt_url(prompt, "#now"))
