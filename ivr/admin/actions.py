"""What every staff page shares: the services it reaches, who may act (`requires`), the audit
entry in the signed-in person's name, and a form's errors shown to them.

A page module (see `ivr/admin/__init__.py`) imports what it needs from here, never from
another page module's private names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, flash
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import audit
from ..audio.library import Recordings
from ..audio.lookup import ManifestLookup
from ..catalog import Catalog
from ..db import Database
from ..schedule import LineSettings
from ..services import services
from ..texts import PublishedTexts
from .i18n import t


def db() -> Database:
    """The database."""
    return services().db


def catalog() -> Catalog:
    """The scripts, with the texts staff published laid over them."""
    return services().catalog


def recordings() -> Recordings:
    """Every prompt's recordings: catalog, database and audio store."""
    return services().recordings


def audio() -> ManifestLookup:
    """Which file plays for each prompt, as callers in this process hear it."""
    return services().audio


def published_texts() -> PublishedTexts:
    """The texts staff published, as this process lays them over the scripts."""
    return services().texts


def settings() -> LineSettings:
    """The line's settings as staff left them."""
    return services().line.settings()


def callers_hear_changes() -> None:
    """Callers in this process hear a change of audio or text at once (others within seconds)."""
    audio().invalidate()
    published_texts().invalidate()
    published_texts().refresh()


def requires(roles: frozenset[str]) -> Callable:
    """Refuse (403) a signed-in person whose role is not one of `roles`."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.may(roles):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def log_change(action: str, detail: str = "", **facts: Any) -> None:
    """An audit entry: the signed-in person did `action` (e.g. "line.close"), with the facts
    of the change as values (said in the reader's language on the audit page) and `detail`,
    text they typed (a reason), kept as it is."""
    audit.record(db(), current_user.label, action, detail, **facts)


def show_errors(form: FlaskForm) -> None:
    """Flash each validation error of a form (the messages are i18n keys)."""
    for errors in form.errors.values():
        for error in errors:
            flash(t(error), "error")
