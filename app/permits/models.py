"""Permits issued on approved applications."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db import created_at_field, uuid_pk_field
from app.text import CleanText


class PermitStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    revoked = "revoked"


class PermitState(StrEnum):
    """What a permit is today: its status, or `expired` once its end date has passed."""

    active = "active"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"


class Permit(SQLModel, table=True):
    __tablename__ = "permit"
    # Counting permits in force of a type under a cap (type, then end date).
    __table_args__ = (Index("ix_permit_type_valid_until", "permit_type", "valid_until"),)

    id: uuid.UUID = uuid_pk_field()
    number: str = Field(max_length=20, unique=True, index=True)
    application_id: uuid.UUID = Field(foreign_key="application.id", unique=True)
    holder_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    permit_type: str = Field(max_length=64)
    working_name: str = Field(max_length=100)
    # The business's address (printed when the policy says so); never a home address.
    address_id: uuid.UUID | None = Field(default=None, foreign_key="address.id", index=True)
    valid_from: date
    valid_until: date = Field(index=True)
    status: PermitStatus = Field(
        default=PermitStatus.active,
        sa_type=SAEnum(
            PermitStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
    )
    status_reason: str | None = Field(default=None, sa_type=Text)
    conditions_nl: list[str] = Field(default_factory=list, sa_type=JSON)
    conditions_en: list[str] = Field(default_factory=list, sa_type=JSON)
    policy_version_id: uuid.UUID = Field(foreign_key="policy_version.id")
    renewal_of_id: uuid.UUID | None = Field(default=None, foreign_key="permit.id", index=True)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    def state_on(self, day: date) -> PermitState:
        if self.status == PermitStatus.active and day > self.valid_until:
            return PermitState.expired
        if self.status == PermitStatus.suspended and day > self.valid_until:
            return PermitState.expired
        return PermitState(self.status.value)


class PermitPublic(SQLModel):
    """A permit as its holder and staff see it (working name only, never a legal name)."""

    id: uuid.UUID
    number: str
    application_id: uuid.UUID
    permit_type: str
    working_name: str
    valid_from: date
    valid_until: date
    status: PermitStatus
    state: PermitState
    status_reason: str | None
    conditions_nl: list[str]
    conditions_en: list[str]
    renewal_of_id: uuid.UUID | None


class PermitAction(SQLModel):
    reason: CleanText = Field(min_length=3, max_length=2000)
