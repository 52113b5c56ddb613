"""Home-work registrations: a sex worker working from the address where they are
registered in the population register, without a permit, as the policy allows."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Index, Text, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.addresses.models import HouseNumber, Postcode
from app.crypto import EncryptedJSON
from app.db import UTCDateTime, created_at_field, uuid_pk_field
from app.text import CleanText


class HomeWorkStatus(StrEnum):
    pending_address_check = "pending_address_check"  # the register could not be reached
    active = "active"
    under_review = "under_review"  # nuisance established: the worker may respond
    refused = "refused"  # a waiting check settled against it
    ended = "ended"  # the worker ended it
    ended_moved = "ended_moved"  # no longer registered at the address
    ended_after_review = "ended_after_review"  # a clerk's decision after a review


OPEN_STATUSES = (
    HomeWorkStatus.pending_address_check,
    HomeWorkStatus.active,
    HomeWorkStatus.under_review,
)
OPEN_WHERE = text("status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")")
"""One open registration per person (the partial unique index repeats this literally)."""


class HomeWorkRegistration(SQLModel, table=True):
    __tablename__ = "home_work_registration"
    __table_args__ = (
        # The registrations at an address (counting workers there, the address page).
        Index("ix_home_work_registration_address_status", "address_id", "status"),
        # A worker's own list, newest first.
        Index("ix_home_work_registration_worker_created", "worker_id", "created_at", "id"),
        # The staff lists: per status, or all, newest first.
        Index("ix_home_work_registration_status_created", "status", "created_at", "id"),
        Index("ix_home_work_registration_created", "created_at", "id"),
        # One open registration per person at a time.
        Index(
            "uq_home_work_registration_open_bsn",
            "bsn_hash",
            unique=True,
            postgresql_where=OPEN_WHERE,
            sqlite_where=OPEN_WHERE,
        ),
    )

    id: uuid.UUID = uuid_pk_field()
    worker_id: uuid.UUID = Field(foreign_key="user_account.id")
    address_id: uuid.UUID = Field(foreign_key="address.id")
    working_name: str = Field(max_length=60)
    # The BSN, encrypted, to ask the register again; its keyed hash finds the person when
    # an extract says they moved.
    personal: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    bsn_hash: str = Field(max_length=64, index=True)
    status: HomeWorkStatus = Field(
        default=HomeWorkStatus.pending_address_check,
        sa_type=SAEnum(
            HomeWorkStatus,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        ),
    )
    registered_since: date | None = None
    # The policy checks of the last evaluation (rule, passed, severity, messages).
    checks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    policy_version_id: uuid.UUID | None = Field(default=None, foreign_key="policy_version.id")
    status_reason: str | None = Field(default=None, sa_type=Text)
    # Under review: the worker may respond until this day; their response is kept in
    # `personal` (encrypted), with the moment it came.
    respond_by: date | None = None
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class HomeWorkCreate(SQLModel):
    working_name: CleanText = Field(min_length=2, max_length=60)
    bsn: CleanText = Field(min_length=8, max_length=12)
    postcode: Postcode
    house_number: HouseNumber

    @field_validator("working_name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())


class CheckOut(SQLModel):
    rule_id: str
    passed: bool
    severity: str
    message_nl: str
    message_en: str
    reference: str


class ResponseIn(SQLModel):
    text: CleanText = Field(min_length=3, max_length=4000)


class ReviewOutcome(StrEnum):
    resume = "resume"
    end = "end"


class ReviewDecisionIn(SQLModel):
    decision: ReviewOutcome
    reason: CleanText = Field(min_length=3, max_length=4000)
    version: int | None = None


class HomeWorkPublic(SQLModel):
    """A registration as its worker and staff see it: working name and address, never the
    BSN."""

    id: uuid.UUID
    working_name: str
    address: str
    status: HomeWorkStatus
    registered_since: date | None
    checks: list[CheckOut]
    status_reason: str | None
    respond_by: date | None = None
    response: str | None = None
    responded_at: datetime | None = None
    started_at: datetime | None
    ended_at: datetime | None
    version: int
    created_at: datetime


class HomeWorkPage(SQLModel):
    items: list[HomeWorkPublic]
    next_cursor: str | None
