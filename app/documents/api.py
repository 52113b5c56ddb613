"""JSON route for downloading a generated document."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from app.auth.deps import CurrentUser
from app.deps import SessionDep
from app.documents import service
from app.web import file_response

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.get("/documents/{document_id}")
def download(document_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    """A generated document: its owner or staff only; every download is audited."""
    document, content = service.read(session=session, document_id=document_id, actor=user)
    return file_response(
        content, media_type=document.media_type, filename=service.filename(document)
    )
