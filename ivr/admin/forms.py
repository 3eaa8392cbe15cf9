"""The staff pages' forms. Every form carries a CSRF token (Flask-WTF).

Validation messages are message keys of the catalogues (ivr/admin/translations), translated
when shown.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional


class SignInForm(FlaskForm):
    email = EmailField(validators=[DataRequired("err.required"), Length(max=254)])
    password = PasswordField(validators=[DataRequired("err.required"), Length(max=1000)])


class ActionForm(FlaskForm):
    """A button that changes something and needs nothing but the CSRF token."""


class CloseForm(FlaskForm):
    reason = StringField(validators=[DataRequired("err.reason"), Length(max=500)])


class ClosureForm(FlaskForm):
    first_day = DateField(validators=[DataRequired("err.date")])
    last_day = DateField(validators=[Optional()])
    from_time = TimeField(validators=[Optional()])
    until_time = TimeField(validators=[Optional()])
    reason = StringField(validators=[DataRequired("err.reason"), Length(max=500)])


class TransferForm(FlaskForm):
    numbers = TextAreaField(validators=[DataRequired("err.numbers"), Length(max=400)])
    timeout = IntegerField(
        validators=[DataRequired("err.timeout"), NumberRange(5, 600, "err.timeout")]
    )


class LanguagesForm(FlaskForm):
    """Which languages callers are offered; the check boxes are read from the request."""

    offer_drafts = BooleanField()


class UploadForm(FlaskForm):
    """A recording for one prompt and language; size is limited before it is read."""

    recording = FileField(validators=[FileRequired("err.file")])


class TextForm(FlaskForm):
    # {key}, the numbers and the length (1000) are checked by texts.check_text, shown by the
    # field; this limit only keeps a huge paste from being echoed back.
    text = TextAreaField(
        validators=[DataRequired("err.text"), Length(max=20_000, message="err.text")]
    )


class AccountForm(FlaskForm):
    """A new staff account: who, their e-mail (their sign-in name) and what they may do."""

    name = StringField(validators=[DataRequired("err.name"), Length(max=200, message="err.name")])
    email = EmailField(validators=[DataRequired("err.email"), Length(max=254, message="err.email")])
    # A <select> of ROLES on the page (accounts.html); any other value is refused by add_account.
    role = StringField(validators=[DataRequired("err.role"), Length(max=16, message="err.role")])


class SetPasswordForm(FlaskForm):
    """The password a person chooses through a one-time link, typed twice."""

    # its length is checked by accounts.check_password, the rule of the command line too
    password = PasswordField(validators=[DataRequired("err.required")])
    again = PasswordField(
        validators=[DataRequired("err.required"), EqualTo("password", "err.password_again")]
    )
