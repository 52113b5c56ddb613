"""Signals of human trafficking: what an inspector saw (indicators from the policy, a
note), a separate record that only the care coordinator reads (and its author until the
care coordinator takes it), never part of an inspection, never in any list others see.
Everything said in a signal or its follow-up is encrypted at rest."""

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


def _enum(enum: type[StrEnum]) -> SAEnum:
    return SAEnum(
        enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
    )


class SignalStatus(StrEnum):
    new = "new"
    taken = "taken"  # the care coordinator works on it
    closed = "closed"


class FollowUpKind(StrEnum):
    contact_made = "contact_made"
    consent_given = "consent_given"
    consent_refused = "consent_refused"
    referral_shelter = "referral_shelter"  # shelter care, such as Sterk Huis
    referral_police = "referral_police"  # the police's AVIM unit
    referral_support = "referral_support"  # a support organisation
    note = "note"


class Signal(SQLModel, table=True):
    __tablename__ = "signal"
    # The care coordinator's queue: new signals, oldest first.
    __table_args__ = (Index("ix_signal_status_created", "status", "created_at", "id"),)

    id: uuid.UUID = uuid_pk_field()
    author_id: uuid.UUID = Field(foreign_key="user_account.id")
    # The visit during which it was seen, if any (the inspection itself never points here).
    inspection_id: uuid.UUID | None = Field(default=None, foreign_key="inspection.id", index=True)
    # {"indicators": [...keys], "note": str, "place": str}: encrypted.
    content: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    status: SignalStatus = Field(default=SignalStatus.new, sa_type=_enum(SignalStatus))
    taken_by_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class SignalFollowUp(SQLModel, table=True):
    __tablename__ = "signal_follow_up"

    id: uuid.UUID = uuid_pk_field()
    signal_id: uuid.UUID = Field(foreign_key="signal.id", index=True)
    kind: FollowUpKind = Field(sa_type=_enum(FollowUpKind))
    # {"note": str}: encrypted.
    content: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    by_id: uuid.UUID = Field(foreign_key="user_account.id")
    occurred_at: datetime = created_at_field()


class SignalCreate(SQLModel):
    indicators: list[CleanText] = Field(min_length=1, max_length=50)
    note: CleanText | None = Field(default=None, max_length=4000)
    place: CleanText | None = Field(
        default=None, max_length=200, description="Where it was seen, in the author's words."
    )
    inspection_id: uuid.UUID | None = Field(
        default=None, description="The visit during which it was seen (one you went on)."
    )


class FollowUpIn(SQLModel):
    kind: FollowUpKind
    note: CleanText | None = Field(default=None, max_length=4000)
    close: bool = Field(default=False, description="Close the signal with this step.")


class FollowUpOut(SQLModel):
    kind: FollowUpKind
    note: str | None
    occurred_at: datetime


class SignalPublic(SQLModel):
    """A signal as the care coordinator (or its author, until taken) reads it."""

    id: uuid.UUID
    indicators: list[dict[str, str]]
    note: str | None
    place: str | None
    status: SignalStatus
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    waited_days: int
    during_visit: bool = False
    follow_ups: list[FollowUpOut]
    version: int


class SignalPage(SQLModel):
    items: list[SignalPublic]
    next_cursor: str | None
