"""Cases: one per organization and period, with who decided, the committee decision's
reference for proposals, and the reply due date.

The unique (period, org_code, action) constraint goes: a case's id (period and organization)
is its key now, and a database from the first release keeps its per-measure rows (withdrawn
on the next re-run, or issued and frozen) beside the new cases.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_constraint("uq_action_period_org_action", type_="unique")
        batch_op.add_column(sa.Column("proposal", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("reviewer", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("decision_ref", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reply_due", sa.Date(), nullable=True))
        batch_op.create_index("ix_action_period_org", ["period", "org_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_index("ix_action_period_org")
        for column in ("reply_due", "decision_ref", "note", "decided_at", "reviewer", "proposal"):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint("uq_action_period_org_action",
                                          ["period", "org_code", "action"])
