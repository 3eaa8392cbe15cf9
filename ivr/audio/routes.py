"""GET /audio/<hash>.wav: the store's files, cached forever (a new recording is a new name)."""

from __future__ import annotations

from flask import Blueprint, abort, send_file

from ..services import services

bp = Blueprint("audio", __name__, url_prefix="/audio")
ONE_YEAR = 31536000


@bp.get("/<string:name>")
def audio_file(name: str):
    """A stored file with a strong ETag and immutable caching; 404 for anything else."""
    digest, dot, extension = name.partition(".")
    path = services().store.path(digest)
    if extension != "wav" or not dot or path is None:
        abort(404)
    response = send_file(
        path,
        mimetype="audio/wav",
        etag=digest,
        conditional=True,
        last_modified=None,
        max_age=ONE_YEAR,
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.cache_control.no_cache = None
    response.headers["X-Content-Type-Options"] = "nosniff"  # audio, never run as a page
    return response
