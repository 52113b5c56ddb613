"""account e-mail addresses encrypted at rest, found by a keyed hash; an index on the role
for the staff lists

Existing addresses are hashed and encrypted here with the configured keys
(FIELD_ENCRYPTION_KEY, LOOKUP_KEY), so run it with the service's settings.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.crypto

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

accounts = sa.table(
    "user_account",
    sa.column("id", sa.Uuid()),
    sa.column("email", sa.Text()),
    sa.column("email_hash", sa.String(64)),
)


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_hash", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "email",
            existing_type=sa.VARCHAR(length=254),
            type_=app.crypto.EncryptedText(),
            existing_nullable=False,
        )
        batch_op.drop_index(batch_op.f("ix_user_account_email"))
    connection = op.get_bind()
    for row_id, email in connection.execute(sa.select(accounts.c.id, accounts.c.email)).all():
        address = email.strip().lower()
        connection.execute(
            accounts.update()
            .where(accounts.c.id == row_id)
            .values(
                email=app.crypto.fernet().encrypt(address.encode()).decode(),
                email_hash=app.crypto.keyed_hash("email", address),
            )
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("email_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_user_account_email_hash"), ["email_hash"], unique=True)
        batch_op.create_index("ix_user_account_role", ["role"], unique=False)


def downgrade() -> None:
    connection = op.get_bind()
    for row_id, token in connection.execute(sa.select(accounts.c.id, accounts.c.email)).all():
        connection.execute(
            accounts.update()
            .where(accounts.c.id == row_id)
            .values(email=app.crypto.fernet().decrypt(token.encode()).decode())
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index("ix_user_account_role")
        batch_op.drop_index(batch_op.f("ix_user_account_email_hash"))
        batch_op.alter_column(
            "email",
            existing_type=app.crypto.EncryptedText(),
            type_=sa.VARCHAR(length=254),
            existing_nullable=False,
        )
        batch_op.create_index(batch_op.f("ix_user_account_email"), ["email"], unique=True)
        batch_op.drop_column("email_hash")
