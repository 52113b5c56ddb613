"""JSON routes for generated documents and public verification of a permit."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.applications import documents_list
from app.applications.deps import ApplicationDep
from app.auth.api import client_address
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.documents import service
from app.documents.models import DocumentPublic
from app.errors import AppError
from app.permits import documents as permit_documents
from app.permits import service as permits_service
from app.permits import verification

router = APIRouter(prefix="/api/v1", tags=["documents"])
public_router = APIRouter(prefix="/api/v1/public", tags=["public"])


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/permits/{number}/pdf")
def permit_pdf(number: str, session: SessionDep, user: CurrentUser) -> Response:
    """The permit as PDF/A (signed when configured): made once per permit version."""
    permit = permits_service.get_for(session=session, number=number, actor=user)
    document = permit_documents.permit_pdf(session=session, permit=permit)
    _, content = service.read(session=session, document_id=document.id, actor=user)
    return pdf_response(content, f"{permit.number}.pdf")


@router.get("/applications/{application_id}/documents", response_model=list[DocumentPublic])
def list_documents(application: ApplicationDep, session: SessionDep) -> list[DocumentPublic]:
    """Uploaded documents and generated ones (decision letters, permits) of an application."""
    return documents_list.for_application(session=session, application=application)


@router.get("/documents/{document_id}")
def download(document_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    """A generated document: its owner or staff only; every download is audited."""
    document, content = service.read(session=session, document_id=document_id, actor=user)
    return pdf_response(content, f"{document.kind.value}-{document.id.hex[:8]}.pdf")


def check_rate(request: Request) -> None:
    throttle = request.app.state.verify_throttle
    key = f"verify:{client_address(request)}"
    if not throttle.hit(key):
        raise AppError(
            429,
            "too_many_requests",
            "Too many checks from your address. Wait a minute and try again.",
            headers={"Retry-After": str(throttle.retry_after(key))},
        )


@public_router.get("/permits/{number}", response_model=verification.Verification)
def verify(number: str, request: Request, session: SessionDep) -> verification.Verification:
    """Public check of a permit number: status, type, working name and dates only."""
    check_rate(request)
    try:
        return verification.verify(session=session, number=number)
    except verification.MalformedNumber as exc:
        raise AppError(
            400,
            "malformed_number",
            "This is not a valid permit number. Check it for typing errors.",
        ) from exc
