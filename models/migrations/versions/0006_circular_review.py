"""The quarter circular's review: its record and its append-only history.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "circular_review",
        sa.Column("subject", sa.String(length=120), primary_key=True),
        sa.Column("period", sa.String(length=16), nullable=False, index=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("document", sa.String(length=500), nullable=True),
        sa.Column("html_document", sa.String(length=500), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("doc_number", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "circular_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(length=120), sa.ForeignKey("circular_review.subject"),
                  nullable=False, index=True),
        sa.Column("period", sa.String(length=16), nullable=False, index=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    # append-only, like action_event (0002 made the function on PostgreSQL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER circular_event_append_only BEFORE UPDATE OR DELETE ON "
                   "circular_event FOR EACH ROW EXECUTE FUNCTION dutyflow_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER circular_event_no_{verb.lower()} BEFORE {verb} ON "
                       f"circular_event BEGIN SELECT RAISE(ABORT, 'dutyflow: circular_event is "
                       f"append-only; {verb} refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS circular_event_append_only ON circular_event")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS circular_event_no_{verb}")
    op.drop_table("circular_event")
    op.drop_table("circular_review")
