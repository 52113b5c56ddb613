"""JSON routes for data-subject rights: your export, your erasure requests, and the
clerks' handling of them."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.deps import SessionDep
from app.documents import service as documents_service
from app.flows import privacy as privacy_flow
from app.privacy import documents as privacy_documents
from app.privacy import service
from app.privacy.models import ErasureRequest, ErasureRequestIn, ErasureRequestPublic
from app.web import file_response

router = APIRouter(prefix="/api/v1", tags=["your data"])


def _public(
    session: SessionDep, request: ErasureRequest, user: CurrentUser
) -> ErasureRequestPublic:
    shown = service.public(request)
    letters = service.documents_of(session=session, request=request, actor=user)
    if letters:
        shown.letter_url = f"/api/v1/documents/{letters[0].id}"
    return shown


@router.get("/me/export")
def my_export(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Everything held about you: account, applications (details included), uploads with
    download links, permits, letters, home-work registrations, erasure requests, and the
    audit events about your records (who as a role only)."""
    return service.export(session=session, actor=user)


@router.get("/me/export.pdf", response_class=Response)
def my_export_pdf(session: SessionDep, user: CurrentUser) -> Response:
    """The same export as a readable PDF."""
    data = service.export(session=session, actor=user)
    document = privacy_documents.export_pdf(session=session, actor=user, data=data)
    return file_response(
        documents_service.content(document), media_type="application/pdf", filename="my-data.pdf"
    )


@router.post("/me/erasure-requests", response_model=ErasureRequestPublic, status_code=201)
def ask_erasure(
    data: ErasureRequestIn, session: SessionDep, user: CurrentUser
) -> ErasureRequestPublic:
    """Ask for your personal data to be erased (409 `erasure_request_open` while one is
    being handled). A clerk handles it; the answer says what was deleted and what is
    kept, why and until when."""
    return service.public(service.request_erasure(session=session, data=data, actor=user))


@router.get("/me/erasure-requests", response_model=list[ErasureRequestPublic])
def my_erasure_requests(session: SessionDep, user: CurrentUser) -> list[ErasureRequestPublic]:
    return [
        _public(session, r, user) for r in service.requests_of(session=session, user_id=user.id)
    ]


@router.get("/erasure-requests", response_model=list[ErasureRequestPublic])
def open_erasure_requests(session: SessionDep, user: CurrentUser) -> list[ErasureRequestPublic]:
    """Clerks: open requests, oldest first."""
    return [service.public(r) for r in service.list_for_clerk(session=session, actor=user)]


@router.get("/erasure-requests/{request_id}", response_model=ErasureRequestPublic)
def get_erasure_request(
    request_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> ErasureRequestPublic:
    """The requester's own request, or any for a clerk; 404 for anyone else."""
    found = service.get_for(session=session, request_id=request_id, actor=user)
    return _public(session, found, user)


@router.post("/erasure-requests/{request_id}/handle", response_model=ErasureRequestPublic)
def handle_erasure_request(
    request_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> ErasureRequestPublic:
    """Clerks: erase what no legal duty keeps and record what is kept (409 when handled)."""
    handled = privacy_flow.handle_erasure(session=session, request_id=request_id, actor=user)
    return _public(session, handled, user)
