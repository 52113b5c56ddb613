"""the local address register: residents from a BRP extract

Who is registered at which address, since when, as `swl residents import` loaded it. The
BSN is stored only as a keyed hash, for look-up.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resident",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bsn_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("address_id", sa.Uuid(), nullable=False),
        sa.Column("registered_since", sa.Date(), nullable=False),
        sa.Column("imported_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["address.id"], name=op.f("fk_resident_address_id_address")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident")),
        sa.UniqueConstraint("bsn_hash", name=op.f("uq_resident_bsn_hash")),
    )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_address_id"), ["address_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_address_id"))
    op.drop_table("resident")
