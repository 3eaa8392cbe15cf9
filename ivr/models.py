"""SQLAlchemy models: every table of the line, changed only by Alembic migrations.

- calls: `call_event` (anonymous steps of calls, for statistics);
- hours and settings staff control: `closure`, `line_switch`, `setting`;
- audio: `recording` (every version, TTS or human), `audio_choice` (what plays now) and
  `audio_choice_event` (who made which version play, when);
- texts: `text_version` (every text staff wrote), `text_choice` (the published one) and
  `language_review` (a reviewer confirmed a language's texts);
- staff: `staff_account`, `password_link` (one-time set-password links), `sign_in_attempt`
  (limits guessing), `audit_entry` (who changed what).

Never a phone number, a name or a recording of a caller: a call event holds the time, the
language, the menu position, the key and the outcome, and nothing that links it to a person.
`utcnow()` is the one clock every module reads.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import DateTime, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Aware datetimes in Python, naive UTC in the database (the same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The one clock: now, in UTC, aware."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base class of every table."""


class CallEvent(Base):
    """One anonymous step of one call, for statistics."""

    __tablename__ = "call_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    node: Mapped[str] = mapped_column(String(32))
    key: Mapped[str | None] = mapped_column(String(1))
    event: Mapped[str] = mapped_column(String(64))
    # Links the events of one call while it may still be going on, so the statistics can tell
    # calls that never chose a language. A keyed hash of Twilio's CallSid (never the CallSid
    # itself); `ivr stats prune` erases it a few hours after the call (ivr/stats.py).
    call_key: Mapped[str | None] = mapped_column(String(16), index=True)


class Closure(Base):
    """A one-off closure staff planned: a staff day, Christmas Eve afternoon."""

    __tablename__ = "closure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LineSwitch(Base):
    """The manual "closed now" / "open now" switch. The newest row not cleared is in force."""

    __tablename__ = "line_switch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    is_open: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    set_by: Mapped[str] = mapped_column(String(254), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Setting(Base):
    """A value staff can change without a developer (transfer numbers, ring timeout...)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Recording(Base):
    """One version of the audio of one prompt in one language: rendered (tts) or human.

    Rows are never deleted: together they are the history staff can restore from. The only
    change is an admin's purge, which marks the row and removes its file.
    The file itself lives in the audio store under `hash` (sha256 of its bytes).
    """

    __tablename__ = "recording"
    __table_args__ = (
        sa.Index("ix_recording_prompt_lang", "prompt_id", "lang"),
        sa.CheckConstraint("source IN ('tts', 'human')", name="ck_recording_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), index=True)
    prompt_id: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8))  # "tts" or "human"
    engine: Mapped[str] = mapped_column(String(32), default="")
    voice: Mapped[str] = mapped_column(String(64), default="")
    text_hash: Mapped[str] = mapped_column(String(64))  # the words it says (or should say)
    build_key: Mapped[str] = mapped_column(String(64), default="")  # tts only
    duration: Mapped[float] = mapped_column(sa.Float)
    loudness: Mapped[float] = mapped_column(sa.Float)
    peak: Mapped[float] = mapped_column(sa.Float)
    clipped: Mapped[float] = mapped_column(sa.Float, default=0.0)
    size: Mapped[int] = mapped_column(Integer)  # bytes
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    # An admin purged this version: its file is gone unless another recording shares it.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_by: Mapped[str] = mapped_column(String(254), default="")


class AudioChoice(Base):
    """Which recording plays now for a prompt in a language."""

    __tablename__ = "audio_choice"

    prompt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recording.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chosen_by: Mapped[str] = mapped_column(String(254), default="")


class AudioChoiceEvent(Base):
    """The history of choices: who made which recording current, when and how."""

    __tablename__ = "audio_choice_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prompt_id: Mapped[str] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    recording_id: Mapped[int] = mapped_column(sa.ForeignKey("recording.id"))
    action: Mapped[str] = mapped_column(String(16))  # build | import | restore | publish
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chosen_by: Mapped[str] = mapped_column(String(254), default="")


# Staff pages (ivr/admin) ------------------------------------------------------------------


class StaffAccount(Base):
    """A KOM coordinator who may sign in to the staff pages. Made by an admin on the accounts
    page (with a set-password link) or with `ivr staff add`."""

    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))  # editor | reviewer | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # In the session at sign-in; bumped on sign-out, a new password or disabling, so every
    # session made before stops working at its next request (server-side, not only a cookie).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PasswordLink(Base):
    """A one-time link an admin gave someone to choose their password: only the SHA-256 of its
    token is kept. It works once, until `expires_at`, and only while it is the account's newest
    (a newer link, disabling the account or using it sets `ended_at`)."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # used, superseded, disabled


class SignInAttempt(Base):
    """One sign-in attempt, kept to limit guessing per account and per address."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)


class AuditEntry(Base):
    """One change made by staff (or the CLI): who, when, what.

    `detail` is text as someone typed it (a closure's reason), shown as it is; `facts` (JSON)
    are the facts of the change ({"lang": "ro", "version": 537}), put into the action's
    sentence in the reader's language when shown. Entries written before `facts` existed
    have English in `detail` and no values."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[str] = mapped_column(Text, default="", server_default="")


class LanguageReview(Base):
    """A reviewer marked a language's texts reviewed (the catalog files stay the source)."""

    __tablename__ = "language_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    reviewed_by: Mapped[str] = mapped_column(String(254))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    texts_hash: Mapped[str] = mapped_column(String(64), default="")


class TextVersion(Base):
    """One version of a segment's text in a language, written by staff on the prompt page.

    Rows are never deleted; `published_at` is set once, when first published. `source_hash` is
    the fingerprint of the English text a translation was written from (like
    `[translated_from]` in language.toml).
    """

    __tablename__ = "text_version"
    __table_args__ = (sa.Index("ix_text_version_segment_lang", "segment", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first published


class TextChoice(Base):
    """The published staff text of a segment in a language: it overrides the file in prompts/."""

    __tablename__ = "text_choice"

    segment: Mapped[str] = mapped_column(String(64), primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("text_version.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chosen_by: Mapped[str] = mapped_column(String(254), default="")
