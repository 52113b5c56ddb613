"""Imports every table so SQLModel.metadata is complete (for Alembic and tests)."""

from app.addresses.models import Address, Resident
from app.applications.models import (
    Application,
    ApplicationCheck,
    ApplicationDocument,
    ApplicationStatusChange,
)
from app.audit.models import AuditEvent
from app.auth.models import User
from app.documents.models import Document
from app.homework.models import HomeWorkRegistration
from app.inspections.models import (
    Inspection,
    InspectionInspector,
    InspectionPhoto,
    InspectionVersion,
    Referral,
)
from app.mail.models import OutboxMessage
from app.nuisance.models import NuisanceReport
from app.permits.models import Permit
from app.persons.models import Person
from app.policy.models import PolicyVersion
from app.privacy.models import ErasureRequest
from app.signals.models import Signal, SignalFollowUp

__all__ = [
    "Address",
    "Application",
    "ApplicationCheck",
    "ApplicationDocument",
    "ApplicationStatusChange",
    "AuditEvent",
    "Document",
    "ErasureRequest",
    "HomeWorkRegistration",
    "Inspection",
    "InspectionInspector",
    "InspectionPhoto",
    "InspectionVersion",
    "NuisanceReport",
    "OutboxMessage",
    "Permit",
    "Person",
    "PolicyVersion",
    "Referral",
    "Resident",
    "Signal",
    "SignalFollowUp",
    "User",
]
