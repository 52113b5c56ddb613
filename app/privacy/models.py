"""Erasure requests (AVG art. 17) and what their handling erased and kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.crypto import EncryptedJSON
from app.db import UTCDateTime, created_at_field, uuid_pk_field
from app.text import CleanText


class ErasureStatus(StrEnum):
    open = "open"
    handled = "handled"


class ErasureRequest(SQLModel, table=True):
    __tablename__ = "erasure_request"
    # The clerks' list: open requests, oldest first.
    __table_args__ = (Index("ix_erasure_request_status_created", "status", "created_at", "id"),)

    id: uuid.UUID = uuid_pk_field()
    requester_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    status: ErasureStatus = Field(
        default=ErasureStatus.open,
        sa_type=SAEnum(
            ErasureStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
    )
    # The applicant's note ({"text": ...}) and the outcome (what was erased and kept, with
    # working names): personal, so encrypted at rest.
    note: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    outcome: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    created_at: datetime = created_at_field()
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---- API schemas ---------------------------------------------------------------------------


class ErasureRequestIn(SQLModel):
    note: CleanText | None = Field(default=None, max_length=2000)


class OutcomeItem(SQLModel):
    item: str
    detail: str = ""
    until: str | None = None


class ErasureRequestPublic(SQLModel):
    id: uuid.UUID
    status: ErasureStatus
    note: str | None
    created_at: datetime
    handled_at: datetime | None
    erased: list[OutcomeItem] = []
    kept: list[OutcomeItem] = []
    letter_url: str | None = None
