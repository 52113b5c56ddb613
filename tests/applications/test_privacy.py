"""An application is the applicant's alone until submitted; downloads keep any file name."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.flows import uploads
from tests.factories import PDF_BYTES, make_application, make_user, token_for


def test_staff_cannot_see_drafts(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    draft = make_application(session, applicant, submit=False)
    clerk = token_for(client, make_user(session, Role.clerk))
    assert client.get(f"/api/v1/applications/{draft.id}", headers=clerk).status_code == 404
    queue = client.get("/api/v1/applications?status=draft", headers=clerk).json()
    assert queue["items"] == []
    own = client.get(f"/api/v1/applications/{draft.id}", headers=token_for(client, applicant))
    assert own.status_code == 200


def test_submitted_application_is_visible_to_staff(client: TestClient, session: Session) -> None:
    submitted = make_application(session)
    clerk = token_for(client, make_user(session, Role.clerk))
    assert client.get(f"/api/v1/applications/{submitted.id}", headers=clerk).status_code == 200


def test_download_with_non_latin_file_name(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, documents=False, submit=False)
    document = uploads.add_document(
        session=session,
        application_id=application.id,
        kind="identity_document",
        filename="paspoort Ștefănescu.pdf",
        content=PDF_BYTES,
        actor=applicant,
    )
    response = client.get(
        f"/api/v1/applications/{application.id}/documents/{document.id}",
        headers=token_for(client, applicant),
    )
    assert response.status_code == 200
    assert response.content == PDF_BYTES
    disposition = response.headers["content-disposition"]
    assert 'filename="paspoort Stefanescu.pdf"' in disposition
    assert "filename*=UTF-8''paspoort%20%C8%98tef%C4%83nescu.pdf" in disposition
