"""home work under review: the day the worker may respond until, and when they did

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("home_work_registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("respond_by", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("responded_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("home_work_registration", schema=None) as batch_op:
        batch_op.drop_column("responded_at")
        batch_op.drop_column("respond_by")
