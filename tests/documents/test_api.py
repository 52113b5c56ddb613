"""Documents through the JSON API: the list of an application's documents, downloads by the
owner and staff only (audited), stored bytes served without re-rendering, and a new permit
version after a suspension and after its reinstatement."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.documents import render
from app.documents.models import Document, DocumentKind, SubjectType
from app.permits.models import Permit
from tests.factories import (
    LEGAL_NAME,
    PDF_BYTES,
    login_page,
    make_application,
    make_permit,
    make_user,
    pdf_text,
    token_for,
)

API = "/api/v1"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Counts calls to render.render_pdf; set `fail` to make every later call raise."""
    state: dict[str, Any] = {"count": 0, "fail": False}
    original: Callable[..., bytes] = render.render_pdf

    def counting(*args: Any, **kwargs: Any) -> bytes:
        if state["fail"]:
            raise AssertionError("rendered again instead of serving the stored PDF")
        state["count"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(render, "render_pdf", counting)
    return state


def _list(client: TestClient, user: User, application_id: Any) -> list[dict[str, Any]]:
    response = client.get(
        f"{API}/applications/{application_id}/documents", headers=token_for(client, user)
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def _permit_pdf(client: TestClient, user: User, number: str) -> bytes:
    response = client.get(f"{API}/permits/{number}/pdf", headers=token_for(client, user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    assert f'filename="{number}.pdf"' in response.headers["content-disposition"]
    return response.content


def _act(client: TestClient, clerk: User, number: str, action: str, reason: str) -> None:
    response = client.post(
        f"{API}/permits/{number}/{action}",
        json={"reason": reason},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text


def _reads(session: Session, document_id: Any) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "document.read", AuditEvent.object_id == str(document_id))
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_list_has_the_upload_the_decision_letter_and_the_permit(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    listed = _list(client, holder, permit.application_id)
    assert [(d["source"], d["kind"]) for d in listed] == [
        ("upload", "identity_document"),
        ("generated", "decision_approve"),
        ("generated", "permit"),
    ]
    for document in listed:
        assert set(document) == {
            "id",
            "kind",
            "title",
            "language",
            "sha256",
            "size_bytes",
            "media_type",
            "signed",
            "created_at",
            "source",
            "download_url",
        }
        response = client.get(document["download_url"], headers=token_for(client, holder))
        assert response.status_code == 200, document
        assert hashlib.sha256(response.content).hexdigest() == document["sha256"]
        assert len(response.content) == document["size_bytes"]
    upload, letter, permit_doc = listed
    assert client.get(upload["download_url"], headers=token_for(client, holder)).content == (
        PDF_BYTES
    )
    assert letter["title"] == "Besluit op uw aanvraag: vergunning verleend"
    assert permit_doc["title"] == f"Vergunning sekswerker {permit.number}, versie 1"
    assert permit_doc["download_url"] == f"/api/v1/documents/{permit_doc['id']}"
    assert {letter["language"], permit_doc["language"]} == {"nl"}
    assert letter["media_type"] == permit_doc["media_type"] == "application/pdf"
    assert LEGAL_NAME not in str(listed)


def test_a_refused_application_lists_its_letter_and_no_permit(
    client: TestClient, session: Session, holder: User, clerk: User
) -> None:
    application = make_application(session, holder, age=17)
    response = client.post(
        f"{API}/applications/{application.id}/decision",
        json={"decision": "refuse", "reason": "Jonger dan 18."},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    kinds = [(d["source"], d["kind"]) for d in _list(client, holder, application.id)]
    assert kinds == [("upload", "identity_document"), ("generated", "decision_refuse")]


def test_an_open_application_has_no_generated_documents(
    client: TestClient, session: Session, holder: User, renders: dict[str, Any]
) -> None:
    application = make_application(session, holder)
    assert [d["source"] for d in _list(client, holder, application.id)] == ["upload"]
    assert renders["count"] == 0


def test_the_stored_document_row(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    pdf = _permit_pdf(client, holder, permit.number)
    session.expire_all()
    document = session.exec(
        select(Document).where(
            Document.subject_id == permit.id, Document.kind == DocumentKind.permit
        )
    ).one()
    assert document.natural_key == f"permit:{permit.id}:v1"
    assert document.owner_id == holder.id
    assert (document.subject_type, document.subject_id) == (SubjectType.permit, permit.id)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.size_bytes == len(pdf)
    assert document.template_version == render.TEMPLATE_VERSION
    assert document.source_data["number"] == permit.number
    assert document.source_data["working_name"] == "Roos"
    assert LEGAL_NAME not in str(document.source_data)
    generated = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "document.generate", AuditEvent.object_id == str(document.id)
        )
    ).all()
    assert len(generated) == 1


def test_owner_downloads_and_another_applicant_gets_404(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    listed = [d for d in _list(client, holder, permit.application_id) if d["source"] == "generated"]
    other = make_user(session)
    them = token_for(client, other)
    for document in listed:
        assert client.get(document["download_url"], headers=token_for(client, holder)).is_success
        response = client.get(document["download_url"], headers=them)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert LEGAL_NAME not in response.text
        assert client.get(document["download_url"]).status_code == 401
    assert client.get(f"{API}/permits/{permit.number}/pdf", headers=them).status_code == 404
    assert client.get(f"{API}/permits/{permit.number}/pdf").status_code == 401
    response = client.get(f"{API}/applications/{permit.application_id}/documents", headers=them)
    assert response.status_code == 404
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"{API}/documents/{unknown}", headers=them).status_code == 404
    # Nothing was recorded as a read: the other applicant read nothing, and the holder
    # reading their own documents is not audited (staff reads are).
    for document in listed:
        assert _reads(session, document["id"]) == []


def test_a_clerk_downloads_and_the_read_is_audited(
    client: TestClient, session: Session, holder: User, clerk: User, permit: Permit
) -> None:
    listed = _list(client, clerk, permit.application_id)
    permit_doc = next(d for d in listed if d["kind"] == "permit")
    assert _reads(session, permit_doc["id"]) == []

    response = client.get(permit_doc["download_url"], headers=token_for(client, clerk))
    assert response.status_code == 200
    reads = _reads(session, permit_doc["id"])
    assert [(e.actor_id, e.actor_role, e.object_type) for e in reads] == [
        (clerk.id, "clerk", "document")
    ]

    # The permit PDF route too: one event, the read of the document (not a permit read
    # besides: one download, one line in the trail).
    assert _permit_pdf(client, clerk, permit.number) == response.content
    assert [e.actor_id for e in _reads(session, permit_doc["id"])] == [clerk.id, clerk.id]
    permit_reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "permit.read", AuditEvent.object_id == str(permit.id)
        )
    ).all()
    assert permit_reads == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.clerk, 200),
        (Role.inspector, 404),
        (Role.care_coordinator, 404),
        (Role.admin, 404),
    ],
)
def test_only_staff_who_read_applications_download_documents(
    client: TestClient, session: Session, permit: Permit, role: Role, status: int
) -> None:
    staff = token_for(client, make_user(session, role))
    generated = session.exec(
        select(Document).where(col(Document.subject_id).in_([permit.id, permit.application_id]))
    ).all()
    assert len(generated) == 2
    for document in generated:
        response = client.get(f"{API}/documents/{document.id}", headers=staff)
        assert response.status_code == status, (role, response.text)
    assert client.get(f"{API}/permits/{permit.number}/pdf", headers=staff).status_code == status


