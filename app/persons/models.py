"""A person: one record per legal identity, known only by a keyed hash of it.

Applications (and home-work registrations) point at their person, so that one person
applying under two working names, or from two accounts, is one person to the clerk. The
record holds no name, birth date or BSN: only the hash, which cannot be matched against a
list of identities without the key (`app/crypto.py: keyed_hash`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import created_at_field, uuid_pk_field


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: uuid.UUID = uuid_pk_field()
    # keyed_hash of the identity; its `basis` says of what ("bsn" or "name_birth_date").
    identity_hash: str = Field(max_length=64, unique=True)
    basis: str = Field(max_length=16)
    created_at: datetime = created_at_field()
