"""Finding a person's record from their legal identity.

The identity is the BSN where one is collected (home work), otherwise the legal name and
birth date (applications: the policy names no BSN field). The name is normalised before
hashing: Unicode NFC, case-folded, whitespace collapsed, so "Anna  de Vries" and
"ANNA DE VRIES" are the same person and a different birth date is another one.

A BSN's hash is the same keyed hash the address register and home work already use
(`app/crypto.py: bsn_hash`), so a person known by BSN matches those rows directly.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.crypto import bsn_hash, keyed_hash
from app.db import insert_once
from app.persons.models import Person


@dataclass(frozen=True)
class Identity:
    identity_hash: str
    basis: str


def normalise_name(name: str) -> str:
    """NFC, case-folded, whitespace collapsed (and NFC again: case-folding can decompose)."""
    folded = unicodedata.normalize("NFC", name).casefold()
    return unicodedata.normalize("NFC", " ".join(folded.split()))


def identity_of(
    *, bsn: str | None = None, legal_name: str | None = None, birth_date: date | str | None = None
) -> Identity | None:
    """The keyed identity; None when neither a BSN nor both name and birth date are known."""
    if bsn:
        return Identity(bsn_hash(bsn), "bsn")
    if not legal_name or not birth_date:
        return None
    name = normalise_name(legal_name)
    if not name:
        return None
    day = birth_date.isoformat() if isinstance(birth_date, date) else str(birth_date)
    return Identity(keyed_hash("person", f"{name}\x1f{day}"), "name_birth_date")


def find(*, session: Session, identity: Identity) -> Person | None:
    return session.exec(
        select(Person).where(Person.identity_hash == identity.identity_hash)
    ).first()


def get_or_create(*, session: Session, identity: Identity) -> Person:
    """The person with this identity, made the first time (a simultaneous first insert of
    the same identity is found instead)."""
    existing = find(session=session, identity=identity)
    if existing is not None:
        return existing
    return insert_once(
        session,
        Person(identity_hash=identity.identity_hash, basis=identity.basis),
        find=lambda: find(session=session, identity=identity),
    )


def lock(*, session: Session, person_id: uuid.UUID) -> None:
    """Hold the person's row until the commit, so two decisions about one person (under two
    working names) cannot both see the other's permit missing."""
    session.get(Person, person_id, with_for_update=True, populate_existing=True)
