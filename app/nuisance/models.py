"""Nuisance reports: anyone reports nuisance at an address; staff assess whether it is
substantiated. What the reporter wrote and how to reach them (only with their consent)
is encrypted at rest."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import EmailStr, StringConstraints, field_validator
from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.addresses.models import HouseNumber, Postcode
from app.crypto import EncryptedJSON
from app.db import UTCDateTime, created_at_field, local_today, uuid_pk_field
from app.text import CleanText

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,32}$", max_length=32)]


class NuisanceStatus(StrEnum):
    received = "received"
    assessed = "assessed"
    closed = "closed"


class NuisanceReport(SQLModel, table=True):
    __tablename__ = "nuisance_report"
    __table_args__ = (
        # Substantiated reports at an address within a window (the home-work rule).
        Index("ix_nuisance_report_address_observed", "address_id", "observed_on"),
        # The staff list, newest first, per status or all; the retention schedule's scan.
        Index("ix_nuisance_report_status_created", "status", "created_at", "id"),
        Index("ix_nuisance_report_created", "created_at", "id"),
    )

    id: uuid.UUID = uuid_pk_field()
    reference: str = Field(max_length=16, unique=True)
    address_id: uuid.UUID = Field(foreign_key="address.id")
    category: str = Field(max_length=64)
    observed_on: date
    # {"description": ..., "contact": {...} or None}: encrypted.
    content: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    contact_consent: bool = Field(default=False)
    status: NuisanceStatus = Field(
        default=NuisanceStatus.received,
        sa_type=SAEnum(
            NuisanceStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
    )
    substantiated: bool | None = None
    assessment_notes: str | None = Field(default=None, sa_type=Text)
    assessed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class NuisanceReportCreate(SQLModel):
    postcode: Postcode
    house_number: HouseNumber
    category: CleanText = Field(min_length=1, max_length=64)
    observed_on: date
    description: CleanText = Field(min_length=10, max_length=4000)
    contact_consent: bool = False
    contact_name: CleanText | None = Field(default=None, max_length=200)
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None

    @field_validator("observed_on")
    @classmethod
    def _not_in_the_future(cls, value: date) -> date:
        today = local_today()
        if value > today or (today - value).days > 366:
            raise ValueError("The day you noticed the nuisance: today or in the last year.")
        return value

    @field_validator("description", "contact_name")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None


class NuisanceReceipt(SQLModel):
    """What the reporter gets back: the same whatever the address holds."""

    reference: str
    status: NuisanceStatus


class AssessmentIn(SQLModel):
    substantiated: bool
    notes: CleanText = Field(min_length=3, max_length=4000)
    version: int | None = None


class NuisanceReportPublic(SQLModel):
    """A report as staff see it (contact details only when the reporter agreed)."""

    id: uuid.UUID
    reference: str
    address_id: uuid.UUID
    address: str
    category: str
    observed_on: date
    description: str
    contact: dict[str, str] | None
    status: NuisanceStatus
    substantiated: bool | None
    assessment_notes: str | None
    assessed_at: datetime | None
    version: int
    created_at: datetime


class NuisancePage(SQLModel):
    items: list[NuisanceReportPublic]
    next_cursor: str | None
