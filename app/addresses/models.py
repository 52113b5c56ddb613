"""The normalised Dutch address every domain uses: postcode, house number, house letter and
addition, as the population register (BRP) has them. An address is stored once; permits,
home-work registrations, nuisance reports and inspections point at it, so everything
known at one address meets there."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.addresses.parse import normalise_house_number, normalise_postcode
from app.db import created_at_field, uuid_pk_field

Postcode = Annotated[str, AfterValidator(normalise_postcode)]
"""A Dutch postcode, any spacing or case in ("5038ab", " 5038 AB "), as "5038 AB" out."""
HouseNumber = Annotated[str, AfterValidator(normalise_house_number)]
"""A house number with its letter and addition ("12", "12a", "12 A-3"), normalised."""


class Address(SQLModel, table=True):
    __tablename__ = "address"
    # One row per address: the letter and addition are "" when there is none, so that
    # the unique constraint treats "no letter" as one value on every database.
    __table_args__ = (
        UniqueConstraint(
            "postcode", "house_number", "house_letter", "addition", name="uq_address_parts"
        ),
    )

    id: uuid.UUID = uuid_pk_field()
    postcode: str = Field(max_length=7)  # "5038 AB"
    house_number: int
    house_letter: str = Field(default="", max_length=1)
    addition: str = Field(default="", max_length=4)
    created_at: datetime = created_at_field()


class Resident(SQLModel, table=True):
    """Someone registered at an address in the population register, as the last BRP
    extract said (`swl residents import`). The BSN is kept only as a keyed hash: enough to
    answer "is this person registered here, since when", nothing to read back."""

    __tablename__ = "resident"

    id: uuid.UUID = uuid_pk_field()
    bsn_hash: str = Field(max_length=64, unique=True)
    address_id: uuid.UUID = Field(foreign_key="address.id", index=True)
    registered_since: date
    imported_at: datetime = created_at_field()
