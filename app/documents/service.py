"""Generated documents of any subject: render once, sign when configured, store by hash,
serve the stored bytes on every later download (no re-render), readable as each kind's
own read actions allow.

Nothing here commits: a document is made after the change it describes has committed
(see `app/flows/`), and its row is committed by the caller."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app import access
from app.audit import service as audit
from app.auth import permissions
from app.auth.models import User
from app.config import get_settings
from app.db import insert_once
from app.documents import render, sign
from app.documents.models import READ_AS, Document, DocumentKind, DocumentPublic, SubjectType
from app.documents.store import get_store
from app.errors import NotFound


@dataclass(frozen=True)
class RenderRequest:
    """What to render: a PDF template, its data and the language."""

    template: str
    context: dict[str, Any]
    language: str
    title: str
    sign_reason: str


def get_by_key(*, session: Session, natural_key: str) -> Document | None:
    return session.exec(select(Document).where(Document.natural_key == natural_key)).first()


def get_or_create(
    *,
    session: Session,
    natural_key: str,
    kind: DocumentKind,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    build: Callable[[], RenderRequest],
) -> Document:
    """The stored document for `natural_key`, rendering and storing it the first time.

    Renders before it writes anything (no lock is held while rendering); the row is
    flushed in a savepoint, so a simultaneous first download that stored the same key
    first is found instead. The caller commits."""
    existing = get_by_key(session=session, natural_key=natural_key)
    if existing is not None:
        return existing
    request = build()
    # The natural key names the version: each version is its own file, even when a
    # reinstated permit reads exactly like the one before its suspension.
    identifier = hashlib.md5(natural_key.encode(), usedforsecurity=False).hexdigest().encode()
    pdf = render.render_pdf(
        request.template, request.context, request.language, identifier=identifier
    )
    signed = sign.signing_configured()
    if signed:
        pdf = sign.sign_pdf(
            pdf, reason=request.sign_reason, location=get_settings().municipality_name
        )
    key = get_store().put(pdf)
    document = Document(
        natural_key=natural_key,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        owner_id=owner_id,
        title=request.title,
        language=request.language,
        sha256=key,
        size_bytes=len(pdf),
        template_version=render.TEMPLATE_VERSION,
        signed=signed,
        source_data=_jsonable(request.context),
    )
    return insert_once(
        session,
        document,
        find=lambda: get_by_key(session=session, natural_key=natural_key),
        then=lambda made: audit.record(
            session,
            actor=None,
            action="document.generate",
            object_type="document",
            object_id=made.id,
            after={"kind": kind.value, "sha256": key, "natural_key": natural_key},
        ),
    )


def _is_image(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("data:")


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    """The render data without embedded images (they are derived, and large)."""
    kept: dict[str, Any] = {}
    for key, value in context.items():
        if _is_image(value):
            continue
        if isinstance(value, list) and value and all(_is_image(v) for v in value):
            kept[key] = len(value)  # how many images there were
            continue
        kept[key] = value
    return kept


def filename(document: Document) -> str:
    return f"{document.kind.value}-{document.id.hex[:8]}.pdf"


def content(document: Document) -> bytes:
    return get_store().get(document.sha256)


def public(document: Document) -> DocumentPublic:
    return DocumentPublic.model_validate(
        {**document.model_dump(), "download_url": f"/api/v1/documents/{document.id}"}
    )


def of_subjects(
    *, session: Session, subjects: list[tuple[SubjectType, uuid.UUID]]
) -> list[Document]:
    """Every document of these subjects, oldest first (no access check: for callers that
    are not serving a reader, like the retention schedule)."""
    if not subjects:
        return []
    by_type: dict[SubjectType, list[uuid.UUID]] = {}
    for kind, subject_id in subjects:
        by_type.setdefault(kind, []).append(subject_id)
    condition = or_(
        *(
            and_(col(Document.subject_type) == kind, col(Document.subject_id).in_(ids))
            for kind, ids in by_type.items()
        )
    )
    return list(
        session.exec(select(Document).where(condition).order_by(col(Document.created_at))).all()
    )


def list_for(
    *, session: Session, subjects: list[tuple[SubjectType, uuid.UUID]], actor: User
) -> list[Document]:
    """The documents of these subjects that `actor` may read, oldest first."""
    return [d for d in of_subjects(session=session, subjects=subjects) if can_read(actor, d)]


def can_read(actor: User, document: Document) -> bool:
    return permissions.can_read(actor, READ_AS[document.kind], document.owner_id)


def read(*, session: Session, document_id: uuid.UUID, actor: User) -> tuple[Document, bytes]:
    """Download for whoever the kind's read actions allow (NotFound for anyone else).
    Staff reading a person's document is audited; the person reading their own permit or
    letter is not, so a download of stored bytes writes nothing."""
    found = session.get(Document, document_id)
    if found is None:
        raise NotFound("document")
    document = access.read(
        session,
        found,
        actor=actor,
        kind=READ_AS[found.kind],
        owner_id=found.owner_id,
        object_type="document",
    )
    return document, content(document)
