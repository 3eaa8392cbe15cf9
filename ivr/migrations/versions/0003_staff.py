"""Staff accounts, sign-in attempts, the audit log and language reviews.

Revision ID: 0003_staff
Revises: 0002_audio (to be rechained after 0002_audio when the audio branch is merged)
"""

import sqlalchemy as sa
from alembic import op

from ivr.models import UTCDateTime

revision = "0003_staff"
down_revision = "0002_audio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_sign_in", UTCDateTime),
    )
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False, index=True),
        sa.Column("email", sa.String(254), nullable=False, index=True),
        sa.Column("ip", sa.String(64), nullable=False, index=True),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False, index=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "language_review",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lang", sa.String(16), nullable=False, index=True),
        sa.Column("reviewed_by", sa.String(254), nullable=False),
        sa.Column("reviewed_at", UTCDateTime, nullable=False),
        sa.Column("texts_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("language_review", "audit_entry", "sign_in_attempt", "staff_account"):
        op.drop_table(table)
