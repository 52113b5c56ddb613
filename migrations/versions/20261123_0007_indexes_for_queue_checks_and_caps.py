"""indexes for the work queue, the latest checks and cap counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_QUEUE_WHERE = sa.text(
    "status IN ('submitted', 'in_review', 'information_requested') AND submitted_at IS NOT NULL"
)
CLOSED_QUEUE_WHERE = sa.text(
    "status IN ('approved', 'refused', 'withdrawn') AND submitted_at IS NOT NULL"
)


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_open_queue",
            ["decision_due", "id"],
            unique=False,
            postgresql_where=OPEN_QUEUE_WHERE,
            sqlite_where=OPEN_QUEUE_WHERE,
        )
        batch_op.create_index(
            "ix_application_closed_queue",
            ["status", "decision_due", "id"],
            unique=False,
            postgresql_where=CLOSED_QUEUE_WHERE,
            sqlite_where=CLOSED_QUEUE_WHERE,
        )
    with op.batch_alter_table("application_check", schema=None) as batch_op:
        batch_op.drop_index("ix_application_check_application_id")
        batch_op.create_index(
            "ix_application_check_application_evaluated",
            ["application_id", "evaluated_at"],
            unique=False,
        )
    with op.batch_alter_table("permit", schema=None) as batch_op:
        batch_op.drop_index("ix_permit_permit_type")
        batch_op.create_index(
            "ix_permit_type_valid_until", ["permit_type", "valid_until"], unique=False
        )
        batch_op.create_index("ix_permit_renewal_of_id", ["renewal_of_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("permit", schema=None) as batch_op:
        batch_op.drop_index("ix_permit_renewal_of_id")
        batch_op.drop_index("ix_permit_type_valid_until")
        batch_op.create_index("ix_permit_permit_type", ["permit_type"], unique=False)
    with op.batch_alter_table("application_check", schema=None) as batch_op:
        batch_op.drop_index("ix_application_check_application_evaluated")
        batch_op.create_index(
            "ix_application_check_application_id", ["application_id"], unique=False
        )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_closed_queue")
        batch_op.drop_index("ix_application_open_queue")
