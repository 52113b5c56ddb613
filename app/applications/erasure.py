"""Erasing one application's personal data, and how long what stays is kept.

Used by the retention schedule (`app/retention.py`, on its dates) and by a clerk handling
an applicant's erasure request (`app/privacy/`, now). What is erased: the details (legal
name, birth date, contact data), the uploads (rows; the caller deletes the stored files
no other record uses, after its commit) and the source data kept with generated
documents. What stays: the working name, status history, decisions and the generated
PDFs (working name only), the municipality's records of its decisions. Nothing here
commits.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.applications.models import Application, ApplicationDocument, ApplicationStatus
from app.audit import service as audit
from app.auth.models import User
from app.db import to_local_date, utcnow
from app.documents import service as documents_service
from app.documents.models import SubjectType
from app.permits.models import Permit, PermitStatus
from app.policy.evaluate import add_months
from app.policy.schema import Retention

CLOSED = (ApplicationStatus.refused, ApplicationStatus.withdrawn)


def permit_end(session: Session, permit: Permit, on: date) -> date | None:
    """The last day the permit (or the renewal that follows it) was held; None while held."""
    follow_on = session.exec(select(Permit).where(Permit.renewal_of_id == permit.id)).first()
    if follow_on is not None:
        return permit_end(session, follow_on, on)
    if permit.status is PermitStatus.revoked:
        return to_local_date(permit.updated_at)
    if permit.valid_until < on:
        return permit.valid_until
    return None


def kept_until(
    session: Session, application: Application, retention: Retention, on: date
) -> tuple[date | None, Permit | None]:
    """Until when the schedule keeps a decided application's personal data: the date, or
    None while its permit is held (then: `applicant_data_months_after_expiry` after it
    ends, at the earliest after its current end date). The permit, if any, comes along."""
    if application.status in CLOSED:
        closed_on = to_local_date(application.decided_at or application.updated_at)
        return add_months(closed_on, retention.refused_application_months), None
    permit = session.exec(select(Permit).where(Permit.application_id == application.id)).first()
    if permit is None:
        return None, None
    ended = permit_end(session, permit, on)
    if ended is None:
        return None, permit
    return add_months(ended, retention.applicant_data_months_after_expiry), permit


def erase(
    session: Session, application: Application, *, actor: User | None, reason: str
) -> tuple[int, set[str]]:
    """Erase the application's personal data in the caller's transaction (audited, without
    content). Returns how many uploads went and the keys of their stored files."""
    uploaded = session.exec(
        select(ApplicationDocument).where(ApplicationDocument.application_id == application.id)
    ).all()
    keys = {d.sha256 for d in uploaded}
    for upload in uploaded:
        session.delete(upload)
    subjects = [(SubjectType.application, application.id)]
    subjects += [
        (SubjectType.permit, permit_id)
        for permit_id in session.exec(
            select(Permit.id).where(Permit.application_id == application.id)
        ).all()
    ]
    for document in documents_service.of_subjects(session=session, subjects=subjects):
        document.source_data = {}
        session.add(document)
    application.details = {}
    application.erased_at = utcnow()
    session.add(application)
    audit.record(
        session,
        actor=actor,
        action="application.erase",
        object_type="application",
        object_id=application.id,
        after={"uploads_removed": len(uploaded), "reason": reason},
    )
    session.flush()
    return len(uploaded), keys
