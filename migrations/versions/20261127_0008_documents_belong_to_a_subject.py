"""documents belong to a subject (type and id) and may have no owner

A generated document was tied to an application and a permit by two columns, and always
had a person as its owner. Now it belongs to one subject: an application (its decision
letter) or a permit (the permit PDF and the letters suspending, reinstating or revoking
it), and later a home-work registration or an inspection; an inspection report is
addressed to no one, so the owner may be empty.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECT_TYPE = sa.Enum(
    "application",
    "permit",
    "homework_registration",
    "inspection",
    name="subjecttype",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", SUBJECT_TYPE, nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.Uuid(), nullable=True))
    # Letters about an application; every other kind so far is about a permit.
    op.execute(
        "UPDATE document SET subject_type = 'application', subject_id = application_id "
        "WHERE kind IN ('decision_approve', 'decision_refuse')"
    )
    op.execute(
        "UPDATE document SET subject_type = 'permit', subject_id = permit_id "
        "WHERE kind NOT IN ('decision_approve', 'decision_refuse')"
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.alter_column("subject_type", existing_type=SUBJECT_TYPE, nullable=False)
        batch_op.alter_column("subject_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.drop_index("ix_document_application_id")
        batch_op.drop_index("ix_document_permit_id")
        batch_op.drop_column("application_id")
        batch_op.drop_column("permit_id")
        batch_op.create_index(
            "ix_document_subject", ["subject_type", "subject_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("permit_id", sa.Uuid(), nullable=True))
    # A letter about an application names its permit when one was granted; a permit's
    # documents name the application the permit was granted on.
    op.execute(
        "UPDATE document SET application_id = subject_id, permit_id = "
        "(SELECT permit.id FROM permit WHERE permit.application_id = document.subject_id) "
        "WHERE subject_type = 'application'"
    )
    op.execute(
        "UPDATE document SET permit_id = subject_id, application_id = "
        "(SELECT permit.application_id FROM permit WHERE permit.id = document.subject_id) "
        "WHERE subject_type = 'permit'"
    )
    # Documents of later subjects (home work, inspections) did not exist before.
    op.execute("DELETE FROM document WHERE subject_type NOT IN ('application', 'permit')")
    op.execute("DELETE FROM document WHERE owner_id IS NULL")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_subject")
        batch_op.drop_column("subject_type")
        batch_op.drop_column("subject_id")
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index("ix_document_application_id", ["application_id"], unique=False)
        batch_op.create_index("ix_document_permit_id", ["permit_id"], unique=False)
