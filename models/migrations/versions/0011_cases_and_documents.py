"""One word for each thing: the case table is `accountability_case` and a case's measure (and a
finding's) is `measure`, no longer `action`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.rename_table("action", "accountability_case")
    with op.batch_alter_table("accountability_case") as batch_op:
        batch_op.alter_column("action", new_column_name="measure")
    with op.batch_alter_table("finding") as batch_op:
        batch_op.alter_column("action", new_column_name="measure")


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch_op:
        batch_op.alter_column("measure", new_column_name="action")
    with op.batch_alter_table("accountability_case") as batch_op:
        batch_op.alter_column("measure", new_column_name="action")
    op.rename_table("accountability_case", "action")
