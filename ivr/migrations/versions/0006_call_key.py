"""Call events carry a short-lived anonymous call key (erased by `ivr stats prune`).

Revision ID: 0006_call_key
Revises: 0005_session_version
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_call_key"
down_revision = "0005_session_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("call_event") as batch:
        batch.add_column(sa.Column("call_key", sa.String(16), nullable=True))
        batch.create_index("ix_call_event_call_key", ["call_key"])


def downgrade() -> None:
    with op.batch_alter_table("call_event") as batch:
        batch.drop_index("ix_call_event_call_key")
        batch.drop_column("call_key")
