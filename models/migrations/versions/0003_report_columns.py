"""The optional report columns become real columns: full members, committee and party group
of an organization, the year a meeting is for, a rectification item's extension, source and
person responsible, and the secretary's duty-report rating. All nullable: a report without
them loads as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> dict[str, tuple[sa.Column, ...]]:
    """Fresh Column objects on each call (a Column belongs to the one table it was added to)."""
    return {
        "organization": (
            sa.Column("full_members", sa.Integer(), nullable=True),
            sa.Column("has_committee", sa.Boolean(), nullable=True),
            sa.Column("unit_party_group", sa.String(length=200), nullable=True),
        ),
        "meeting": (sa.Column("for_year", sa.Integer(), nullable=True),),
        "rectification": (
            sa.Column("extended_to", sa.Date(), nullable=True),
            sa.Column("source", sa.String(length=50), nullable=True),
            sa.Column("responsible", sa.String(length=100), nullable=True),
        ),
        "assessment": (sa.Column("duty_report_rating", sa.String(length=16), nullable=True),),
    }


def upgrade() -> None:
    for table, columns in _columns().items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.add_column(column)


def downgrade() -> None:
    for table, columns in reversed(_columns().items()):
        with op.batch_alter_table(table) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column.name)
