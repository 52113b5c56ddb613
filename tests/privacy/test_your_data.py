"""Data-subject rights: the export holds the person's data and nobody else's, reads back
as a PDF, and an erasure request handled by a clerk deletes what no duty keeps and states
what is kept and until when; nobody reads another's export or request."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.applications.models import Application, ApplicationDocument, DecisionKind
from app.auth.models import Role
from app.flows import decisions
from app.policy.evaluate import add_months
from app.privacy.models import ErasureRequest
from tests.factories import (
    approve,
    csrf_from,
    login_page,
    make_application,
    make_user,
    pdf_text,
    token_for,
)


def test_the_export_holds_my_data_and_not_anothers(client: TestClient, session: Session) -> None:
    me = make_user(session, email="ik@example.org")
    mine = make_application(session, me, working_name="Roos", legal_name="Anna de Vries")
    other = make_user(session, email="ander@example.org")
    make_application(session, other, working_name="Lila", legal_name="Berta Geheim")
    response = client.get("/api/v1/me/export", headers=token_for(client, me))
    assert response.status_code == 200
    data = response.json()
    text = json.dumps(data)
    assert data["account"]["email"] == "ik@example.org"
    assert [a["id"] for a in data["applications"]] == [str(mine.id)]
    assert data["applications"][0]["details"]["legal_name"] == "Anna de Vries"
    uploads = data["applications"][0]["documents"]
    assert uploads and uploads[0]["download_url"].startswith(f"/applications/{mine.id}/")
    assert any(
        e["action"] == "application.submit" and e["by"] == "you" for e in data["audit_events"]
    )
    assert "Berta Geheim" not in text and "Lila" not in text and "ander@example.org" not in text


def test_staff_in_my_audit_events_are_a_role_only(client: TestClient, session: Session) -> None:
    me = make_user(session)
    clerk = make_user(session, Role.clerk, email="behandelaar-x@example.org")
    approve(session, make_application(session, me), clerk)
    data = client.get("/api/v1/me/export", headers=token_for(client, me)).json()
    assert data["permits"] and data["letters_and_documents"]
    assert any(e["by"] == "clerk" for e in data["audit_events"])
    assert str(clerk.id) not in json.dumps(data) and "behandelaar-x" not in json.dumps(data)


@pytest.mark.real_pdf
def test_the_export_pdf_reads_back(client: TestClient, session: Session) -> None:
    me = make_user(session, email="pdf@example.org")
    make_application(session, me, working_name="Roos", legal_name="Anna de Vries")
    login_page(client, me)
    response = client.get("/account/data/export.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "pdf@example.org" in text and "Anna de Vries" in text and "Roos" in text
    assert client.get("/account/data/export.json").json()["account"]["email"] == "pdf@example.org"


@pytest.mark.real_pdf
def test_a_clerk_handles_erasure_stating_what_is_kept_and_until_when(
    client: TestClient, session: Session
) -> None:
    me = make_user(session)
    granted = make_application(session, me, working_name="Roos")
    permit = approve(session, granted)
    refused = make_application(session, me, permit_type="escort_business", working_name="Lila")
    clerk = make_user(session, Role.clerk)
    decisions.decide(
        session=session,
        application_id=refused.id,
        decision=DecisionKind.refuse,
        reason="Het bedrijfsplan ontbreekt.",
        actor=clerk,
    )
    draft = make_application(session, me, submit=False, working_name="Jade")

    login_page(client, me)
    page = client.get("/account/data")
    asked = client.post(
        "/account/data/erasure",
        data={"csrf_token": csrf_from(page.text), "note": "Ik stop met dit werk."},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    request = session.exec(select(ErasureRequest)).one()
    again = client.post(
        "/api/v1/me/erasure-requests", json={"note": None}, headers=token_for(client, me)
    )
    assert again.status_code == 409

    login_page(client, clerk)
    queue = client.get("/privacy-requests")
    assert f"request-{request.id}" in queue.text and "Ik stop met dit werk." in queue.text
    handled = client.post(
        f"/privacy-requests/{request.id}/handle",
        data={"csrf_token": csrf_from(queue.text)},
        follow_redirects=False,
    )
    assert handled.status_code == 303

    session.expire_all()
    for application in (refused, draft):
        erased = session.get(Application, application.id)
        assert erased is not None and erased.details == {} and erased.erased_at is not None
        uploads = session.exec(
            select(ApplicationDocument).where(ApplicationDocument.application_id == application.id)
        ).all()
        assert uploads == []
    kept = session.get(Application, granted.id)
    assert kept is not None and kept.details["legal_name"] and kept.erased_at is None

    login_page(client, me)
    answer = client.get("/account/data")
    assert "Lila" in answer.text and "Jade" in answer.text
    # The refused application's decision is kept refused_application_months (12) after it.
    refused_row = session.get(Application, refused.id)
    assert refused_row is not None and refused_row.decided_at is not None
    until = add_months(refused_row.decided_at.date(), 12)
    assert until.strftime("%d-%m-%Y") in answer.text
    assert permit.number in answer.text  # the permit is kept while held

    api = client.get(f"/api/v1/erasure-requests/{request.id}", headers=token_for(client, me))
    body = api.json()
    assert body["status"] == "handled" and body["letter_url"]
    assert any(k["until"] == until.isoformat() for k in body["kept"])
    letter = client.get(body["letter_url"], headers=token_for(client, me))
    assert letter.status_code == 200
    text = pdf_text(letter.content)
    assert until.strftime("%d-%m-%Y") in text and "Lila" in text


def test_nobody_reads_anothers_request(client: TestClient, session: Session) -> None:
    me = make_user(session)
    response = client.post(
        "/api/v1/me/erasure-requests", json={"note": "graag"}, headers=token_for(client, me)
    )
    assert response.status_code == 201
    request_id = response.json()["id"]
    stranger = make_user(session)
    assert (
        client.get(f"/api/v1/erasure-requests/{request_id}", headers=token_for(client, stranger))
    ).status_code == 404
    assert (
        client.post(
            f"/api/v1/erasure-requests/{request_id}/handle", headers=token_for(client, stranger)
        ).status_code
        == 403
    )
    assert (
        client.get("/api/v1/erasure-requests", headers=token_for(client, stranger)).status_code
        == 403
    )
    # Another's export is never reachable: the export is always the caller's own.
    mine = client.get("/api/v1/me/export", headers=token_for(client, stranger)).json()
    assert mine["erasure_requests"] == [] and mine["account"]["id"] == str(stranger.id)
    clerk = make_user(session, Role.clerk)
    seen = client.get(f"/api/v1/erasure-requests/{request_id}", headers=token_for(client, clerk))
    assert seen.status_code == 200 and seen.json()["note"] == "graag"


def test_a_note_with_control_characters_is_refused_and_nothing_is_recorded(
    client: TestClient, session: Session
) -> None:
    me = make_user(session)
    login_page(client, me)
    page = client.get("/account/data")
    response = client.post(
        "/account/data/erasure", data={"csrf_token": csrf_from(page.text), "note": "a\x07b"}
    )
    # Refused before the route runs (app/clean_input.py), with a message saying why.
    assert response.status_code == 422
    assert "stuurtekens" in response.text
    assert client.get("/api/v1/me/erasure-requests", headers=token_for(client, me)).json() == []
