"""Texts on the prompt pages: save a version (rendered with TTS as a draft), publish it with
its audio, restore an earlier one, or go back to the file in prompts/. All audited.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request
from flask_login import current_user

from .. import texts
from ..audio.build import Builder
from ..audio.engines import engines_from_setting
from ..audio.library import HUMAN, TTS, text_hash
from ..audio.processing import AudioRejected
from ..catalog import Prompt
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


def _builder() -> Builder:
    return Builder(recordings(), engines_from_setting(current_app.config["TTS_ENGINES"]),
                   by=current_user.label)


def _segment_prompts(segment: str, lang: str) -> list[Prompt]:
    return [p for p in catalog().all_prompts(lang) if p.segment == segment]


def _tts_for(version, by: str) -> str | None:
    """Make sure each prompt of the version's segment has a TTS recording of its words (as a
    draft); the reason when no engine could render them."""
    lib, builder = recordings(), None
    for prompt in _segment_prompts(version.segment, version.lang):
        said = version.text.replace("{key}", prompt.key or "")
        history = lib.history(prompt.id, prompt.lang)
        if any(r.source == TTS and r.text_hash == text_hash(said) and r.purged_at is None
               and lib.store.has(r.hash) for r in history):
            continue
        builder = builder or _builder()
        try:
            rendered = builder.render(said, prompt.lang)
        except AudioRejected as exc:
            return str(exc)
        lib.add(prompt, rendered.data, rendered.measure, source=TTS, action="build", by=by,
                engine=rendered.engine, voice=rendered.voice, key=rendered.key, text=said,
                draft=True)
    return None


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
        version = texts.save_version(db(), catalog(), prompt.segment, lang, form.text.data,
                                     current_user.label)
    except texts.TextRefused as exc:
        message = t(f"err.text_{exc.reason}", numbers=", ".join(exc.expected) or "–",
                    max=texts.MAX_TEXT)
        return render_prompt(prompt, form, message, 400)
    log_change("text.save", f"{lang} {prompt.segment}: version {version.id}: {version.text[:200]}")
    failed = _tts_for(version, current_user.label)
    if failed:
        flash(t("text.saved_no_audio", reason=failed), "error")
    else:
        flash(t("text.saved"), "info")
    return redirect(prompt_url(prompt, "#drafts"))


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
    published = texts.choice(db(), version.segment, version.lang)
    action = "publish" if texts.is_draft(version, published) else "restore"
    by = current_user.label
    failed = _tts_for(version, by)
    texts.publish_version(db(), version, by)
    lib = recordings()
    current, kept_human = lib.current(), False
    for each in _segment_prompts(version.segment, version.lang):
        said = text_hash(version.text.replace("{key}", each.key or ""))
        now = current.get((each.id, each.lang))
        if now is not None and now.source == HUMAN and lib.store.has(now.hash):
            # A person's recording is never replaced by TTS behind the staff's back: it keeps
            # playing (stale if it says other words) until they upload or publish the TTS.
            kept_human = kept_human or now.text_hash != said
            continue
        match = next((r for r in lib.history(each.id, each.lang) if r.source == TTS
                      and r.text_hash == said and r.purged_at is None
                      and lib.store.has(r.hash)), None)
        if match is not None:
            lib.restore(match.id, by, action="publish")
    callers_hear_changes()
    log_change(f"text.{action}", f"{version.lang} {version.segment}: version {version.id} is live")
    if kept_human:
        flash(t("text.published_kept_human"), "error")
    elif failed:
        flash(t("text.published_no_audio", reason=failed), "error")
    else:
        flash(t("text.published"), "info")
    return redirect(prompt_url(prompt, "#now"))


def _file_audio(segment: str, lang: str, by: str) -> tuple[list[str], bool, str | None]:
    """After going back to the file's text: each prompt of the segment plays audio of those
    words again. The newest unpurged recording that says them and has played before (a
    person's first; a draft is never published this way) plays again, else TTS is rendered. A person's recording that plays now stays (as after publishing) when
    no other recording of a person says the words. Returns what was done (for the log), whether
    a person's recording was kept, and why no audio could be made (or None)."""
    lib, scripts = recordings(), catalog()
    current, builder = lib.current(), None
    waiting = {r.id for found in lib.drafts().values() for r in found}  # never played
    done: list[str] = []
    kept_human, failed = False, None
    for prompt in _segment_prompts(segment, lang):
        said = scripts.text(prompt)
        now = current.get((prompt.id, prompt.lang))
        if now is not None and now.text_hash == text_hash(said) and lib.store.has(now.hash):
            continue
        matching = [r for r in lib.history(prompt.id, prompt.lang)
                    if r.text_hash == text_hash(said) and r.purged_at is None
                    and r.id not in waiting and lib.store.has(r.hash)]
        best = next((r for r in matching if r.source == HUMAN), None)
        playing_human = now is not None and now.source == HUMAN and lib.store.has(now.hash)
        if best is None and not playing_human:
            best = next((r for r in matching if r.source == TTS), None)
        if best is not None:
            lib.restore(best.id, by)
            done.append(f"{prompt.id}: version {best.id} ({best.source})")
            continue
        builder = builder or _builder()
        try:
            rendered = builder.render(said, prompt.lang)
        except AudioRejected as exc:
            failed = str(exc)
            continue
        made = lib.add(prompt, rendered.data, rendered.measure, source=TTS, action="build",
                       by=by, engine=rendered.engine, voice=rendered.voice, key=rendered.key,
                       text=said, draft=playing_human)
        if playing_human:
            kept_human = True
            done.append(f"{prompt.id}: TTS draft {made.id}, the person's recording stays")
        else:
            lib.publish()
            done.append(f"{prompt.id}: TTS {made.id}")
    return done, kept_human, failed


@bp.post("/prompts/<prompt_id>/<lang>/text/file")
@requires(EDIT_PROMPTS)
def use_file(prompt_id: str, lang: str):
    """Go back to the text in prompts/ (the staff versions stay, and can be published again),
    with audio that says it: a recording made of it before, or TTS rendered now."""
    prompt = prompt_or_404(prompt_id, lang)
    if not ActionForm().validate_on_submit():
        abort(400)
    if texts.use_file_text(db(), prompt.segment, lang):
        callers_hear_changes()
        done, kept_human, failed = _file_audio(prompt.segment, lang, current_user.label)
        callers_hear_changes()
        audio = "; ".join(done) or "audio unchanged"
        log_change("text.file", f"{lang} {prompt.segment}: the text in prompts/ is used again; "
                          f"{audio}{f'; no audio: {failed}' if failed else ''}")
        if failed:
            flash(t("text.file_again_no_audio", reason=failed), "error")
        elif kept_human:
            flash(t("text.file_again_kept_human"), "error")
        else:
            flash(t("text.file_again"), "info")
    return redirect(prompt_url(prompt, "#now"))
