"""Staff prompt pages: text versions and the published text, purged recordings.

Revision ID: 0004_staff_prompts
Revises: 0003_staff
"""

import sqlalchemy as sa
from alembic import op

from ivr.models import UTCDateTime

revision = "0004_staff_prompts"
down_revision = "0003_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("published_at", UTCDateTime),
    )
    op.create_index("ix_text_version_segment_lang", "text_version", ["segment", "lang"])
    op.create_table(
        "text_choice",
        sa.Column("segment", sa.String(64), primary_key=True),
        sa.Column("lang", sa.String(16), primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("text_version.id"), nullable=False),
        sa.Column("chosen_at", UTCDateTime, nullable=False),
        sa.Column("chosen_by", sa.String(254), nullable=False),
    )
    with op.batch_alter_table("recording") as batch:
        batch.add_column(sa.Column("purged_at", UTCDateTime))
        batch.add_column(sa.Column("purged_by", sa.String(254), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.drop_column("purged_by")
        batch.drop_column("purged_at")
    op.drop_table("text_choice")
    op.drop_index("ix_text_version_segment_lang", table_name="text_version")
    op.drop_table("text_version")
