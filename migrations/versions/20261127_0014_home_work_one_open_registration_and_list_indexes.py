"""one open home-work registration per person; indexes for the growing lists

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_WHERE = sa.text("status IN ('pending_address_check', 'active', 'under_review')")


def upgrade() -> None:
    with op.batch_alter_table("home_work_registration", schema=None) as batch_op:
        batch_op.drop_index("ix_home_work_registration_worker_created")
        batch_op.create_index(
            "ix_home_work_registration_worker_created",
            ["worker_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_home_work_registration_status_created",
            ["status", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_home_work_registration_created", ["created_at", "id"], unique=False
        )
        batch_op.create_index(
            "uq_home_work_registration_open_bsn",
            ["bsn_hash"],
            unique=True,
            postgresql_where=OPEN_WHERE,
            sqlite_where=OPEN_WHERE,
        )
    with op.batch_alter_table("nuisance_report", schema=None) as batch_op:
        batch_op.create_index("ix_nuisance_report_created", ["created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nuisance_report", schema=None) as batch_op:
        batch_op.drop_index("ix_nuisance_report_created")
    with op.batch_alter_table("home_work_registration", schema=None) as batch_op:
        batch_op.drop_index("uq_home_work_registration_open_bsn")
        batch_op.drop_index("ix_home_work_registration_created")
        batch_op.drop_index("ix_home_work_registration_status_created")
        batch_op.drop_index("ix_home_work_registration_worker_created")
        batch_op.create_index(
            "ix_home_work_registration_worker_created", ["worker_id", "created_at"], unique=False
        )
