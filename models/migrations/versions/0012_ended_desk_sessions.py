"""Desk sessions ended by logging out, so a copy of an old session cookie signs no one in.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ended_desk_session",
        sa.Column("session_id", sa.String(length=64), primary_key=True),
        sa.Column("reviewer", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ended_desk_session")
