"""signals of human trafficking and their follow-up steps

A separate record that only the care coordinator reads; what it says is encrypted.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.crypto
import app.db

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("content", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("new", "taken", "closed", name="signalstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("taken_by_id", sa.Uuid(), nullable=True),
        sa.Column("taken_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_signal_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["user_account.id"], name=op.f("fk_signal_taken_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal")),
    )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signal_status_created", ["status", "created_at", "id"], unique=False
        )
    op.create_table(
        "signal_follow_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("signal_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "contact_made",
                "consent_given",
                "consent_refused",
                "referral_shelter",
                "referral_police",
                "referral_support",
                "note",
                name="followupkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("content", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["user_account.id"], name=op.f("fk_signal_follow_up_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"], ["signal.id"], name=op.f("fk_signal_follow_up_signal_id_signal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_follow_up")),
    )
    with op.batch_alter_table("signal_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signal_follow_up_signal_id"), ["signal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("signal_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_follow_up_signal_id"))
    op.drop_table("signal_follow_up")
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_status_created")
    op.drop_table("signal")
