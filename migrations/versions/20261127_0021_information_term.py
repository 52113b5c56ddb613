"""the term an applicant has to supply information asked for (Awb 4:5)

Applications asked for information before this revision have no term (NULL): their
refusal on that ground stays allowed as before.

Revision ID: 0021
Revises: 0020 (the lead renumbers when merging)
Create Date: 2026-11-27 13:24:17
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("information_due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("information_due")
