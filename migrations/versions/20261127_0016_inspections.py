"""inspection visits: planned, recorded in versions, photos, referrals to the clerk;
a signal may name the visit during which it was seen

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 12:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.crypto
import app.db

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "place_kind",
            sa.Enum("permit", "address", name="placekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("permit_id", sa.Uuid(), nullable=True),
        sa.Column("address_id", sa.Uuid(), nullable=True),
        sa.Column("planned_for", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "recorded",
                "cancelled",
                name="inspectionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("planned_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_versions", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "compliant", "warning", "violation", name="outcome", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("visited_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("follow_up_done", sa.Boolean(), nullable=False),
        sa.Column("draft", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("draft_saved_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancellation", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["address_id"], ["address.id"], name=op.f("fk_inspection_address_id_address")
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permit.id"], name=op.f("fk_inspection_permit_id_permit")
        ),
        sa.ForeignKeyConstraint(
            ["planned_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_planned_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_address_planned", ["address_id", "planned_for"], unique=False
        )
        batch_op.create_index(
            "ix_inspection_permit_visited", ["permit_id", "visited_at"], unique=False
        )
        batch_op.create_index("ix_inspection_created", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_inspection_follow_up", ["follow_up_done", "follow_up_on"], unique=False
        )
        batch_op.create_index(
            "ix_inspection_permit_planned", ["permit_id", "planned_for"], unique=False
        )
        batch_op.create_index(
            "ix_inspection_status_planned", ["status", "planned_for", "id"], unique=False
        )

    op.create_table(
        "inspection_inspector",
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_inspector_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_inspector_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("inspection_id", "user_id", name=op.f("pk_inspection_inspector")),
    )
    with op.batch_alter_table("inspection_inspector", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_inspector_user", ["user_id", "inspection_id"], unique=False
        )

    op.create_table(
        "inspection_photo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_photo_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_photo_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_photo")),
    )
    with op.batch_alter_table("inspection_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_photo_inspection_id"), ["inspection_id"], unique=False
        )

    op.create_table(
        "inspection_referral",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "handled", "withdrawn", name="referralstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column(
            "action",
            sa.Enum(
                "suspend", "revoke", "none", name="referralaction", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("handled_by_id", sa.Uuid(), nullable=True),
        sa.Column("handled_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_referral_handled_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_referral_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permit.id"], name=op.f("fk_inspection_referral_permit_id_permit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_referral")),
    )
    with op.batch_alter_table("inspection_referral", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_referral_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(
            "ix_inspection_referral_permit_status", ["permit_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_inspection_referral_status_created", ["status", "created_at", "id"], unique=False
        )

    op.create_table(
        "inspection_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("visited_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "compliant", "warning", "violation", name="outcome", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("warning_letter", sa.Boolean(), nullable=False),
        sa.Column("refer_to_clerk", sa.Boolean(), nullable=False),
        sa.Column("content", app.crypto.EncryptedJSON(), nullable=False),
        sa.Column("policy_version_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_version_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_version.id"],
            name=op.f("fk_inspection_version_policy_version_id_policy_version"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_version_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_version")),
        sa.UniqueConstraint("inspection_id", "number", name="uq_inspection_version_number"),
    )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_signal_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_signal_inspection_id_inspection"),
            "inspection",
            ["inspection_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signal_inspection_id_inspection"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_signal_inspection_id"))
        batch_op.drop_column("inspection_id")

    op.drop_table("inspection_version")
    with op.batch_alter_table("inspection_referral", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_referral_status_created")
        batch_op.drop_index("ix_inspection_referral_permit_status")
        batch_op.drop_index(batch_op.f("ix_inspection_referral_inspection_id"))

    op.drop_table("inspection_referral")
    with op.batch_alter_table("inspection_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_photo_inspection_id"))

    op.drop_table("inspection_photo")
    with op.batch_alter_table("inspection_inspector", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_inspector_user")

    op.drop_table("inspection_inspector")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_status_planned")
        batch_op.drop_index("ix_inspection_permit_planned")
        batch_op.drop_index("ix_inspection_follow_up")
        batch_op.drop_index("ix_inspection_address_planned")
        batch_op.drop_index("ix_inspection_permit_visited")
        batch_op.drop_index("ix_inspection_created")

    op.drop_table("inspection")
