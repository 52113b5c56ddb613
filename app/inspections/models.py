"""Inspection visits (Toezicht en Handhaving): planned for a licensed business (by its
permit) or an address, recorded on a phone, corrected only by a new version.

What the inspector writes (findings, notes on checklist items, who was met, a correction's
reason) is encrypted at rest; the answers to the checklist (item key -> yes/no/n.a.) and
the outcome are plain, so lists and counts need no decryption. Signs of human trafficking
are never part of an inspection: they are a separate signal (`app/signals/`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator
from sqlalchemy import JSON, Index, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.addresses.models import HouseNumber, Postcode
from app.crypto import EncryptedJSON
from app.db import UTCDateTime, created_at_field, uuid_pk_field
from app.text import CleanText


def _enum(enum: type[StrEnum]) -> SAEnum:
    return SAEnum(
        enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
    )


class InspectionStatus(StrEnum):
    planned = "planned"
    recorded = "recorded"
    cancelled = "cancelled"


class PlaceKind(StrEnum):
    permit = "permit"  # a licensed business, by its permit
    address = "address"  # a home-work address or an address from nuisance reports


class Outcome(StrEnum):
    compliant = "compliant"
    warning = "warning"
    violation = "violation"


class Answer(StrEnum):
    yes = "yes"
    no = "no"
    not_applicable = "not_applicable"


class PersonRole(StrEnum):
    worker = "worker"
    operator = "operator"
    manager = "manager"
    other = "other"


class ReferralStatus(StrEnum):
    open = "open"
    handled = "handled"  # the clerk acted (or decided not to)
    withdrawn = "withdrawn"  # a correction of the visit took the reason away


class ReferralAction(StrEnum):
    suspend = "suspend"
    revoke = "revoke"
    none = "none"


class Inspection(SQLModel, table=True):
    __tablename__ = "inspection"
    __table_args__ = (
        # A place's visits, newest first (the due list, the address and permit pages).
        Index("ix_inspection_permit_planned", "permit_id", "planned_for"),
        Index("ix_inspection_address_planned", "address_id", "planned_for"),
        # A business's last visit (the due list asks it per business permit).
        Index("ix_inspection_permit_visited", "permit_id", "visited_at"),
        # All visits, newest first.
        Index("ix_inspection_created", "created_at", "id"),
        # Planned visits by day; follow-ups whose date has come.
        Index("ix_inspection_status_planned", "status", "planned_for", "id"),
        Index("ix_inspection_follow_up", "follow_up_done", "follow_up_on"),
    )

    id: uuid.UUID = uuid_pk_field()
    place_kind: PlaceKind = Field(sa_type=_enum(PlaceKind))
    permit_id: uuid.UUID | None = Field(default=None, foreign_key="permit.id")
    address_id: uuid.UUID | None = Field(default=None, foreign_key="address.id")
    planned_for: date
    status: InspectionStatus = Field(
        default=InspectionStatus.planned, sa_type=_enum(InspectionStatus)
    )
    planned_by_id: uuid.UUID = Field(foreign_key="user_account.id")
    # The latest recorded version, repeated here for lists and the due list.
    recorded_versions: int = Field(default=0)
    outcome: Outcome | None = Field(default=None, sa_type=_enum(Outcome))
    visited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    follow_up_on: date | None = None
    # True once a later visit to the same place was planned (the follow-up is on its way).
    follow_up_done: bool = Field(default=False)
    # The recording form as last saved, so a lost connection loses nothing: encrypted.
    draft: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    draft_saved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # {"reason": ...} when cancelled: encrypted.
    cancellation: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class InspectionInspector(SQLModel, table=True):
    """Who goes on a visit (their home page lists it)."""

    __tablename__ = "inspection_inspector"
    __table_args__ = (Index("ix_inspection_inspector_user", "user_id", "inspection_id"),)

    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", primary_key=True)


class InspectionVersion(SQLModel, table=True):
    """One recording of a visit. The first is the record; each correction is a new version
    with a reason; none is ever changed."""

    __tablename__ = "inspection_version"
    __table_args__ = (
        UniqueConstraint("inspection_id", "number", name="uq_inspection_version_number"),
    )

    id: uuid.UUID = uuid_pk_field()
    inspection_id: uuid.UUID = Field(foreign_key="inspection.id")
    number: int
    visited_at: datetime = Field(sa_type=UTCDateTime)
    outcome: Outcome = Field(sa_type=_enum(Outcome))
    # Checklist item key -> answer (no personal data: plain, for counts).
    answers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    follow_up_on: date | None = None
    warning_letter: bool = Field(default=False)
    refer_to_clerk: bool = Field(default=False)
    # {"checklist": [{key, label_nl, label_en, answer, note}], "findings", "people_met",
    #  "photo_ids", "reason"}: encrypted.
    content: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    policy_version_id: uuid.UUID | None = Field(default=None, foreign_key="policy_version.id")
    recorded_by_id: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class InspectionPhoto(SQLModel, table=True):
    """A photo taken on a visit: re-encoded without EXIF or GPS data before it is stored."""

    __tablename__ = "inspection_photo"

    id: uuid.UUID = uuid_pk_field()
    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", index=True)
    sha256: str = Field(max_length=64)
    media_type: str = Field(max_length=32)
    size_bytes: int
    width: int
    height: int
    uploaded_by_id: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = created_at_field()


class Referral(SQLModel, table=True):
    """A visit's violation (or the inspector's explicit referral) in the clerk's queue."""

    __tablename__ = "inspection_referral"
    __table_args__ = (
        Index("ix_inspection_referral_status_created", "status", "created_at", "id"),
        Index("ix_inspection_referral_permit_status", "permit_id", "status"),
    )

    id: uuid.UUID = uuid_pk_field()
    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", index=True)
    # The version of the visit that referred it (a correction updates an open referral).
    version_number: int
    permit_id: uuid.UUID = Field(foreign_key="permit.id")
    status: ReferralStatus = Field(default=ReferralStatus.open, sa_type=_enum(ReferralStatus))
    action: ReferralAction | None = Field(default=None, sa_type=_enum(ReferralAction))
    handled_by_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()


