"""Closing the loop: replies to issued measures, and each case's follow-up state.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("follow_up", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("replied_on", sa.Date(), nullable=True))
    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.String(length=120), sa.ForeignKey("action.id"),
                  nullable=False, index=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reply")
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_column("replied_on")
        batch_op.drop_column("follow_up")
