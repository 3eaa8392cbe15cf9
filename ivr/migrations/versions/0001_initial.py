"""Call events, closures, the open/closed switch and settings.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ivr.models import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False, index=True),
        sa.Column("language", sa.String(16)),
        sa.Column("node", sa.String(32), nullable=False),
        sa.Column("key", sa.String(1)),
        sa.Column("event", sa.String(64), nullable=False),
    )
    op.create_table(
        "closure",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("starts_at", UTCDateTime, nullable=False, index=True),
        sa.Column("ends_at", UTCDateTime, nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "line_switch",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("is_open", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("until", UTCDateTime),
        sa.Column("set_by", sa.String(254), nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
        sa.Column("cleared_at", UTCDateTime),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("setting", "line_switch", "closure", "call_event"):
        op.drop_table(table)
