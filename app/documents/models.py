"""Generated documents (permits, decision letters, and in turn inspection reports and
letters about home work): stored once with their hash, the template version and the data
they were made from. A document belongs to a subject (a type and an id: an application,
a permit, a home-work registration, an inspection) and, when it is addressed to a
person, has that person as its owner."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.auth.permissions import ObjectKind
from app.crypto import EncryptedJSON
from app.db import created_at_field, uuid_pk_field


class DocumentKind(StrEnum):
    permit = "permit"
    decision_approve = "decision_approve"
    decision_refuse = "decision_refuse"
    decision_suspend = "decision_suspend"
    decision_reinstate = "decision_reinstate"
    decision_revoke = "decision_revoke"
    home_work_ended = "home_work_ended"
    inspection_report = "inspection_report"
    inspection_warning = "inspection_warning"
    data_export = "data_export"
    erasure_answer = "erasure_answer"


READ_AS: dict[DocumentKind, ObjectKind] = {
    DocumentKind.permit: ObjectKind.permit_document,
    DocumentKind.decision_approve: ObjectKind.decision_letter,
    DocumentKind.decision_refuse: ObjectKind.decision_letter,
    DocumentKind.decision_suspend: ObjectKind.decision_letter,
    DocumentKind.decision_reinstate: ObjectKind.decision_letter,
    DocumentKind.decision_revoke: ObjectKind.decision_letter,
    DocumentKind.home_work_ended: ObjectKind.homework_letter,
    DocumentKind.inspection_report: ObjectKind.inspection_report,
    # A written warning after a visit is addressed to the permit holder, like a decision.
    DocumentKind.inspection_warning: ObjectKind.decision_letter,
    # Everything held about a person: theirs, like their account (staff reads audited).
    DocumentKind.data_export: ObjectKind.account,
    # The answer to an erasure request is a decision addressed to the applicant.
    DocumentKind.erasure_answer: ObjectKind.decision_letter,
}
"""Which read actions guard each kind of document (`app/auth/permissions.py`)."""


class SubjectType(StrEnum):
    """What a document is about."""

    application = "application"
    permit = "permit"
    homework_registration = "homework_registration"
    inspection = "inspection"
    account = "account"
    erasure_request = "erasure_request"


class Document(SQLModel, table=True):
    __tablename__ = "document"
    # A subject's documents, in the order they were made.
    __table_args__ = (Index("ix_document_subject", "subject_type", "subject_id", "created_at"),)

    id: uuid.UUID = uuid_pk_field()
    # What the document is of, e.g. "permit:<id>:v2"; one document per key.
    natural_key: str = Field(max_length=160, unique=True)
    kind: DocumentKind = Field(
        sa_type=SAEnum(
            DocumentKind,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    subject_type: SubjectType = Field(
        sa_type=SAEnum(
            SubjectType,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    subject_id: uuid.UUID
    # The person the document is addressed to (reads it as their own); None for a
    # document addressed to no one, like an inspection report.
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    title: str = Field(max_length=200)
    language: str = Field(max_length=2)
    sha256: str = Field(max_length=64)
    size_bytes: int
    media_type: str = Field(default="application/pdf", max_length=64)
    template_version: str = Field(max_length=32)
    signed: bool = Field(default=False)
    # The data the document was made from (it can hold personal data): encrypted.
    source_data: dict[str, Any] = Field(default_factory=dict, sa_type=EncryptedJSON)
    created_at: datetime = created_at_field()


class DocumentPublic(SQLModel):
    id: uuid.UUID
    kind: str
    title: str
    language: str
    sha256: str
    size_bytes: int
    media_type: str
    signed: bool
    created_at: datetime
    source: str = "generated"
    download_url: str
