"""Audio: every recording (rendered or human) and the current choice per prompt and language.

Revision ID: 0002_audio
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

from ivr.models import UTCDateTime

revision = "0002_audio"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False, index=True),
        sa.Column("prompt_id", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("voice", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("build_key", sa.String(64), nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("loudness", sa.Float, nullable=False),
        sa.Column("peak", sa.Float, nullable=False),
        sa.Column("clipped", sa.Float, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.CheckConstraint("source IN ('tts', 'human')", name="ck_recording_source"),
    )
    op.create_index("ix_recording_prompt_lang", "recording", ["prompt_id", "lang"])
    op.create_table(
        "audio_choice",
        sa.Column("prompt_id", sa.String(64), primary_key=True),
        sa.Column("lang", sa.String(16), primary_key=True),
        sa.Column("recording_id", sa.Integer, sa.ForeignKey("recording.id"), nullable=False),
        sa.Column("chosen_at", UTCDateTime, nullable=False),
        sa.Column("chosen_by", sa.String(254), nullable=False),
    )
    op.create_table(
        "audio_choice_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("prompt_id", sa.String(64), nullable=False, index=True),
        sa.Column("lang", sa.String(16), nullable=False, index=True),
        sa.Column("recording_id", sa.Integer, sa.ForeignKey("recording.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("chosen_at", UTCDateTime, nullable=False),
        sa.Column("chosen_by", sa.String(254), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audio_choice_event")
    op.drop_table("audio_choice")
    op.drop_index("ix_recording_prompt_lang", "recording")
    op.drop_table("recording")
