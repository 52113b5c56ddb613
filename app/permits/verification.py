"""Public verification of a permit: only status, type, working name and dates.

A malformed number (wrong shape or check symbol) is answered before any database look-up.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlmodel import Session, SQLModel

from app.db import local_today, to_local_date
from app.permits import numbers
from app.permits import service as permits_service
from app.policy import service as policy_service


class VerificationStatus(StrEnum):
    valid = "valid"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"
    unknown = "unknown"


class Verification(SQLModel):
    """Everything the public may learn about a permit number, and nothing more."""

    number: str
    status: VerificationStatus
    permit_type: str | None = None
    permit_type_label_nl: str | None = None
    permit_type_label_en: str | None = None
    working_name: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    # When a suspension or revocation took effect (the end date alone would mislead).
    status_since: date | None = None
    checked_at: date


class MalformedNumber(ValueError):
    pass


def verify(*, session: Session, number: str) -> Verification:
    canonical = numbers.normalise(number)
    if canonical is None:
        raise MalformedNumber(number)
    today = local_today()
    permit = permits_service.get_by_number(session=session, number=canonical)
    if permit is None:
        return Verification(number=canonical, status=VerificationStatus.unknown, checked_at=today)
    state = permit.state_on(today).value
    spec = policy_service.load_configured().policy.permit_types.get(permit.permit_type)
    return Verification(
        number=permit.number,
        status=VerificationStatus.valid if state == "active" else VerificationStatus(state),
        permit_type=permit.permit_type,
        permit_type_label_nl=spec.label_nl if spec else None,
        permit_type_label_en=spec.label_en if spec else None,
        working_name=permit.working_name,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        status_since=to_local_date(permit.updated_at)
        if state in ("suspended", "revoked")
        else None,
        checked_at=today,
    )
