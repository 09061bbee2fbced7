"""What an issued document asked, kept so later documents can cite it truthfully: the date a
notice asked its answer by (a return later moves the case's date, not this one), a talk's
date and time, and for a 催办 the date each case it chases had missed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("meeting_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("meeting_time", sa.String(length=32), nullable=True))
    with op.batch_alter_table("document_case") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    # a 催办 of the previous release chased one case: the date it missed is the letter's
    op.execute("UPDATE document_case SET due_on = (SELECT overdue_since FROM document "
               "WHERE document.id = document_case.document_id AND document.kind = 'chase') "
               "WHERE due_on IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("document_case") as batch:
        batch.drop_column("due_on")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("meeting_time")
        batch.drop_column("meeting_on")
