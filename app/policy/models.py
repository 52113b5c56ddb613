"""Every policy version that was ever in force, kept verbatim."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.db import created_at_field, uuid_pk_field


class PolicyVersion(SQLModel, table=True):
    __tablename__ = "policy_version"

    id: uuid.UUID = uuid_pk_field()
    version: str = Field(max_length=64)
    effective_date: date
    municipality: str = Field(max_length=128)
    fingerprint: str = Field(max_length=64, unique=True)
    source_name: str = Field(max_length=255)
    content: str = Field(sa_type=Text)
    loaded_at: datetime = created_at_field()


class PolicyVersionPublic(SQLModel):
    id: uuid.UUID
    version: str
    effective_date: date
    municipality: str
    fingerprint: str
    loaded_at: datetime
