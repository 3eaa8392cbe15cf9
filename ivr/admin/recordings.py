"""Recordings of one prompt, from its page: upload one (a draft), publish or restore a version,
purge one that does not play (admins). Publishing invalidates this process's lookups at once;
other processes follow within seconds. Every action is in the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request
from flask_login import current_user
from werkzeug.utils import secure_filename

from ..audio.library import OtherWords
from ..audio.processing import AudioRejected
from ..catalog import Prompt
from .accounts import EDIT_PROMPTS, PURGE
from .actions import callers_hear_changes, log_change, recordings, requires
from .forms import ActionForm, UploadForm
from .i18n import one_decimal, t
from .prompts import prompt_or_404, prompt_url, render_prompt
from .refusals import Refusal

bp = Blueprint("recordings", __name__)
MENU = None  # part of the prompt pages
REJECTIONS = (
    ("empty", "upload.empty"),
    ("not a readable", "upload.unreadable"),
    ("silent", "upload.silent"),
    ("less than", "upload.short"),
    ("too long", "upload.too_long"),
)


def _reply(prompt: Prompt, anchor: str):
    """Redirect (a form), or tell the recorder script where to go (it sets X-Recorder)."""
    target = prompt_url(prompt, anchor)
    if request.headers.get("X-Recorder") == "1":
        return jsonify(location=target)
    return redirect(target)


@bp.post("/prompts/<prompt_id>/<lang>/upload")
@requires(EDIT_PROMPTS)
def upload(prompt_id: str, lang: str):
    """A recording for this prompt, processed like every prompt and kept as a draft."""
    prompt = prompt_or_404(prompt_id, lang)
    form = UploadForm()
    if not form.validate_on_submit():
        return _refuse_upload(prompt, t("err.file"))
    data = form.recording.data.read()
    name = secure_filename(form.recording.data.filename or "")  # shown only, never a path
    try:
        recording = recordings().import_recording(
            prompt.id, lang, data, current_user.label, original_name=name, draft=True
        )
    except AudioRejected as exc:
        reason = str(exc)
        key = next((k for word, k in REJECTIONS if word in reason), "upload.unreadable")
        return _refuse_upload(prompt, t("upload.refused", name=name or "–", reason=t(key)))
    log_change(
        "recording.upload",
        name,
        lang=lang,
        prompt=prompt.id,
        recording=recording.id,
        duration=round(recording.duration, 1),
        loudness=round(recording.loudness, 1),
    )
    duration, loudness = one_decimal(recording.duration), one_decimal(recording.loudness)
    flash(t("upload.saved", duration=duration, loudness=loudness), "info")  # 2,3 s in Norwegian
    return _reply(prompt, f"#recording-{recording.id}")


def _refuse_upload(prompt: Prompt, message: str):
    """Why an upload was refused, next to the upload form (the recorder script is told where
    to go, and the page there says it)."""
    if request.headers.get("X-Recorder") == "1":
        flash(message, "error")
        return _reply(prompt, "#upload")
    return render_prompt(
        prompt, status=400, upload_error=Refusal("upload-form", message, ("recording",))
    )


@bp.post("/recordings/<int:recording_id>/publish")
@requires(EDIT_PROMPTS)
def publish(recording_id: int):
    """Make a draft (publish) or an earlier version (restore) the one callers hear."""
    lib = recordings()
    recording = lib.get(recording_id)
    if recording is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    prompt = prompt_or_404(recording.prompt_id, recording.lang)
    is_draft = recording.id in {r.id for r in lib.drafts().get((prompt.id, prompt.lang), [])}
    action = "publish" if is_draft else "restore"
    try:
        lib.restore(recording.id, current_user.label, action=action)
    except OtherWords:
        flash(t("err.other_words"), "error")
        return redirect(prompt_url(prompt, "#drafts"))
    except ValueError:
        flash(t("err.gone"), "error")
        return redirect(prompt_url(prompt, "#history"))
    callers_hear_changes()
    log_change(
        f"recording.{action}",
        lang=prompt.lang,
        prompt=prompt.id,
        recording=recording.id,
        source=recording.source,
    )
    flash(t("published" if is_draft else "restored"), "info")
    return redirect(prompt_url(prompt, "#now"))


@bp.post("/recordings/<int:recording_id>/discard")
@requires(EDIT_PROMPTS)
def discard(recording_id: int):
    """Throw away a draft that never played: editors their own, admins any."""
    lib = recordings()
    recording = lib.get(recording_id)
    if recording is None or recording.purged_at is not None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    prompt = prompt_or_404(recording.prompt_id, recording.lang)
    if recording.id not in {r.id for r in lib.drafts().get((prompt.id, prompt.lang), [])}:
        abort(409)
    if not (current_user.may(PURGE) or recording.created_by == current_user.label):
        abort(403)
    lib.purge(recording.id, current_user.label)
    log_change(
        "recording.discard",
        recording.original_name,
        lang=prompt.lang,
        prompt=prompt.id,
        recording=recording.id,
        source=recording.source,
    )
    flash(t("discarded"), "info")
    return redirect(prompt_url(prompt, "#history"))


@bp.route("/recordings/<int:recording_id>/purge", methods=["GET", "POST"])
@requires(PURGE)
def purge(recording_id: int):
    """Confirm, then remove a version that does not play (admins only)."""
    lib = recordings()
    recording = lib.get(recording_id)
    if recording is None or recording.purged_at is not None:
        abort(404)
    prompt = prompt_or_404(recording.prompt_id, recording.lang)
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/purge.html", recording=recording, prompt=prompt, form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        deleted = lib.purge(recording.id, current_user.label)
    except ValueError as exc:
        flash(
            t("err.purge_soon" if "may still fetch" in str(exc) else "err.purge_current"), "error"
        )
        return redirect(prompt_url(prompt, "#history"))
    log_change(
        "recording.purge",
        lang=prompt.lang,
        prompt=prompt.id,
        recording=recording.id,
        source=recording.source,
        file_deleted=deleted,
        hash=recording.hash[:12],
    )
    flash(t("purged" if deleted else "purged.kept"), "info")
    return redirect(prompt_url(prompt, "#history"))
