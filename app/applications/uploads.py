"""Documents an applicant uploads: PDF, JPEG or PNG only, checked by their content (not by
their name or declared type), size-limited, stored once by SHA-256."""

from __future__ import annotations

import uuid

import filetype
from sqlmodel import Session, col, delete, select

from app import files
from app.applications import service
from app.applications.models import Application, ApplicationDocument
from app.audit import service as audit
from app.auth.models import User
from app.config import get_settings
from app.documents.models import Document
from app.documents.store import get_store
from app.errors import InvalidInput, NotFound, TooLarge, UnsupportedType
from app.policy import service as policy_service

ALLOWED_UPLOADS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def add_document(
    *,
    session: Session,
    application_id: uuid.UUID,
    kind: str,
    filename: str,
    content: bytes,
    actor: User,
) -> tuple[ApplicationDocument, set[str]]:
    """Check and store an upload, then record it in place of the kind's previous document.

    Returns the document and the keys of the files it replaced, which the caller deletes
    (`delete_unused_files`) once its transaction has committed. When recording fails, the
    stored bytes are deleted again (an identity document must not stay on disk unowned)
    and the error is raised.
    """
    # Everything that needs no lock first (checking and storing the bytes); the row lock
    # is taken only for the few statements that replace the document.
    found = session.get(Application, application_id)
    if found is None or found.applicant_id != actor.id:
        raise NotFound("application")
    service.ensure_editable(found)
    policy = policy_service.load_configured().policy
    spec = policy.permit_type(found.permit_type)
    if spec is None or kind not in spec.required_documents:
        raise InvalidInput(
            "unknown_document_kind",
            f"This application does not ask for a document of kind '{kind}'.",
            document_kinds=list(spec.required_documents) if spec else [],
        )
    limit = get_settings().max_upload_bytes
    if len(content) > limit:
        raise TooLarge("too_large", f"The file is larger than {limit // (1024 * 1024)} MB.")
    if not content:
        raise InvalidInput("empty_file", "The file is empty.")
    detected = filetype.guess_mime(content)
    if detected not in ALLOWED_UPLOADS:
        raise UnsupportedType("unsupported_file_type", "Only PDF, JPEG and PNG files are accepted.")
    if detected == "application/pdf":
        files.check_pdf(content)
    else:  # stored re-encoded: no GPS position or camera data from a phone's scan
        content = files.clean_image(content, max_bytes=limit).content
    key = get_store().put(content)
    try:
        with session.begin_nested():
            document, replaced = _replace_document(
                session=session,
                application_id=application_id,
                kind=kind,
                filename=filename,
                content_type=detected,
                size_bytes=len(content),
                key=key,
                actor=actor,
            )
    except Exception:
        delete_unused_files(session, {key})
        raise
    return document, replaced - {key}


def _replace_document(
    *,
    session: Session,
    application_id: uuid.UUID,
    kind: str,
    filename: str,
    content_type: str,
    size_bytes: int,
    key: str,
    actor: User,
) -> tuple[ApplicationDocument, set[str]]:
    """Under the application's row lock: one document per kind, the new one replacing the
    old. Returns the document and the keys of the files it replaced."""
    application = service.owned_for_change(
        session=session, application_id=application_id, actor=actor
    )
    service.ensure_editable(application)
    replaced = {
        d.sha256
        for d in session.exec(
            select(ApplicationDocument).where(
                ApplicationDocument.application_id == application.id,
                ApplicationDocument.kind == kind,
            )
        ).all()
    }
    session.exec(  # one document per kind: a new upload replaces the old one
        delete(ApplicationDocument).where(
            col(ApplicationDocument.application_id) == application.id,
            col(ApplicationDocument.kind) == kind,
        )
    )
    safe_name = "".join(c for c in filename if c.isalnum() or c in "._- ")[:200] or "document"
    document = ApplicationDocument(
        application_id=application.id,
        kind=kind,
        filename=safe_name,
        content_type=content_type,
        size_bytes=size_bytes,
        sha256=key,
    )
    session.add(document)
    service.touch(application)
    audit.record(
        session,
        actor=actor,
        action="application.document_add",
        object_type="application",
        object_id=application.id,
        after={"kind": kind, "sha256": key, "size_bytes": size_bytes},
    )
    session.flush()
    # Keep what was written: a simultaneous upload of the same kind may replace this row
    # right after the commit, and a refresh would then fail.
    session.expunge(document)
    return document, replaced


def read_document(
    *, session: Session, application_id: uuid.UUID, document_id: uuid.UUID, actor: User
) -> tuple[ApplicationDocument, bytes]:
    application = service.get_for(
        session=session, application_id=application_id, actor=actor, audited=False
    )
    document = session.get(ApplicationDocument, document_id)
    if document is None or document.application_id != application.id:
        raise NotFound("document")
    if application.applicant_id != actor.id:
        # Staff opening someone's identity document: the trail names the document.
        audit.record(
            session,
            actor=actor,
            action="application.document_read",
            object_type="application",
            object_id=application.id,
            after={"document": str(document.id), "kind": document.kind},
        )
    return document, get_store().get(document.sha256)


def delete_unused_files(session: Session, keys: set[str]) -> int:
    """Delete stored files that no upload or generated document points at any more (call
    after the commit that removed the rows, or for bytes no row was written for). Returns
    how many were deleted."""
    deleted = 0
    for key in keys:
        in_use = (
            session.exec(
                select(ApplicationDocument.id).where(ApplicationDocument.sha256 == key)
            ).first()
            or session.exec(select(Document.id).where(Document.sha256 == key)).first()
        )
        if in_use is None:
            get_store().delete(key)
            deleted += 1
    return deleted
