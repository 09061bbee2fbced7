"""Messages the desk shows once, kept on the server (not in the session cookie), and when an
administrator last lifted an account's login lock.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_desk_message_session_key", "desk_message", ["session_key", "id"])
    with op.batch_alter_table("reviewer_account") as batch:
        batch.add_column(sa.Column("unlocked_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reviewer_account") as batch:
        batch.drop_column("unlocked_at")
    op.drop_index("ix_desk_message_session_key", table_name="desk_message")
    op.drop_table("desk_message")