def test_second_download_is_served_from_the_store_without_rendering(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    renders: dict[str, Any],
) -> None:
    permit = make_permit(session, holder, clerk=clerk)
    assert renders["count"] == 2  # the decision letter and the permit, once each
    first = _permit_pdf(client, holder, permit.number)
    renders["fail"] = True
    second = _permit_pdf(client, holder, permit.number)
    assert second == first
    listed = _list(client, holder, permit.application_id)
    for document in listed:
        assert client.get(document["download_url"], headers=token_for(client, holder)).is_success
    assert renders["count"] == 2


def test_a_document_made_on_first_download_is_then_served_from_the_store(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    renders: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the PDF could not be made at approval time, the first download makes it."""
    from app.applications import decisions

    monkeypatch.setattr(decisions, "document_steps", lambda **_: [])
    permit = make_permit(session, holder, clerk=clerk)
    assert renders["count"] == 0
    first = _permit_pdf(client, holder, permit.number)
    assert renders["count"] == 1
    assert permit.number in pdf_text(first)
    renders["fail"] = True
    assert _permit_pdf(client, holder, permit.number) == first


def test_a_failed_render_does_not_undo_the_decision(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    renders: dict[str, Any],
) -> None:
    renders["fail"] = True
    permit = make_permit(session, holder, clerk=clerk)
    session.expire_all()
    assert session.get(Permit, permit.id) is not None
    assert session.exec(select(Document).where(Document.subject_id == permit.id)).all() == []
    renders["fail"] = False
    assert permit.number in pdf_text(_permit_pdf(client, holder, permit.number))


def test_new_permit_version_after_suspension_and_after_reinstatement(
    client: TestClient, session: Session, holder: User, clerk: User, permit: Permit
) -> None:
    original = _permit_pdf(client, holder, permit.number)

    _act(client, clerk, permit.number, "suspend", "Overlast wordt onderzocht")
    suspended = _permit_pdf(client, holder, permit.number)
    assert suspended != original
    assert "GESCHORST" in pdf_text(suspended)

    _act(client, clerk, permit.number, "reinstate", "Onderzoek afgerond")
    reinstated = _permit_pdf(client, holder, permit.number)
    assert reinstated not in (original, suspended)
    assert "GESCHORST" not in pdf_text(reinstated)
    assert _permit_pdf(client, holder, permit.number) == reinstated

    session.expire_all()
    versions = session.exec(
        select(Document)
        .where(Document.subject_id == permit.id, Document.kind == DocumentKind.permit)
        .order_by(col(Document.created_at))
    ).all()
    assert [d.natural_key for d in versions] == [
        f"permit:{permit.id}:v1",
        f"permit:{permit.id}:v2",
        f"permit:{permit.id}:v3",
    ]
    assert len({d.sha256 for d in versions}) == 3
    assert [d.sha256 for d in versions] == [
        hashlib.sha256(pdf).hexdigest() for pdf in (original, suspended, reinstated)
    ]

    kinds = [d["kind"] for d in _list(client, holder, permit.application_id)]
    assert kinds == [
        "identity_document",
        "decision_approve",
        "permit",
        "decision_suspend",
        "permit",
        "decision_reinstate",
        "permit",
    ]


def test_pages_and_lists_work_while_documents_cannot_be_made(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    renders: dict[str, Any],
) -> None:
    """A decided file whose letter cannot be rendered now still opens, without the letter;
    once rendering works again the next view makes it."""
    renders["fail"] = True
    permit = make_permit(session, holder, clerk=clerk)
    listed = _list(client, holder, permit.application_id)
    assert [d["source"] for d in listed] == ["upload"]
    login_page(client, clerk)
    assert client.get(f"/queue/{permit.application_id}").status_code == 200
    renders["fail"] = False
    kinds = {d["kind"] for d in _list(client, holder, permit.application_id)}
    assert {"decision_approve", "permit"} <= kinds
