"""one person, one record: persons keyed by a hash of their legal identity, applications
pointing at their person; applicants" erasure requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.crypto
import app.db

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("identity_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("identity_hash", name=op.f("uq_person_identity_hash")),
    )
    op.create_table(
        "erasure_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "handled", name="erasurestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("note", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("outcome", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["user_account.id"],
            name=op.f("fk_erasure_request_requester_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_request")),
    )
    with op.batch_alter_table("erasure_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_request_requester_id"), ["requester_id"], unique=False
        )
        batch_op.create_index(
            "ix_erasure_request_status_created", ["status", "created_at", "id"], unique=False
        )

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_person_id"), ["person_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_application_person_id_person"), "person", ["person_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_application_person_id_person"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_application_person_id"))
        batch_op.drop_column("person_id")

    with op.batch_alter_table("erasure_request", schema=None) as batch_op:
        batch_op.drop_index("ix_erasure_request_status_created")
        batch_op.drop_index(batch_op.f("ix_erasure_request_requester_id"))

    op.drop_table("erasure_request")
    op.drop_table("person")
