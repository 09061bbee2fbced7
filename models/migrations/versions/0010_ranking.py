"""The quarter's ranking as published: one row per organization, with its bottom-list state.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ranking_entry",
        sa.Column("quarter", sa.String(length=16), primary_key=True),
        sa.Column("org_code", sa.String(length=64), sa.ForeignKey("organization.org_code"),
                  primary_key=True),
        sa.Column("group", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("months", sa.JSON(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("previous_rank", sa.Integer(), nullable=True),
        sa.Column("listing", sa.String(length=16), nullable=True),
        sa.Column("window_ends", sa.Date(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("doc_number", sa.String(length=64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ranking_entry")
