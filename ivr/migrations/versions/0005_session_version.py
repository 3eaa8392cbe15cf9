"""Staff sessions end server-side: a per-account session version.

Revision ID: 0005_session_version
Revises: 0004_staff_prompts
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_session_version"
down_revision = "0004_staff_prompts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer, nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.drop_column("session_version")
