"""Generated documents: render once, sign when configured, store by hash, serve the
stored bytes on every later download (no re-render)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.models import User
from app.auth.permissions import Action, can_access_owned
from app.config import get_settings
from app.documents import render, sign
from app.documents.models import Document, DocumentKind, DocumentPublic
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
    owner_id: uuid.UUID,
    build: Callable[[], RenderRequest],
    application_id: uuid.UUID | None = None,
    permit_id: uuid.UUID | None = None,
) -> Document:
    """The stored document for `natural_key`, rendering and storing it the first time.

    Commits its own row; call it after the change the document describes has committed.
    """
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
        owner_id=owner_id,
        application_id=application_id,
        permit_id=permit_id,
        title=request.title,
        language=request.language,
        sha256=key,
        size_bytes=len(pdf),
        template_version=render.TEMPLATE_VERSION,
        signed=signed,
        source_data=_jsonable(request.context),
    )
    try:
        with session.begin_nested():
            session.add(document)
        audit.record(
            session,
            actor=None,
            action="document.generate",
            object_type="document",
            object_id=document.id,
            after={"kind": kind.value, "sha256": key, "natural_key": natural_key},
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        found = get_by_key(session=session, natural_key=natural_key)
        if found is None:
            raise
        return found
    session.refresh(document)
    return document


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    """The render data without embedded images (they are derived, and large)."""
    return {k: v for k, v in context.items() if not (isinstance(v, str) and v.startswith("data:"))}


def filename(document: Document) -> str:
    return f"{document.kind.value}-{document.id.hex[:8]}.pdf"


def content(document: Document) -> bytes:
    return get_store().get(document.sha256)


def public(document: Document) -> DocumentPublic:
    return DocumentPublic.model_validate(
        {**document.model_dump(), "download_url": f"/api/v1/documents/{document.id}"}
    )


def list_for(
    *, session: Session, application_id: uuid.UUID, permit_ids: list[uuid.UUID]
) -> list[Document]:
    condition = col(Document.application_id) == application_id
    if permit_ids:
        condition = condition | col(Document.permit_id).in_(permit_ids)
    return list(
        session.exec(select(Document).where(condition).order_by(col(Document.created_at))).all()
    )


def read(*, session: Session, document_id: uuid.UUID, actor: User) -> tuple[Document, bytes]:
    """Download for the owner or staff; staff reads are audited, the owner's are not."""
    document = session.get(Document, document_id)
    if document is None or not can_access_owned(
        actor,
        document.owner_id,
        own_action=Action.application_read_own,
        any_action=Action.application_read_any,
    ):
        raise NotFound("document")
    if document.owner_id != actor.id:
        # Staff reading a person's document is audited; the person reading their own
        # permit or letter is not (as for their application and permit), so a download
        # of stored bytes writes nothing.
        audit.record(
            session,
            actor=actor,
            action="document.read",
            object_type="document",
            object_id=document.id,
        )
        session.commit()
    return document, content(document)
