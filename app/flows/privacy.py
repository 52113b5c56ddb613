"""Handling an erasure request: erase and record the outcome (one commit), then delete the
stored files no record uses any more and make the answer letter (a failure there leaves
the handling standing; the letter is made on first download)."""

from __future__ import annotations

import logging
import uuid

from sqlmodel import Session

from app.applications import uploads as uploads_service
from app.auth.models import User
from app.privacy import documents as privacy_documents
from app.privacy import service
from app.privacy.models import ErasureRequest

logger = logging.getLogger(__name__)


def handle_erasure(*, session: Session, request_id: uuid.UUID, actor: User) -> ErasureRequest:
    request, keys = service.handle(session=session, request_id=request_id, actor=actor)
    session.commit()
    try:
        uploads_service.delete_unused_files(session, keys)
        privacy_documents.answer_letter(session=session, request=request)
        session.commit()
    except Exception:  # the erasure stands; the letter is made when first downloaded
        logger.exception("after handling erasure request %s", request.id)
        session.rollback()
    return request
