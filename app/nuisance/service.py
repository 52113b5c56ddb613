"""Nuisance reports: report (anyone), look up a report's status by its reference, assess
(staff), and the substantiated reports at an address that the home-work rule counts.

The public learns nothing about who is registered where: reporting looks at nothing but
the report itself, so its answer, its timing and its errors are the same whatever the
address holds. Nothing here commits, and nothing here knows home work: the flow that
assesses a report (`app/flows/nuisance.py`) asks the home-work domain to review the
address.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date, datetime

from sqlalchemy import func, tuple_
from sqlmodel import Session, col, select

from app import access
from app.addresses import service as addresses_service
from app.addresses.parse import AddressParts, house_number_parts
from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can
from app.db import utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.nuisance.models import (
    AssessmentIn,
    NuisancePage,
    NuisanceReceipt,
    NuisanceReport,
    NuisanceReportCreate,
    NuisanceReportPublic,
    NuisanceStatus,
)
from app.nuisance.states import MACHINE, Transition
from app.pagination import keyset_cursor, read_keyset_cursor
from app.policy.schema import Policy

# Easy to read aloud and to type: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_PATTERN = re.compile(rf"OV-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"OV-{chars[:4]}-{chars[4:]}"


def report(*, session: Session, data: NuisanceReportCreate, policy: Policy) -> NuisanceReceipt:
    """Record a report from anyone. Contact details are kept only with consent."""
    if data.category not in {c.key for c in policy.nuisance_categories}:
        raise InvalidInput(
            "unknown_category",
            f"There is no nuisance category '{data.category}'.",
            categories=[c.key for c in policy.nuisance_categories],
        )
    parts = AddressParts(data.postcode, *house_number_parts(data.house_number))
    address = addresses_service.get_or_create(session=session, parts=parts)
    contact = None
    if data.contact_consent:
        contact = {
            k: v
            for k, v in {
                "name": data.contact_name,
                "email": str(data.contact_email) if data.contact_email else None,
                "phone": data.contact_phone,
            }.items()
            if v
        } or None
    row = NuisanceReport(
        reference=new_reference(),
        address_id=address.id,
        category=data.category,
        observed_on=data.observed_on,
        content={"description": data.description, "contact": contact},
        contact_consent=contact is not None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=None,
        action="nuisance_report.create",
        object_type="nuisance_report",
        object_id=row.id,
        after={"category": row.category, "contact_kept": contact is not None},
    )
    return NuisanceReceipt(reference=row.reference, status=row.status)


def status_of(*, session: Session, reference: str) -> NuisanceReceipt:
    """A report's status by its reference: received, assessed or closed, nothing more."""
    wanted = reference.strip().upper()
    if REFERENCE_PATTERN.fullmatch(wanted) is None:
        raise NotFound("report")  # not a reference: nothing to look up
    found = session.exec(select(NuisanceReport).where(NuisanceReport.reference == wanted)).first()
    if found is None:
        raise NotFound("report")
    return NuisanceReceipt(reference=found.reference, status=found.status)


