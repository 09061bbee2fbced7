"""Rectification items kept in the e-ledger (整改台账: status, completion date, evidence), and
the rectifications table's optional 发现日期 (the day a problem was found).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rectification") as batch:
        batch.add_column(sa.Column("found_on", sa.Date(), nullable=True))
    op.create_table(
        "ledger_rectification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("org_code", sa.String(length=64), sa.ForeignKey("organization.org_code"),
                  nullable=False, index=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("extended_to", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=50), nullable=True),
        sa.Column("responsible", sa.String(length=100), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger_rectification")
    with op.batch_alter_table("rectification") as batch:
        batch.drop_column("found_on")
