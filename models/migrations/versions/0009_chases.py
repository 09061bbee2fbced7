"""Closing the loop: 催办 letters, and the date an issued document carries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
    op.create_table(
        "chase",
        sa.Column("id", sa.String(length=140), primary_key=True),
        sa.Column("action_id", sa.String(length=120), sa.ForeignKey("action.id"),
                  nullable=False, index=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False, index=True),
        sa.Column("org_code", sa.String(length=64), nullable=False),
        sa.Column("overdue_since", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("document", sa.String(length=500), nullable=True),
        sa.Column("html_document", sa.String(length=500), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("doc_number", sa.String(length=64), nullable=True, unique=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("action_id", "overdue_since", name="uq_chase_missed"),
    )
    # issued documents carried the day they were issued
    day = "date(issued_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(issued_at AS DATE)"
    op.execute(f"UPDATE action SET issued_on = {day} WHERE issued_at IS NOT NULL")


def downgrade() -> None:
    op.drop_table("chase")
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_column("issued_on")
