"""The retention schedule: erase applicants' personal data when the policy says so.

It sits above the domains (like app/home.py). What is erased: the application's details
(legal name, birth date, contact data), the documents the applicant uploaded (rows, and the
stored files no other record uses) and the source data kept with generated documents.
What stays: the working name, status history, decisions and the generated PDFs (working
name only), which the municipality must keep as records of its decisions.

- A refused or withdrawn application: `refused_application_months` after the decision.
- A granted one: `applicant_data_months_after_expiry` after its permit (and any renewal of
  it) stopped being held, by expiry or revocation.
- A nuisance report, with what the reporter wrote and their contact details:
  `nuisance_report_months` after it was made (deleted).
- A signal of human trafficking and its follow-up: `signal_months` after the care
  coordinator closed it (deleted; the trail keeps that it was erased, not what it said).
- Session rows that can no longer let anyone in (ended, or older than any session or
  token may live), 30 days later.
- Stored files no record points at (left by a crash between writing a file and committing
  its row), an hour after they were written.
- An inspection visit with its versions, photos, referrals and reports:
  `inspection_months` after the (last recorded) visit, or after it was cancelled (deleted;
  signals made during it stay, on their own schedule, without the link).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.applications import erasure
from app.applications import uploads as uploads_service
from app.applications.erasure import CLOSED
from app.applications.models import Application, ApplicationStatus
from app.audit import service as audit
from app.auth import sessions as sessions_service
from app.config import get_settings
from app.db import local_today, to_local_date
from app.documents import service as documents_service
from app.documents.models import SubjectType
from app.documents.store import get_store
from app.inspections import service as inspections_service
from app.nuisance import service as nuisance_service
from app.permits.models import Permit
from app.policy import service as policy_service
from app.policy.evaluate import add_months
from app.signals import service as signals_service

ERASE_BATCH = 200


@dataclass
class RetentionReport:
    on: date
    erased: list[uuid.UUID] = field(default_factory=list)
    files_deleted: int = 0
    nuisance_reports: int = 0
    signals: int = 0
    inspections: int = 0
    photos_deleted: int = 0
    orphans_deleted: int = 0
    sessions_purged: int = 0
    dry_run: bool = False


def due_for_erasure(*, session: Session, on: date) -> list[Application]:
    retention = policy_service.load_configured().policy.retention
    candidates = session.exec(
        select(Application).where(
            col(Application.erased_at).is_(None),
            col(Application.status).in_([*CLOSED, ApplicationStatus.approved]),
        )
    ).all()
    due = []
    for application in candidates:
        if application.status in CLOSED:
            closed_on = to_local_date(application.decided_at or application.updated_at)
            if add_months(closed_on, retention.refused_application_months) < on:
                due.append(application)
            continue
        permit = session.exec(select(Permit).where(Permit.application_id == application.id)).first()
        ended = erasure.permit_end(session, permit, on) if permit else None
        if ended and add_months(ended, retention.applicant_data_months_after_expiry) < on:
            due.append(application)
    return due


def run(*, session: Session, on: date | None = None, dry_run: bool = False) -> RetentionReport:
    """Erase what the schedule says is due; each erasure is one audited transaction."""
    report = RetentionReport(on=on or local_today(), dry_run=dry_run)
    for application in due_for_erasure(session=session, on=report.on):
        report.erased.append(application.id)
        if not dry_run:
            report.files_deleted += _erase(session, application)
    months = policy_service.load_configured().policy.retention.nuisance_report_months
    cutoff = datetime.combine(
        add_months(report.on, -months), time(), tzinfo=ZoneInfo(get_settings().timezone)
    )
    due = nuisance_service.reports_due_for_deletion(session=session, before=cutoff)
    report.nuisance_reports = len(due)
    if not dry_run and due:
        nuisance_service.delete_reports(session=session, report_ids=due)
        session.commit()
    signal_months = policy_service.load_configured().policy.retention.signal_months
    signal_cutoff = datetime.combine(
        add_months(report.on, -signal_months), time(), tzinfo=ZoneInfo(get_settings().timezone)
    )
    closed = signals_service.due_for_erasure(session=session, before=signal_cutoff)
    report.signals = len(closed)
    if not dry_run and closed:
        signals_service.erase(session=session, signal_ids=closed)
        session.commit()
    report.orphans_deleted = 0 if dry_run else delete_orphaned_files(session)
    if not dry_run:
        report.sessions_purged = sessions_service.purge(session=session)
        session.commit()
    inspection_months = policy_service.load_configured().policy.retention.inspection_months
    inspection_cutoff = datetime.combine(
        add_months(report.on, -inspection_months), time(), tzinfo=ZoneInfo(get_settings().timezone)
    )
    visits = inspections_service.due_for_erasure(session=session, before=inspection_cutoff)
    report.inspections = len(visits)
    if not dry_run:
        # In batches, each its own transaction: no long write lock, and a run interrupted
        # half-way leaves the rest for the next run.
        for start in range(0, len(visits), ERASE_BATCH):
            photos, removed_files = _erase_inspections(session, visits[start : start + ERASE_BATCH])
            report.photos_deleted += photos
            report.files_deleted += removed_files
    return report


ORPHAN_AGE_SECONDS = 3600
"""A stored file no row points at is left this long (an upload or a document being made
writes its file just before its row)."""


def delete_orphaned_files(session: Session) -> int:
    """Delete stored files no row points at any more: left by a request or a rendering that
    stopped between writing the file and committing its row (a crash, a lost database)."""
    deleted = 0
    documents = get_store()
    for key in list(documents.keys()):
        if documents.age_seconds(key) >= ORPHAN_AGE_SECONDS:
            deleted += uploads_service.delete_unused_files(session, {key})
    photos = get_store(inspections_service.PHOTO_AREA)
    for key in list(photos.keys()):
        if photos.age_seconds(key) >= ORPHAN_AGE_SECONDS:
            deleted += inspections_service.delete_unused_photos(session, {key})
    if deleted:
        audit.record(
            session,
            actor=None,
            action="files.orphans_deleted",
            object_type="file",
            after={"count": deleted},
        )
        session.commit()
    return deleted


def _erase_inspections(session: Session, inspection_ids: list[uuid.UUID]) -> tuple[int, int]:
    """Delete the visits and their reports and letters in one transaction, then the files no
    row points at any more. Returns (photos deleted, document files deleted)."""
    signals_service.forget_inspections(session=session, inspection_ids=inspection_ids)
    documents = documents_service.of_subjects(
        session=session, subjects=[(SubjectType.inspection, i) for i in inspection_ids]
    )
    document_keys = {d.sha256 for d in documents}
    for document in documents:
        session.delete(document)
    photo_keys = inspections_service.erase(session=session, inspection_ids=inspection_ids)
    session.commit()
    return (
        inspections_service.delete_unused_photos(session, photo_keys),
        uploads_service.delete_unused_files(session, document_keys),
    )


def _erase(session: Session, application: Application) -> int:
    _, keys = erasure.erase(session, application, actor=None, reason="retention schedule")
    session.commit()
    # Files go only after the commit, and only when no remaining record points at them.
    return uploads_service.delete_unused_files(session, keys)
