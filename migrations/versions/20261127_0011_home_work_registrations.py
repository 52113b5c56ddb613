"""home-work registrations

A sex worker working from the address where they are registered in the population
register: status, the checks of the last evaluation, the BSN encrypted (and its keyed hash
to find the registration when an extract says the person moved).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.crypto
import app.db

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "home_work_registration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=False),
        sa.Column("address_id", sa.Uuid(), nullable=False),
        sa.Column("working_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("personal", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("bsn_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending_address_check",
                "active",
                "under_review",
                "refused",
                "ended",
                "ended_moved",
                "ended_after_review",
                name="homeworkstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("registered_since", sa.Date(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("policy_version_id", sa.Uuid(), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("started_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["address.id"],
            name=op.f("fk_home_work_registration_address_id_address"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_version.id"],
            name=op.f("fk_home_work_registration_policy_version_id_policy_version"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["user_account.id"],
            name=op.f("fk_home_work_registration_worker_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_work_registration")),
    )
    with op.batch_alter_table("home_work_registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_home_work_registration_address_status", ["address_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_home_work_registration_bsn_hash"), ["bsn_hash"], unique=False
        )
        batch_op.create_index(
            "ix_home_work_registration_worker_created", ["worker_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("home_work_registration", schema=None) as batch_op:
        batch_op.drop_index("ix_home_work_registration_worker_created")
        batch_op.drop_index(batch_op.f("ix_home_work_registration_bsn_hash"))
        batch_op.drop_index("ix_home_work_registration_address_status")
    op.drop_table("home_work_registration")
