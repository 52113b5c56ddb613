"""address confirmation: accounts confirm their e-mail address before they can log in

Accounts that exist already count as confirmed (they were made before the rule).

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE user_account SET email_confirmed_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
