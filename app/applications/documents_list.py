"""Every document of an application: what the applicant uploaded and what the
municipality generated (decision letters, permits), newest last."""

from __future__ import annotations

from sqlmodel import Session

from app.applications import service as applications
from app.applications.models import Application
from app.auth.models import User
from app.documents import service as documents_service
from app.documents.models import DocumentPublic, SubjectType
from app.permits import service as permits_service


def for_application(
    *, session: Session, application: Application, actor: User
) -> list[DocumentPublic]:
    """The uploads, and the generated documents of the application and its permit that
    `actor` may read (each kind of document has its own read actions)."""
    uploads = [
        DocumentPublic(
            id=d.id,
            kind=d.kind,
            title=d.filename,
            language="",
            sha256=d.sha256,
            size_bytes=d.size_bytes,
            media_type=d.content_type,
            signed=False,
            created_at=d.uploaded_at,
            source="upload",
            download_url=f"/api/v1/applications/{application.id}/documents/{d.id}",
        )
        for d in applications.documents_of(session=session, application_id=application.id)
    ]
    permit = applications.permit_of(session=session, application_id=application.id)
    permit_ids = [permit.id] if permit else []
    if permit is not None:
        permit_ids += [
            p.id
            for p in permits_service.list_for_holder(session=session, holder_id=permit.holder_id)
            if p.renewal_of_id == permit.id
        ]
    subjects = [(SubjectType.application, application.id)]
    subjects += [(SubjectType.permit, permit_id) for permit_id in permit_ids]
    generated = [
        documents_service.public(d)
        for d in documents_service.list_for(session=session, subjects=subjects, actor=actor)
    ]
    return uploads + generated
