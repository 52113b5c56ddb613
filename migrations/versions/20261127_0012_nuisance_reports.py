"""nuisance reports

Reports from anyone about nuisance at an address; what was written and how to contact the
reporter (only with consent) are encrypted. Staff record whether it was substantiated.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.crypto
import app.db

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nuisance_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("address_id", sa.Uuid(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("content", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("contact_consent", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "assessed",
                "closed",
                name="nuisancestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("substantiated", sa.Boolean(), nullable=True),
        sa.Column("assessment_notes", sa.Text(), nullable=True),
        sa.Column("assessed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["address.id"], name=op.f("fk_nuisance_report_address_id_address")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nuisance_report")),
        sa.UniqueConstraint("reference", name=op.f("uq_nuisance_report_reference")),
    )
    with op.batch_alter_table("nuisance_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_nuisance_report_address_observed", ["address_id", "observed_on"], unique=False
        )
        batch_op.create_index(
            "ix_nuisance_report_status_created", ["status", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("nuisance_report", schema=None) as batch_op:
        batch_op.drop_index("ix_nuisance_report_status_created")
        batch_op.drop_index("ix_nuisance_report_address_observed")
    op.drop_table("nuisance_report")
