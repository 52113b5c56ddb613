"""An applicant uploads a document: the new row is committed, then the file it replaced is
deleted when nothing points at it any more (never before the commit: a failed commit must
leave the old document whole)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app.applications import uploads
from app.applications.models import ApplicationDocument
from app.auth.models import User


def add_document(
    *,
    session: Session,
    application_id: uuid.UUID,
    kind: str,
    filename: str,
    content: bytes,
    actor: User,
) -> ApplicationDocument:
    document, replaced = uploads.add_document(
        session=session,
        application_id=application_id,
        kind=kind,
        filename=filename,
        content=content,
        actor=actor,
    )
    try:
        session.commit()
    except Exception:
        session.rollback()
        uploads.delete_unused_files(session, {document.sha256})
        raise
    uploads.delete_unused_files(session, replaced)
    return document
