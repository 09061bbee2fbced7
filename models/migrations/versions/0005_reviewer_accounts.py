"""Reviewer accounts for the review desk, and the log of logins (the rate limit reads it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reviewer_account",
        sa.Column("name", sa.String(length=100), primary_key=True),
        sa.Column("role", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("org_code", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("succeeded", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_login_attempt_name_at", "login_attempt", ["name", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_name_at", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_table("reviewer_account")
