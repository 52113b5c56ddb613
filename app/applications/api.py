"""JSON routes for applications: drafts, documents, submission, queue and decisions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from app.applications import decisions, documents_list, queue, renewals, service, uploads
from app.applications.deps import ApplicationDep
from app.applications.models import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationStatus,
    ApplicationUpdate,
    DecisionIn,
    DocumentPublic,
    QueuePage,
)
from app.auth.deps import CurrentUser
from app.config import get_settings
from app.deps import SessionDep
from app.documents.models import DocumentPublic as StoredDocumentPublic
from app.errors import TooLarge
from app.flows import decisions as decisions_flow
from app.flows import uploads as uploads_flow
from app.web import file_response

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
renewal_router = APIRouter(prefix="/api/v1/permits", tags=["permits"])


@router.post("", response_model=ApplicationPublic, status_code=201)
def create(data: ApplicationCreate, session: SessionDep, user: CurrentUser) -> ApplicationPublic:
    """Start a draft application for a permit type of the policy in force."""
    application = service.create(session=session, data=data, actor=user)
    return service.to_public(session=session, application=application)


@router.get("", response_model=QueuePage)
def list_applications(
    session: SessionDep,
    user: CurrentUser,
    status: ApplicationStatus | None = None,
    permit_type: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> QueuePage:
    """Staff: the work queue, oldest deadline first. Applicants: their own applications.
    Pass `next_cursor` back as `cursor` for the next page."""
    return queue.list_(
        session=session,
        actor=user,
        status=status,
        permit_type=permit_type,
        overdue=overdue,
        cursor=cursor,
        limit=min(max(limit, 1), 100),
    )


@router.get("/{application_id}", response_model=ApplicationPublic)
def read(application: ApplicationDep, session: SessionDep) -> ApplicationPublic:
    return service.to_public(session=session, application=application)


@router.patch("/{application_id}", response_model=ApplicationPublic)
def update(
    application_id: uuid.UUID, data: ApplicationUpdate, session: SessionDep, user: CurrentUser
) -> ApplicationPublic:
    """Save fields of a draft (or of an application returned for more information)."""
    application = service.update(
        session=session, application_id=application_id, data=data, actor=user
    )
    return service.to_public(session=session, application=application)


@router.post("/{application_id}/documents", response_model=DocumentPublic, status_code=201)
def upload_document(
    application_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> DocumentPublic:
    """Upload a required document: PDF, JPEG or PNG, checked by content, size-limited."""
    limit = get_settings().max_upload_bytes
    content = file.file.read(limit + 1)  # a worker thread: reading the spooled file blocks
    if len(content) > limit:
        raise TooLarge("too_large", f"The file is larger than {limit // (1024 * 1024)} MB.")
    document = uploads_flow.add_document(
        session=session,
        application_id=application_id,
        kind=kind,
        filename=file.filename or "document",
        content=content,
        actor=user,
    )
    return DocumentPublic.model_validate(document.model_dump())


@router.get("/{application_id}/documents/{document_id}")
def download_document(
    application_id: uuid.UUID, document_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> Response:
    document, content = uploads.read_document(
        session=session, application_id=application_id, document_id=document_id, actor=user
    )
    return file_response(content, media_type=document.content_type, filename=document.filename)


@router.post("/{application_id}/submit", response_model=ApplicationPublic)
def submit(application_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ApplicationPublic:
    """Submit: refused with the missing fields and documents (422) when incomplete; otherwise
    the policy checks run and are returned with the application."""
    application = service.submit(session=session, application_id=application_id, actor=user)
    return service.to_public(session=session, application=application)


@router.post("/{application_id}/withdraw", response_model=ApplicationPublic)
def withdraw(
    application_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> ApplicationPublic:
    application = service.withdraw(session=session, application_id=application_id, actor=user)
    return service.to_public(session=session, application=application)


@router.post("/{application_id}/review", response_model=ApplicationPublic)
def start_review(
    application_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> ApplicationPublic:
    """Clerk: take a submitted application into review."""
    application = decisions.start_review(session=session, application_id=application_id, actor=user)
    return service.to_public(session=session, application=application)


@router.post("/{application_id}/decision", response_model=ApplicationPublic)
def decide(
    application_id: uuid.UUID, data: DecisionIn, session: SessionDep, user: CurrentUser
) -> ApplicationPublic:
    """Clerk: approve (409 with the failing rules while a blocking check fails), refuse
    (reason required) or request more information (reason says what is needed)."""
    application = decisions_flow.decide(
        session=session,
        application_id=application_id,
        decision=data.decision,
        reason=data.reason,
        actor=user,
    )
    return service.to_public(session=session, application=application)


@router.get("/{application_id}/documents", response_model=list[StoredDocumentPublic])
def list_documents(
    application: ApplicationDep, session: SessionDep, user: CurrentUser
) -> list[StoredDocumentPublic]:
    """Uploaded documents and generated ones (decision letters, permits) you may read."""
    decisions_flow.make_documents(session=session, application=application)
    return documents_list.for_application(session=session, application=application, actor=user)


@renewal_router.post("/{number}/renewal", response_model=ApplicationPublic, status_code=201)
def renew(number: str, session: SessionDep, user: CurrentUser) -> ApplicationPublic:
    """Holder: start a renewal application, prefilled from the permit, within the window."""
    application = renewals.start_renewal(session=session, number=number, actor=user)
    return service.to_public(session=session, application=application)