# ---- input -------------------------------------------------------------------------------


class InspectionPlan(SQLModel):
    """Plan a visit: a permit number, or an address (by id, or postcode and house number)."""

    permit_number: CleanText | None = Field(default=None, max_length=20)
    address_id: uuid.UUID | None = None
    postcode: Postcode | None = None
    house_number: HouseNumber | None = None
    planned_for: date
    inspector_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)

    @field_validator("permit_number")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() or None if value else None


class CancelIn(SQLModel):
    reason: CleanText = Field(min_length=3, max_length=2000)


class PersonMet(SQLModel):
    """Someone met on the visit: by permit number where they have one; someone without a
    permit is recorded by role only, never by name."""

    role: PersonRole
    permit_number: CleanText | None = Field(default=None, max_length=20)


class ChecklistAnswer(SQLModel):
    key: CleanText = Field(max_length=64)
    answer: Answer
    note: CleanText | None = Field(default=None, max_length=2000)


class OutcomeIn(SQLModel):
    visited_at: datetime
    people_met: list[PersonMet] = Field(default_factory=list, max_length=50)
    checklist: list[ChecklistAnswer] = Field(max_length=100)
    outcome: Outcome
    findings: CleanText | None = Field(default=None, max_length=8000)
    reinspect_on: date | None = None
    warning_letter: bool = False
    refer_to_clerk: bool = False
    photo_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    reason: CleanText | None = Field(
        default=None, max_length=2000, description="Required when correcting a recorded visit."
    )
    version: int | None = Field(
        default=None, description="The visit's version you corrected (optimistic locking)."
    )


class ReferralDecisionIn(SQLModel):
    action: ReferralAction
    reason: CleanText = Field(min_length=3, max_length=2000)


# ---- output ------------------------------------------------------------------------------


class ChecklistOut(SQLModel):
    key: str
    label_nl: str
    label_en: str
    answer: Answer
    note: str | None


class PhotoOut(SQLModel):
    id: uuid.UUID
    media_type: str
    width: int
    height: int
    url: str


class VersionOut(SQLModel):
    number: int
    visited_at: datetime
    outcome: Outcome
    people_met: list[PersonMet]
    checklist: list[ChecklistOut]
    findings: str | None
    reinspect_on: date | None
    warning_letter: bool
    refer_to_clerk: bool
    photos: list[PhotoOut]
    reason: str | None
    recorded_by: str
    recorded_at: datetime
    report_url: str


class InspectionPublic(SQLModel):
    id: uuid.UUID
    place_kind: PlaceKind
    place: str
    permit_number: str | None
    working_name: str | None
    address_id: uuid.UUID | None
    planned_for: date
    status: InspectionStatus
    inspectors: list[str]
    outcome: Outcome | None
    visited_at: datetime | None
    follow_up_on: date | None
    versions: list[VersionOut]
    version: int


class InspectionSummary(SQLModel):
    id: uuid.UUID
    place: str
    planned_for: date
    status: InspectionStatus
    outcome: Outcome | None


class DueItem(SQLModel):
    """A place due for a visit, and why."""

    reason: str  # "never_inspected" | "interval_passed" | "follow_up" | "nuisance"
    place: str
    permit_number: str | None = None
    address_id: uuid.UUID | None = None
    since: date | None = None  # last visit, follow-up date or latest nuisance


class ReferralOut(SQLModel):
    id: uuid.UUID
    inspection_id: uuid.UUID
    permit_number: str
    working_name: str
    visited_at: datetime
    outcome: Outcome
    findings: str | None
    status: ReferralStatus
    created_at: datetime
