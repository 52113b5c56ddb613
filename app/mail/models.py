"""The outbox: one row per message to send, written in the transaction of the change it
tells about, and sent after that transaction committed."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, Integer
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.crypto import EncryptedJSON, EncryptedText
from app.db import UTCDateTime, created_at_field, utcnow, uuid_pk_field


class MailStatus(StrEnum):
    pending = "pending"
    sent = "sent"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    # The sender's question: which pending messages are due, oldest first.
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: uuid.UUID = uuid_pk_field()
    # An account, or (only for the account's security messages) an address without one.
    to_user_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    to_address: str | None = Field(default=None, sa_type=EncryptedText)
    kind: str = Field(max_length=40)
    language: str = Field(max_length=2)
    # What the template fills in (a link); encrypted at rest.
    values: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    status: MailStatus = Field(
        default=MailStatus.pending,
        sa_type=SAEnum(
            MailStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # The kind of failure and the server's reply code only: never an address or a text.
    last_error: str | None = Field(default=None, max_length=200)
    # Something sent at most once (a permit's expiry warning): a second queue() is ignored.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
