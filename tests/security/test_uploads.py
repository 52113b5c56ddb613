"""Uploaded documents are made harmless before they are stored: a PDF with scripts,
attachments or actions is refused, as is a damaged one; an image is re-encoded without
its EXIF/GPS data; a decompression bomb is refused before it is decoded."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from sqlmodel import Session

from app.auth.models import User
from app.documents.store import get_store
from tests.factories import application_data, make_user, token_for

API = "/api/v1/applications"


@pytest.fixture
def draft(client: TestClient, session: Session) -> tuple[dict[str, str], str]:
    user: User = make_user(session)
    headers = token_for(client, user)
    made = client.post(API, json=application_data(), headers=headers)
    assert made.status_code == 201, made.text
    return headers, made.json()["id"]


def _upload(
    client: TestClient, draft: tuple[dict[str, str], str], content: bytes, name: str
) -> object:
    headers, application_id = draft
    return client.post(
        f"{API}/{application_id}/documents",
        data={"kind": "identity_document"},
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def _pdf(change: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change == "javascript":
        writer.add_open_action(JavaScript("app.alert('hello');"))
    elif change == "attachment":
        writer.add_attachment("payload.exe", b"MZ not really")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("change", ["javascript", "attachment"])
def test_a_pdf_with_active_content_is_refused(
    client: TestClient, draft: tuple[dict[str, str], str], change: str
) -> None:
    response = _upload(client, draft, _pdf(change), "id.pdf")
    assert response.status_code == 415, response.text  # type: ignore[attr-defined]
    assert response.json()["detail"]["code"] == "pdf_active_content"  # type: ignore[attr-defined]
    assert _upload(client, draft, _pdf("none"), "id.pdf").status_code == 201  # type: ignore[attr-defined]


def test_a_damaged_pdf_is_refused(client: TestClient, draft: tuple[dict[str, str], str]) -> None:
    response = _upload(client, draft, b"%PDF-1.7\n" + b"\x00garbage" * 50, "id.pdf")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["detail"]["code"] == "unreadable_pdf"  # type: ignore[attr-defined]


def test_an_identity_photo_is_stored_without_exif(
    client: TestClient, draft: tuple[dict[str, str], str]
) -> None:
    image = Image.new("RGB", (80, 60), (10, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = "Owner Of The Phone"
    exif.get_ifd(0x8825)[2] = (51.0, 33.0, 20.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    response = _upload(client, draft, out.getvalue(), "scan.jpg")
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    stored = get_store().get(response.json()["sha256"])  # type: ignore[attr-defined]
    assert b"Owner Of The Phone" not in stored
    kept = Image.open(io.BytesIO(stored))
    assert kept.size == (80, 60) and not kept.getexif().get_ifd(0x8825)


def test_a_decompression_bomb_is_refused(
    client: TestClient, draft: tuple[dict[str, str], str]
) -> None:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG", optimize=True)
    response = _upload(client, draft, out.getvalue(), "scan.png")
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json()["detail"]["code"] == "image_too_large"  # type: ignore[attr-defined]


def test_a_staff_download_of_an_identity_document_is_audited_with_the_document(
    client: TestClient, session: Session
) -> None:
    from sqlmodel import select

    from app.audit.models import AuditEvent
    from app.auth.models import Role
    from tests.factories import make_application

    application = make_application(session)
    clerk = make_user(session, Role.clerk)
    headers = token_for(client, clerk)
    listed = client.get(f"{API}/{application.id}/documents", headers=headers).json()
    document_id = listed[0]["id"]
    response = client.get(f"{API}/{application.id}/documents/{document_id}", headers=headers)
    assert response.status_code == 200
    session.expire_all()
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "application.document_read")
    ).one()
    assert event.actor_id == clerk.id and event.after is not None
    assert event.after["document"] == document_id
