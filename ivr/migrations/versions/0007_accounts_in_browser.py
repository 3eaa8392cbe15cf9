"""Staff accounts from the browser: one-time set-password links; audit entries keep the facts
of a change (`facts`, JSON) so they are shown in the reader's language.

Revision ID: 0007_accounts_in_browser
Revises: 0006_call_key
"""

import sqlalchemy as sa
from alembic import op

from ivr.models import UTCDateTime

revision = "0007_accounts_in_browser"
down_revision = "0006_call_key"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_link",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("staff_account.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime),
        sa.Column("ended_at", UTCDateTime),
    )
    op.create_index("ix_password_link_account_id", "password_link", ["account_id"])
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("facts", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("facts")
    op.drop_index("ix_password_link_account_id", "password_link")
    op.drop_table("password_link")
