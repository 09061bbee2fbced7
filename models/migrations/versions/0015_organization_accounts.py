"""Accounts for organizations (a branch, or a unit and its subtree) in the one account table,
their API tokens (hashed), receipts (签收) of issued documents, and the meetings an organization
records as they happen (三会一课台账).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reviewer_account") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False,
                                   server_default="reviewer"))
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("token_made_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                   nullable=True))
        batch.create_unique_constraint("uq_reviewer_account_token_hash", ["token_hash"])
    op.create_table(
        "document_receipt",
        sa.Column("document_id", sa.String(length=140), sa.ForeignKey("document.id"),
                  primary_key=True),
        sa.Column("org_code", sa.String(length=64), primary_key=True),
        sa.Column("signed_by", sa.String(length=100), nullable=False),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


    op.create_table(
        "ledger_meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_code", sa.String(length=64), sa.ForeignKey("organization.org_code"),
                  nullable=False, index=True),
        sa.Column("meeting_types", sa.JSON(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False, index=True),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("full_members_present", sa.Integer(), nullable=True),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger_meeting")
    op.drop_table("document_receipt")
    with op.batch_alter_table("reviewer_account") as batch:
        batch.drop_constraint("uq_reviewer_account_token_hash", type_="unique")
        batch.drop_column("token_made_at")
        batch.drop_column("token_hash")
        batch.drop_column("kind")
