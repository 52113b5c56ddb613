"""Addresses: find or record the one row of a normalised address. Nothing here commits."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from app.addresses.models import Address
from app.addresses.parse import AddressParts
from app.db import insert_once


def parts_of(address: Address) -> AddressParts:
    return AddressParts(
        address.postcode, address.house_number, address.house_letter, address.addition
    )


def find(*, session: Session, parts: AddressParts) -> Address | None:
    return session.exec(
        select(Address).where(
            Address.postcode == parts.postcode,
            Address.house_number == parts.house_number,
            Address.house_letter == parts.house_letter,
            Address.addition == parts.addition,
        )
    ).first()


def get_or_create(*, session: Session, parts: AddressParts) -> Address:
    """The address's row, recorded the first time it is used. Two requests recording the
    same new address at once end with one row: the second finds the first's."""
    existing = find(session=session, parts=parts)
    if existing is not None:
        return existing
    address = Address(
        postcode=parts.postcode,
        house_number=parts.house_number,
        house_letter=parts.house_letter,
        addition=parts.addition,
    )
    return insert_once(session, address, find=lambda: find(session=session, parts=parts))


def lock(*, session: Session, address_id: uuid.UUID) -> None:
    """Serialise what is decided about one address (its places for home work, its nuisance
    threshold). FOR NO KEY UPDATE: rows that merely point at the address (a new nuisance
    report) are not held up by it."""
    session.exec(
        select(Address).where(Address.id == address_id).with_for_update(key_share=True)
    ).one()


def get(*, session: Session, address_id: uuid.UUID | None) -> Address | None:
    return session.get(Address, address_id) if address_id else None


def one_line(*, session: Session, address_id: uuid.UUID | None) -> str | None:
    """The address on one line ("12A-3, 5038 AB"), or None when there is none."""
    address = get(session=session, address_id=address_id)
    return parts_of(address).one_line() if address else None
