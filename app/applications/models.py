"""Applications for a permit, their documents, check results and status history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import EmailStr, StringConstraints, field_validator
from sqlalchemy import JSON, Index, Text, TextClause, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.addresses.models import HouseNumber, Postcode
from app.crypto import EncryptedJSON
from app.db import UTCDateTime, created_at_field, local_today, uuid_pk_field


class ApplicationStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    information_requested = "information_requested"
    approved = "approved"
    refused = "refused"
    withdrawn = "withdrawn"


def _enum(enum: type[StrEnum], length: int = 32) -> SAEnum:
    return SAEnum(
        enum, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


OPEN_STATUSES = tuple(
    s.value
    for s in (
        ApplicationStatus.submitted,
        ApplicationStatus.in_review,
        ApplicationStatus.information_requested,
    )
)
CLOSED_STATUSES = tuple(
    s.value
    for s in (ApplicationStatus.approved, ApplicationStatus.refused, ApplicationStatus.withdrawn)
)


def _submitted_with_status(statuses: tuple[str, ...]) -> TextClause:
    listed = ", ".join(f"'{status}'" for status in statuses)
    return text(f"status IN ({listed}) AND submitted_at IS NOT NULL")


OPEN_QUEUE_WHERE = _submitted_with_status(OPEN_STATUSES)
"""Open applications: what the clerks' queue shows when no status is chosen."""
CLOSED_QUEUE_WHERE = _submitted_with_status(CLOSED_STATUSES)
"""Submitted applications that are decided or withdrawn (the queue filtered on one)."""


class Application(SQLModel, table=True):
    __tablename__ = "application"
    # Two partial indexes, one per half of the queue, so that a planner never has to
    # choose between the status and the deadline order: queries name the same condition
    # as literal SQL (a partial index is used only when the query says its condition).
    __table_args__ = (
        Index(
            "ix_application_open_queue",
            "decision_due",
            "id",
            postgresql_where=OPEN_QUEUE_WHERE,
            sqlite_where=OPEN_QUEUE_WHERE,
        ),
        Index(
            "ix_application_closed_queue",
            "status",
            "decision_due",
            "id",
            postgresql_where=CLOSED_QUEUE_WHERE,
            sqlite_where=CLOSED_QUEUE_WHERE,
        ),
    )

    id: uuid.UUID = uuid_pk_field()
    applicant_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    permit_type: str = Field(max_length=64)
    status: ApplicationStatus = Field(
        default=ApplicationStatus.draft, sa_type=_enum(ApplicationStatus)
    )
    working_name: str | None = Field(default=None, max_length=100)
    # Legal identity, birth date and contact details: encrypted at rest.
    details: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    # The person behind the working name (one record per legal identity), set on submission.
    person_id: uuid.UUID | None = Field(default=None, foreign_key="person.id", index=True)
    # The permit this application renews (no foreign key: permits point at applications).
    renewal_of_id: uuid.UUID | None = Field(default=None, index=True)
    policy_version_id: uuid.UUID | None = Field(default=None, foreign_key="policy_version.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_due: date | None = Field(default=None, index=True)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The decision period may be extended once (Awb 4:14); when that happened.
    extended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    information_request: str | None = Field(default=None, sa_type=Text)
    # The last day of the term the applicant has to supply the information asked for
    # (Awb 4:5), moved past weekends and public holidays (app/deadlines.py).
    information_due: date | None = Field(default=None)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, sa_type=Text)
    cited_rules: list[str] = Field(default_factory=list, sa_type=JSON)
    # When the retention schedule erased the personal data (details, uploads).
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ApplicationDocument(SQLModel, table=True):
    __tablename__ = "application_document"

    id: uuid.UUID = uuid_pk_field()
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True)
    kind: str = Field(max_length=64)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = created_at_field()


