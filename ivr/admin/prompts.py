"""The prompt pages: what callers hear, per prompt and language; uploads and audio versions
(texts: prompt_texts.py).

Everything staff change here is a draft until published. Publishing (or restoring) a recording
makes it the audio_choice of its prompt; publishing a text makes it the text_choice of its
segment (and chooses the TTS rendered from it). Both invalidate this process's lookups at once;
other processes follow within 5 seconds. Every action is in the audit log.
"""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from .. import texts
from ..audio.library import Recordings
from ..audio.processing import AudioRejected
from ..catalog import Catalog, Prompt
from ..hours import OSLO
from ..services import services
from ..translations import segment_state
from .accounts import EDIT_PROMPTS, PURGE
from .blueprint import bp
from .forms import ActionForm, TextForm, UploadForm
from .i18n import t
from .views import _catalog, _db, _form_errors, _language_order, _log, requires

REJECTIONS = (("empty", "upload.empty"), ("not a readable", "upload.unreadable"),
              ("silent", "upload.silent"), ("less than", "upload.short"),
              ("too long", "upload.too_long"))


def _recordings() -> Recordings:
    return services().recordings


def _changed() -> None:
    """Callers in this process hear the change at once (others within seconds)."""
    services().audio.invalidate()
    services().texts.invalidate()
    services().texts.refresh()


def _prompt_or_404(prompt_id: str, lang: str) -> Prompt:
    try:
        return _recordings().prompt(prompt_id, lang)
    except ValueError:
        abort(404)


def _detail(prompt: Prompt, anchor: str = "") -> str:
    return url_for("admin.prompt_page", prompt_id=prompt.id, lang=prompt.lang) + anchor


def audio_state(catalog: Catalog, state) -> str:
    """human | tts | stale | say | missing: what a caller hears for this prompt now."""
    if state.state != "missing":
        return state.state
    return "say" if catalog.languages[state.prompt.lang].has_say else "missing"


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """An upload over STAFF_UPLOAD_MAX_MB, refused before it was read."""
    message = t("upload.too_large", mb=current_app.config["STAFF_UPLOAD_MAX_MB"])
    return render_template("admin/error.html", message=message), 413


# The grid -------------------------------------------------------------------------------------


@bp.get("/prompts")
@login_required
def prompts():
    """Prompt × language: audio that plays, text state, drafts waiting; filter by language."""
    catalog = _catalog()
    codes = _language_order(catalog)
    chosen = request.args.get("lang", "")
    shown = [chosen] if chosen in catalog.languages else codes
    lib = _recordings()
    states = {(s.prompt.id, s.prompt.lang): s for s in lib.states(shown)}
    audio_drafts = set(lib.drafts())
    text_drafts = texts.drafts(_db())
    rows = catalog.all_prompts(shown[0])  # the same ids in every language
    return render_template(
        "admin/prompts.html", rows=rows, shown=[catalog.languages[c] for c in shown],
        all_languages=[catalog.languages[c] for c in codes], chosen=chosen, states=states,
        audio_state=lambda s: audio_state(catalog, s), audio_drafts=audio_drafts,
        text_drafts=text_drafts,
        text_state=lambda p, lang: segment_state(catalog, catalog.languages[lang], p.segment),
    )


# One prompt -----------------------------------------------------------------------------------


@bp.get("/prompts/<prompt_id>/<lang>")
@login_required
def prompt_page(prompt_id: str, lang: str):
    """The text, the player of what plays now, drafts, every version; upload, record, edit."""
    return render_prompt(_prompt_or_404(prompt_id, lang))


def render_prompt(prompt: Prompt, text_form: TextForm | None = None, text_error: str = "",
                  status: int = 200):
    """The prompt page; with `text_error` the edit form shows the text as typed and why it
    was refused, next to the field."""
    lang = prompt.lang
    catalog, lib, db = _catalog(), _recordings(), _db()
    current = lib.current().get((prompt.id, lang))
    drafts = {r.id for r in lib.drafts().get((prompt.id, lang), [])}
    published = texts.choice(db, prompt.segment, lang)
    text_versions = texts.versions(db, prompt.segment, lang)
    return render_template(
        "admin/prompt.html", prompt=prompt, language=catalog.languages[lang],
        text=catalog.text(prompt), raw_text=catalog.languages[lang].texts.get(prompt.segment, ""),
        published=published, text_versions=text_versions,
        text_draft=lambda v: texts.is_draft(v, published),
        text_state=segment_state(catalog, catalog.languages[lang], prompt.segment),
        state=lib.state(prompt, current), current=current, history=lib.history(prompt.id, lang),
        drafts=drafts, has_file=lib.store.has, audio_state=lambda s: audio_state(catalog, s),
        upload_form=UploadForm(), text_form=text_form or TextForm(
            text=catalog.languages[lang].texts.get(prompt.segment, "")),
        text_error=text_error, max_text=texts.MAX_TEXT, action_form=ActionForm(),
        may_edit=current_user.may(EDIT_PROMPTS), may_purge=current_user.may(PURGE),
        max_mb=current_app.config["STAFF_UPLOAD_MAX_MB"], to_oslo=lambda d: d.astimezone(OSLO),
    ), status


