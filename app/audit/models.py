"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, created_at_field

GENESIS_HASH = "0" * 64


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    occurred_at: datetime = created_at_field()
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=64)
    object_id: str | None = Field(default=None, max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    result: str = Field(default="success", max_length=16)
    request_id: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(default="", max_length=64, unique=True)


class AuditEventPublic(SQLModel):
    id: int
    occurred_at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    object_type: str
    object_id: str | None
    result: str


__all__ = ["GENESIS_HASH", "AuditEvent", "AuditEventPublic", "UTCDateTime"]