def assess(
    *, session: Session, report_id: uuid.UUID, data: AssessmentIn, actor: User
) -> NuisanceReport:
    if not can(actor, Action.nuisance_assess):
        raise Forbidden("Only clerks and inspectors assess nuisance reports.")
    row = session.get(NuisanceReport, report_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound("report")
    if data.version is not None and data.version != row.version:
        raise Conflict(
            "stale_version",
            "The report was changed in the meantime. Reload it and try again.",
            current_version=row.version,
        )
    row.substantiated = data.substantiated
    row.assessment_notes = data.notes
    row.assessed_at = utcnow()
    MACHINE.move(
        session,
        row,
        Transition.assess,
        actor=actor,
        after={"substantiated": data.substantiated},
    )
    session.flush()
    return row


def substantiated_dates(
    *, session: Session, address_id: uuid.UUID, since: date
) -> tuple[date, ...]:
    """The days on which substantiated nuisance at the address was observed, from `since`."""
    return tuple(
        session.exec(
            select(col(NuisanceReport.observed_on))
            .where(
                NuisanceReport.address_id == address_id,
                NuisanceReport.observed_on >= since,
                col(NuisanceReport.substantiated).is_(True),
            )
            .order_by(col(NuisanceReport.observed_on))
        ).all()
    )


def recently_substantiated(
    *, session: Session, since: date, limit: int = 200
) -> list[tuple[uuid.UUID, date]]:
    """Addresses with substantiated nuisance observed from `since`, with the latest such
    day, most recent first."""
    latest = func.max(NuisanceReport.observed_on)
    rows = session.exec(
        select(NuisanceReport.address_id, latest)
        .where(
            NuisanceReport.observed_on >= since,
            col(NuisanceReport.substantiated).is_(True),
        )
        .group_by(col(NuisanceReport.address_id))
        .order_by(latest.desc())
        .limit(limit)
    ).all()
    return [(address_id, day) for address_id, day in rows]


def public(*, session: Session, row: NuisanceReport) -> NuisanceReportPublic:
    return NuisanceReportPublic(
        id=row.id,
        reference=row.reference,
        address_id=row.address_id,
        address=addresses_service.one_line(session=session, address_id=row.address_id) or "",
        category=row.category,
        observed_on=row.observed_on,
        description=str(row.content.get("description", "")),
        contact=row.content.get("contact") if row.contact_consent else None,
        status=row.status,
        substantiated=row.substantiated,
        assessment_notes=row.assessment_notes,
        assessed_at=row.assessed_at,
        version=row.version,
        created_at=row.created_at,
    )


def get_for(*, session: Session, report_id: uuid.UUID, actor: User) -> NuisanceReport:
    found = session.get(NuisanceReport, report_id)
    return access.read(
        session,
        found,
        actor=actor,
        kind=ObjectKind.nuisance_report,
        owner_id=None,
        object_type="nuisance_report",
    )


def list_(
    *,
    session: Session,
    actor: User,
    status: NuisanceStatus | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> NuisancePage:
    """Staff: reports, newest first, keyset pages (audited)."""
    if not can(actor, Action.nuisance_read_any):
        raise Forbidden()
    audit.record(session, actor=actor, action="nuisance_report.list", object_type="nuisance_report")
    query = select(NuisanceReport)
    if status is not None:
        query = query.where(NuisanceReport.status == status)
    if cursor:
        after = read_keyset_cursor(cursor)
        query = query.where(tuple_(NuisanceReport.created_at, NuisanceReport.id) < after)
    rows = session.exec(
        query.order_by(col(NuisanceReport.created_at).desc(), col(NuisanceReport.id).desc()).limit(
            limit + 1
        )
    ).all()
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return NuisancePage(
        items=[public(session=session, row=r) for r in rows[:limit]],
        next_cursor=keyset_cursor(last.created_at, last.id) if last else None,
    )


def at_address(
    *, session: Session, address_id: uuid.UUID, limit: int = 200
) -> list[NuisanceReport]:
    """Every report at an address, newest first (the staff address page)."""
    return list(
        session.exec(
            select(NuisanceReport)
            .where(NuisanceReport.address_id == address_id)
            .order_by(col(NuisanceReport.observed_on).desc())
            .limit(limit)
        ).all()
    )


def reports_due_for_deletion(*, session: Session, before: datetime) -> list[uuid.UUID]:
    """Reports made before `before` (the retention schedule deletes them, the reporter's
    description and contact details with them)."""
    return list(
        session.exec(select(NuisanceReport.id).where(col(NuisanceReport.created_at) < before)).all()
    )


def delete_reports(*, session: Session, report_ids: list[uuid.UUID]) -> int:
    for report_id in report_ids:
        row = session.get(NuisanceReport, report_id)
        if row is not None:
            session.delete(row)
            audit.record(
                session,
                actor=None,
                action="nuisance_report.delete",
                object_type="nuisance_report",
                object_id=report_id,
                after={"reason": "retention schedule"},
            )
    session.flush()
    return len(report_ids)
