"""Data-subject rights (AVG art. 15, 17): everything held about an applicant, and their
requests to erase it, handled by a clerk.

The export holds the person's own records (account, applications with their details
decrypted, uploads as a list with download links, permits, letters, home-work
registrations, erasure requests) and the audit events about those records, reduced to
what happened, when, and by whom as a role: never a staff member's identity or another
person's data. Handling an erasure request erases what no legal duty keeps and states
what is kept, why and until when (the policy's [retention] section). Nothing here
commits; the flow (`app/flows/privacy.py`) commits and then deletes files and makes the
answer letter.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app import access
from app.addresses import service as addresses_service
from app.applications import erasure
from app.applications import service as applications_service
from app.applications.models import OPEN_STATUSES, Application, ApplicationStatus
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth import service as auth_service
from app.auth.models import User
from app.auth.permissions import Action, ObjectKind, can
from app.db import local_today, utcnow
from app.documents import service as documents_service
from app.documents.models import Document, SubjectType
from app.errors import Conflict, Forbidden, NotFound
from app.homework.models import HomeWorkRegistration
from app.permits.models import Permit
from app.policy import service as policy_service
from app.privacy.models import (
    ErasureRequest,
    ErasureRequestIn,
    ErasureRequestPublic,
    ErasureStatus,
    OutcomeItem,
)

OPEN_LIST_LIMIT = 100

# ---- export -----------------------------------------------------------------------------


def _applications(session: Session, user_id: uuid.UUID) -> list[Application]:
    return list(
        session.exec(
            select(Application)
            .where(Application.applicant_id == user_id)
            .order_by(col(Application.created_at), col(Application.id))
        ).all()
    )


def _permits(session: Session, user_id: uuid.UUID) -> list[Permit]:
    return list(
        session.exec(
            select(Permit).where(Permit.holder_id == user_id).order_by(col(Permit.valid_from))
        ).all()
    )


def _registrations(session: Session, user_id: uuid.UUID) -> list[HomeWorkRegistration]:
    return list(
        session.exec(
            select(HomeWorkRegistration)
            .where(HomeWorkRegistration.worker_id == user_id)
            .order_by(col(HomeWorkRegistration.created_at))
        ).all()
    )


def requests_of(*, session: Session, user_id: uuid.UUID) -> list[ErasureRequest]:
    return list(
        session.exec(
            select(ErasureRequest)
            .where(ErasureRequest.requester_id == user_id)
            .order_by(col(ErasureRequest.created_at).desc())
        ).all()
    )


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def export(*, session: Session, actor: User) -> dict[str, Any]:
    """Everything held about `actor` (their own records only), as JSON-ready data."""
    if not can(actor, Action.account_read_own):
        raise Forbidden("This account cannot read its own data.")
    applications = _applications(session, actor.id)
    permits = _permits(session, actor.id)
    registrations = _registrations(session, actor.id)
    requests = requests_of(session=session, user_id=actor.id)
    subjects: list[tuple[SubjectType, uuid.UUID]] = [(SubjectType.account, actor.id)]
    subjects += [(SubjectType.application, a.id) for a in applications]
    subjects += [(SubjectType.permit, p.id) for p in permits]
    subjects += [(SubjectType.homework_registration, r.id) for r in registrations]
    subjects += [(SubjectType.erasure_request, r.id) for r in requests]
    documents = documents_service.list_for(session=session, subjects=subjects, actor=actor)
    application_rows = []
    for application in applications:
        shown = applications_service.to_public(session=session, application=application)
        row = shown.model_dump(mode="json")
        for upload in row["documents"]:
            upload["download_url"] = f"/applications/{application.id}/documents/{upload['id']}"
        application_rows.append(row)
    data: dict[str, Any] = {
        "account": {
            "id": str(actor.id),
            "email": actor.email,
            "role": actor.role.value,
            "language": actor.language,
            "active": actor.is_active,
            "created_at": actor.created_at.isoformat(),
        },
        "applications": application_rows,
        "permits": [
            {
                "number": p.number,
                "permit_type": p.permit_type,
                "working_name": p.working_name,
                "valid_from": p.valid_from.isoformat(),
                "valid_until": p.valid_until.isoformat(),
                "status": p.status.value,
                "status_reason": p.status_reason,
                "application_id": str(p.application_id),
            }
            for p in permits
        ],
        "letters_and_documents": [
            {**documents_service.public(d).model_dump(mode="json"), "subject": d.subject_type}
            for d in documents
        ],
        "home_work_registrations": [
            {
                "id": str(r.id),
                "working_name": r.working_name,
                "address": addresses_service.one_line(session=session, address_id=r.address_id),
                "status": r.status.value,
                "registered_since": r.registered_since,
                "details": r.personal,
                "created_at": r.created_at,
            }
            for r in registrations
        ],
        "erasure_requests": [public(r).model_dump(mode="json") for r in requests],
    }
    own_ids = {str(actor.id)} | {str(i) for _, i in subjects} | {str(d.id) for d in documents}
    data["audit_events"] = _audit_about(session, actor, own_ids)
    return _jsonable(data)


def _audit_about(session: Session, actor: User, ids: set[str]) -> list[dict[str, Any]]:
    """What was done with the person's records: the action, when, the record, and who as a
    role ("you", "system", or a staff role). Never a staff member's id or the event's
    before/after data (which may name others)."""
    events = session.exec(
        select(AuditEvent)
        .where(or_(col(AuditEvent.actor_id) == actor.id, col(AuditEvent.object_id).in_(ids)))
        .order_by(col(AuditEvent.id))
    ).all()
    rows = []
    for event in events:
        if event.actor_id == actor.id:
            by = "you"
        elif event.actor_id is None:
            by = "system"
        else:
            by = event.actor_role or "staff"
        rows.append(
            {
                "occurred_at": event.occurred_at.isoformat(),
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "by": by,
                "result": event.result,
            }
        )
    return rows


def export_fingerprint(data: dict[str, Any]) -> str:
    """Names one version of the export (the audit events and documents it lists are left
    out: making the PDF adds to both)."""
    core = {k: v for k, v in data.items() if k not in ("audit_events", "letters_and_documents")}
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:24]


# ---- erasure requests ---------------------------------------------------------------------


def public(request: ErasureRequest) -> ErasureRequestPublic:
    outcome = request.outcome or {}
    return ErasureRequestPublic(
        id=request.id,
        status=request.status,
        note=(request.note or {}).get("text"),
        created_at=request.created_at,
        handled_at=request.handled_at,
        erased=[OutcomeItem.model_validate(i) for i in outcome.get("erased", [])],
        kept=[OutcomeItem.model_validate(i) for i in outcome.get("kept", [])],
        letter_url=None,
    )


def request_erasure(*, session: Session, data: ErasureRequestIn, actor: User) -> ErasureRequest:
    """An applicant asks for their data to be erased (one open request at a time)."""
    if not can(actor, Action.privacy_request_own):
        raise Forbidden("Staff accounts hold the municipality's records, not their own.")
    open_one = session.exec(
        select(ErasureRequest.id).where(
            ErasureRequest.requester_id == actor.id,
            ErasureRequest.status == ErasureStatus.open,
        )
    ).first()
    if open_one is not None:
        raise Conflict(
            "erasure_request_open",
            "You already have an erasure request that is being handled.",
            request_id=str(open_one),
        )
    note = (data.note or "").strip()
    request = ErasureRequest(requester_id=actor.id, note={"text": note} if note else {})
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="erasure_request.create",
        object_type="erasure_request",
        object_id=request.id,
        after={"with_note": bool(note)},
    )
    return request


def get_for(*, session: Session, request_id: uuid.UUID, actor: User) -> ErasureRequest:
    """The requester's own request, or any for a clerk (audited); 404 for anyone else."""
    found = session.get(ErasureRequest, request_id)
    return access.read(
        session,
        found,
        actor=actor,
        kind=ObjectKind.erasure_request,
        owner_id=found.requester_id if found else None,
        object_type="erasure_request",
    )


