"""addresses as one table; a permit points at its business's address

`permit.address` held the printed text ("12, 5038 AB"). Addresses now have their own
table with the parts the BRP uses (postcode, house number, letter, addition), so permits,
home-work registrations, nuisance reports and inspections meet at one row. Existing texts
are read into addresses. A text that cannot be read stops the upgrade (nothing is
changed) with the permits and texts to correct, so no printed address is lost.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 09:50:00
"""

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The printed form this revision reads: "<house number>, <postcode>". A frozen copy of the
# rules of app/addresses/parse.py as they were when this revision was written.
PRINTED = re.compile(
    r"^\s*(?P<number>[1-9][0-9]{0,4})(?:\s*(?P<letter>[A-Za-z])(?![A-Za-z0-9]))?"
    r"(?:(?:\s*-\s*|\s+|(?<=[A-Za-z])|(?=[A-Za-z]))(?P<addition>[A-Za-z0-9]{1,4}))?\s*,\s*"
    r"(?P<digits>[1-9][0-9]{3})\s*(?P<letters>[A-Za-z]{2})\s*$"
)


def upgrade() -> None:
    # Every printed address must be readable before anything changes (SQLite has no
    # transactional DDL: a failure halfway would leave a half-made schema).
    bind = op.get_bind()
    printed = sa.table(
        "permit", sa.column("number", sa.String()), sa.column("address", sa.String())
    )
    rows = bind.execute(
        sa.select(printed.c.number, printed.c.address).where(printed.c.address.is_not(None))
    ).all()
    unreadable = [(number, text) for number, text in rows if not PRINTED.match(text)]
    if unreadable:
        listed = "; ".join(f"permit {number}: {text!r}" for number, text in unreadable)
        raise RuntimeError(
            "These business addresses cannot be read as '<house number>, <postcode>' "
            f"(for example '12A-3, 5038 AB'): {listed}. Correct each permit's address "
            "column and upgrade again; nothing was changed."
        )
    address = op.create_table(
        "address",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("house_number", sa.Integer(), nullable=False),
        sa.Column("house_letter", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("addition", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
        sa.UniqueConstraint(
            "postcode", "house_number", "house_letter", "addition", name="uq_address_parts"
        ),
    )
    with op.batch_alter_table("permit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_permit_address_id"), ["address_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_permit_address_id_address"), "address", ["address_id"], ["id"]
        )

    permit = sa.table(
        "permit",
        sa.column("id", sa.Uuid()),
        sa.column("number", sa.String()),
        sa.column("address", sa.String()),
        sa.column("address_id", sa.Uuid()),
    )
    ids: dict[tuple[str, int, str, str], uuid.UUID] = {}
    rows = bind.execute(
        sa.select(permit.c.id, permit.c.address, permit.c.number).where(
            permit.c.address.is_not(None)
        )
    ).all()
    for permit_id, text, _number in rows:
        found = PRINTED.match(text)
        assert found is not None
        key = (
            f"{found['digits']} {found['letters'].upper()}",
            int(found["number"]),
            (found["letter"] or "").upper(),
            (found["addition"] or "").upper(),
        )
        if key not in ids:
            ids[key] = uuid.uuid4()
            bind.execute(
                address.insert().values(
                    id=ids[key],
                    postcode=key[0],
                    house_number=key[1],
                    house_letter=key[2],
                    addition=key[3],
                    created_at=datetime.now(UTC),
                )
            )
        bind.execute(permit.update().where(permit.c.id == permit_id).values(address_id=ids[key]))

    with op.batch_alter_table("permit", schema=None) as batch_op:
        batch_op.drop_column("address")


def downgrade() -> None:
    with op.batch_alter_table("permit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    bind = op.get_bind()
    permit = sa.table(
        "permit",
        sa.column("id", sa.Uuid()),
        sa.column("address", sa.String()),
        sa.column("address_id", sa.Uuid()),
    )
    address = sa.table(
        "address",
        sa.column("id", sa.Uuid()),
        sa.column("postcode", sa.String()),
        sa.column("house_number", sa.Integer()),
        sa.column("house_letter", sa.String()),
        sa.column("addition", sa.String()),
    )
    rows = bind.execute(
        sa.select(
            permit.c.id,
            address.c.postcode,
            address.c.house_number,
            address.c.house_letter,
            address.c.addition,
        ).join(address, address.c.id == permit.c.address_id)
    ).all()
    for permit_id, postcode, number, letter, addition in rows:
        house = f"{number}{letter}" + (f"-{addition}" if addition else "")
        bind.execute(
            permit.update().where(permit.c.id == permit_id).values(address=f"{house}, {postcode}")
        )
    with op.batch_alter_table("permit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_permit_address_id_address"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_permit_address_id"))
        batch_op.drop_column("address_id")
    op.drop_table("address")