def _reply(prompt: Prompt, anchor: str):
    """Redirect (a form), or tell the recorder script where to go (it sets X-Recorder)."""
    target = _detail(prompt, anchor)
    if request.headers.get("X-Recorder") == "1":
        return jsonify(location=target)
    return redirect(target)


@bp.post("/prompts/<prompt_id>/<lang>/upload")
@requires(EDIT_PROMPTS)
def upload(prompt_id: str, lang: str):
    """A recording for this prompt, processed like every prompt and kept as a draft."""
    prompt = _prompt_or_404(prompt_id, lang)
    form = UploadForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _reply(prompt, "#upload")
    data = form.recording.data.read()
    name = secure_filename(form.recording.data.filename or "")  # shown only, never a path
    try:
        recording = _recordings().import_recording(prompt.id, lang, data, current_user.label,
                                                   original_name=name, draft=True)
    except AudioRejected as exc:
        reason = str(exc)
        key = next((k for word, k in REJECTIONS if word in reason), "upload.unreadable")
        flash(t(key), "error")
        return _reply(prompt, "#upload")
    _log("recording.upload", f"{lang} {prompt.id}: draft {recording.id} "
                             f"({recording.duration:.1f} s, {recording.loudness:.1f} dBFS)")
    flash(t("upload.saved", duration=recording.duration, loudness=recording.loudness), "info")
    return _reply(prompt, f"#recording-{recording.id}")


@bp.post("/recordings/<int:recording_id>/publish")
@requires(EDIT_PROMPTS)
def publish_recording(recording_id: int):
    """Make a draft (publish) or an earlier version (restore) the one callers hear."""
    lib = _recordings()
    recording = lib.get(recording_id)
    if recording is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    prompt = _prompt_or_404(recording.prompt_id, recording.lang)
    is_draft = recording.id in {r.id for r in lib.drafts().get((prompt.id, prompt.lang), [])}
    action = "publish" if is_draft else "restore"
    try:
        lib.restore(recording.id, current_user.label, action=action)
    except ValueError:
        flash(t("err.gone"), "error")
        return redirect(_detail(prompt, "#history"))
    _changed()
    _log(f"recording.{action}", f"{prompt.lang} {prompt.id}: version {recording.id} "
                                f"({recording.source}) plays now")
    flash(t("published" if is_draft else "restored"), "info")
    return redirect(_detail(prompt, "#now"))


@bp.route("/recordings/<int:recording_id>/purge", methods=["GET", "POST"])
@requires(PURGE)
def purge_recording(recording_id: int):
    """Confirm, then remove a version that does not play (admins only)."""
    lib = _recordings()
    recording = lib.get(recording_id)
    if recording is None or recording.purged_at is not None:
        abort(404)
    prompt = _prompt_or_404(recording.prompt_id, recording.lang)
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/purge.html", recording=recording, prompt=prompt,
                               form=form, to_oslo=lambda d: d.astimezone(OSLO))
    if not form.validate_on_submit():
        abort(400)
    try:
        deleted = lib.purge(recording.id, current_user.label)
    except ValueError as exc:
        flash(t("err.purge_soon" if "may still fetch" in str(exc) else "err.purge_current"),
              "error")
        return redirect(_detail(prompt, "#history"))
    _log("recording.purge", f"{prompt.lang} {prompt.id}: version {recording.id} "
                            f"({recording.source}, {recording.hash[:12]}); file "
                            f"{'deleted' if deleted else 'kept (shared)'}")
    flash(t("purged" if deleted else "purged.kept"), "info")
    return redirect(_detail(prompt, "#history"))