def list_for_clerk(*, session: Session, actor: User) -> list[ErasureRequest]:
    """Open requests, oldest first (a short list: each is handled in a few minutes)."""
    if not can(actor, Action.privacy_handle):
        raise Forbidden("Only licensing clerks handle erasure requests.")
    return list(
        session.exec(
            select(ErasureRequest)
            .where(ErasureRequest.status == ErasureStatus.open)
            .order_by(col(ErasureRequest.created_at), col(ErasureRequest.id))
            .limit(OPEN_LIST_LIMIT)
        ).all()
    )


def _label(application: Application) -> str:
    name = application.working_name or "-"
    return f"{application.permit_type} '{name}' ({str(application.id)[:8]})"


def handle(
    *, session: Session, request_id: uuid.UUID, actor: User
) -> tuple[ErasureRequest, set[str]]:
    """Erase what no legal duty keeps and record what is kept, why and until when. Returns
    the request and the keys of stored files to delete once committed."""
    if not can(actor, Action.privacy_handle):
        raise Forbidden("Only licensing clerks handle erasure requests.")
    request = session.get(ErasureRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise NotFound("erasure request")
    if request.status is not ErasureStatus.open:
        raise Conflict("erasure_request_handled", "This erasure request has been handled.")
    retention = policy_service.load_configured().policy.retention
    today = local_today()
    erased: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    keys: set[str] = set()
    for application in _applications(session, request.requester_id):
        label = _label(application)
        status = application.status
        if application.erased_at is not None and status not in OPEN_STATUSES:
            erased.append({"item": label, "detail": "personal details erased earlier"})
        elif status.value in OPEN_STATUSES:
            kept.append(
                {
                    "item": label,
                    "detail": "open application: needed to decide on it (withdraw it and ask "
                    "again to have it erased)",
                    "until": None,
                }
            )
            continue
        elif status is ApplicationStatus.draft or application.submitted_at is None:
            count, found = erasure.erase(session, application, actor=actor, reason="request")
            keys |= found
            erased.append(
                {"item": label, "detail": f"draft: details and {count} upload(s) deleted"}
            )
            continue
        elif status is not ApplicationStatus.approved:
            count, found = erasure.erase(session, application, actor=actor, reason="request")
            keys |= found
            erased.append({"item": label, "detail": f"details and {count} upload(s) deleted"})
        until, permit = erasure.kept_until(session, application, retention, today)
        if status is ApplicationStatus.approved and application.erased_at is None:
            what = "legal name, birth date, contact details, uploads, the permit"
            if permit is not None:
                what += f" {permit.number}"
            kept.append(
                {
                    "item": label,
                    "detail": f"{what} and the decision letter: the municipality's record of "
                    f"a permit decision (policy [retention]: "
                    f"{retention.applicant_data_months_after_expiry} months after the "
                    "permit ends)",
                    "until": until.isoformat() if until else None,
                }
            )
        else:
            kept.append(
                {
                    "item": label,
                    "detail": "working name, status history and decision letter: the "
                    "municipality's record of its decision (policy [retention])",
                    "until": until.isoformat() if until else None,
                }
            )
    exports = documents_service.of_subjects(
        session=session, subjects=[(SubjectType.account, request.requester_id)]
    )
    for document in exports:
        keys.add(document.sha256)
        session.delete(document)
    if exports:
        erased.append({"item": "data export", "detail": f"{len(exports)} copy(ies) deleted"})
    for registration in _registrations(session, request.requester_id):
        kept.append(
            {
                "item": f"home work '{registration.working_name}' ({str(registration.id)[:8]})",
                "detail": "the record of home work at an address (the policy's address rule "
                "and nuisance decisions)",
                "until": None,
            }
        )
    kept.append(
        {
            "item": "account and e-mail address",
            "detail": "you sign in with it to read this answer and your permits; it is "
            "closed when you ask an administrator",
            "until": None,
        }
    )
    kept.append(
        {
            "item": "audit trail",
            "detail": "what was done with your records and when, without their content "
            "(legal duty to account for decisions)",
            "until": None,
        }
    )
    request.outcome = {"erased": erased, "kept": kept}
    request.status = ErasureStatus.handled
    request.handled_at = utcnow()
    session.add(request)
    audit.record(
        session,
        actor=actor,
        action="erasure_request.handle",
        object_type="erasure_request",
        object_id=request.id,
        after={"erased": len(erased), "kept": len(kept)},
    )
    session.flush()
    return request, keys


def requester_of(*, session: Session, request: ErasureRequest) -> User | None:
    return auth_service.get(session=session, user_id=request.requester_id)


def documents_of(*, session: Session, request: ErasureRequest, actor: User) -> list[Document]:
    return documents_service.list_for(
        session=session, subjects=[(SubjectType.erasure_request, request.id)], actor=actor
    )