class ApplicationCheck(SQLModel, table=True):
    __tablename__ = "application_check"
    # An application's most recent evaluation (the queue's blocking counts, the file).
    __table_args__ = (
        Index("ix_application_check_application_evaluated", "application_id", "evaluated_at"),
    )

    id: uuid.UUID = uuid_pk_field()
    application_id: uuid.UUID = Field(foreign_key="application.id")
    policy_version_id: uuid.UUID = Field(foreign_key="policy_version.id")
    stage: str = Field(max_length=16)  # "submission" or "approval"
    rule_id: str = Field(max_length=64)
    passed: bool
    severity: str = Field(max_length=16)
    message_nl: str = Field(sa_type=Text)
    message_en: str = Field(sa_type=Text)
    reference: str = Field(max_length=255)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    evaluated_at: datetime = created_at_field()


class ApplicationStatusChange(SQLModel, table=True):
    __tablename__ = "application_status_change"

    id: uuid.UUID = uuid_pk_field()
    application_id: uuid.UUID = Field(foreign_key="application.id", index=True)
    from_status: ApplicationStatus | None = Field(default=None, sa_type=_enum(ApplicationStatus))
    to_status: ApplicationStatus = Field(sa_type=_enum(ApplicationStatus))
    reason: str | None = Field(default=None, sa_type=Text)
    by_role: str = Field(max_length=32)  # never the staff member's name
    occurred_at: datetime = created_at_field()


# ---- API schemas -------------------------------------------------------------------------


Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,32}$", max_length=32)]
KvkNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")]


class ApplicationDetails(SQLModel):
    """Fields an applicant fills in; only those the policy names for the type are kept."""

    working_name: str | None = Field(default=None, min_length=2, max_length=60)
    legal_name: str | None = Field(default=None, min_length=2, max_length=200)
    birth_date: date | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    business_name: str | None = Field(default=None, min_length=2, max_length=200)
    business_address_postcode: Postcode | None = None
    business_address_house_number: HouseNumber | None = None
    kvk_number: KvkNumber | None = None
    description: str | None = Field(default=None, max_length=4000)

    @field_validator("working_name", "legal_name", "business_name", "description")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split()) if "\n" not in value else value.strip()
        return value or None

    @field_validator("birth_date")
    @classmethod
    def _plausible_birth_date(cls, value: date | None) -> date | None:
        if value is not None and (value.year < 1900 or value > local_today()):
            raise ValueError("Birth date is not a plausible date.")
        return value


class ApplicationCreate(ApplicationDetails):
    permit_type: str = Field(min_length=1, max_length=64)


class ApplicationUpdate(ApplicationDetails):
    version: int | None = Field(
        default=None, description="The version you read; a stale version gives 409."
    )


class DecisionKind(StrEnum):
    approve = "approve"
    refuse = "refuse"
    request_information = "request_information"
    extend = "extend"  # extend the decision period once (Awb 4:14); not a status change


class DecisionIn(SQLModel):
    decision: DecisionKind
    reason: str | None = Field(default=None, max_length=4000)


class CheckPublic(SQLModel):
    rule_id: str
    passed: bool
    severity: str
    message_nl: str
    message_en: str
    reference: str
    stage: str
    details: dict[str, Any]


class DocumentPublic(SQLModel):
    id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class StatusChangePublic(SQLModel):
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    reason: str | None
    by_role: str
    occurred_at: datetime


class ApplicationPublic(SQLModel):
    id: uuid.UUID
    permit_type: str
    status: ApplicationStatus
    working_name: str | None
    details: dict[str, Any]
    renewal_of_id: uuid.UUID | None
    submitted_at: datetime | None
    decision_due: date | None
    information_request: str | None
    information_due: date | None = None
    extended_at: datetime | None = None
    erased_at: datetime | None = None
    decided_at: datetime | None
    decision_reason: str | None
    cited_rules: list[str]
    policy_version: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime
    checks: list[CheckPublic] = []
    documents: list[DocumentPublic] = []
    history: list[StatusChangePublic] = []
    missing_fields: list[str] = []
    missing_documents: list[str] = []
    permit_number: str | None = None
    permit_state: str | None = None
    permit_status_reason: str | None = None


class QueueItem(SQLModel):
    id: uuid.UUID
    permit_type: str
    status: ApplicationStatus
    working_name: str | None
    submitted_at: datetime | None
    decision_due: date | None
    overdue: bool
    blocking_failures: int


class QueuePage(SQLModel):
    items: list[QueueItem]
    next_cursor: str | None
