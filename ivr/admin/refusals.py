"""A refused form is shown again where the person is looking: the reason next to the form,
the fields it is about marked (and the first one focused), what they typed kept.

A view that refuses renders its page again with a `Refusal` (status 400) instead of
redirecting; the templates show it with the `form_error` macro (admin/_form.html) and mark
the fields with `invalid(refusal, name)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..hours import OSLO
from .blueprint import bp
from .i18n import t


@dataclass(frozen=True)
class Refusal:
    """Why a form was refused: the message shown next to it, and the fields it is about."""

    form: str  # the form's element id; the message's id is "<form>-error"
    message: str
    fields: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.form}-error"


def refused(form_id: str, form) -> Refusal:
    """The refusal of a form that did not validate: its first message, every field in error."""
    messages = [message for errors in form.errors.values() for message in errors]
    fields = tuple(name for name in form.errors if name != "csrf_token")
    return Refusal(form_id, t(messages[0]) if messages else t("err.required"), fields)


@bp.app_template_global()
def invalid(refusal: Refusal | None, name: str) -> dict[str, object]:
    """Attributes for a field: marked invalid and described by the message when the refusal
    is about it; the first such field is focused, so the page opens where the problem is."""
    if refusal is None or name not in refusal.fields:
        return {}
    attrs: dict[str, object] = {"aria-invalid": "true", "aria-describedby": refusal.id}
    if refusal.fields[0] == name:
        attrs["autofocus"] = True
    return attrs


@bp.app_template_global()
def to_oslo(moment: datetime) -> datetime:
    """A stored (UTC) instant as Oslo time, as staff read it."""
    return moment.astimezone(OSLO)
