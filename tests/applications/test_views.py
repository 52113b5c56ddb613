"""The HTML pages for applicants and clerks: forms re-render with the error next to the
field, nothing is lost, and the legal name stays out of lists."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.applications.models import ApplicationStatus
from app.auth.models import Role
from tests.factories import (
    LEGAL_NAME,
    PDF_BYTES,
    csrf_from,
    login_page,
    make_application,
    make_user,
)


def test_details_form_keeps_input_and_explains_errors(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, documents=False, submit=False)
    login_page(client, applicant)
    page = client.get(f"/applications/{application.id}/details")
    response = client.post(
        f"/applications/{application.id}/details",
        data={
            "csrf_token": csrf_from(page.text),
            "working_name": "Roos",
            "legal_name": "Maria Jansen",
            "birth_date": "2099-01-01",
            "email": "not an email",
        },
    )
    assert response.status_code == 422
    assert "Vul uw echte geboortedatum in" in response.text
    assert "Vul een geldig e-mailadres in" in response.text
    assert 'value="not an email"' in response.text  # nothing typed is lost
    assert 'value="Maria Jansen"' in response.text
    # The valid fields were saved although others were not; the invalid ones were not.
    session.refresh(application)
    assert application.details["legal_name"] == "Maria Jansen"
    assert application.working_name == "Roos"
    assert "birth_date" not in application.details or application.details["birth_date"] != (
        "2099-01-01"
    )
    # Reloading the error page opens the form, it does not post it again.
    assert f'data-page-url="/applications/{application.id}/details"' in response.text
    assert 'class="error-summary" role="alert" tabindex="-1"' in response.text


def test_inputs_carry_the_limits_the_server_enforces(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, documents=False, submit=False)
    login_page(client, applicant)
    page = client.get(f"/applications/{application.id}/details")
    assert 'id="working_name" name="working_name" type="text"' in page.text
    assert 'minlength="2" maxlength="60"' in page.text
    assert 'min="1900-01-01"' in page.text
    too_long = client.post(
        f"/applications/{application.id}/details",
        data={"csrf_token": csrf_from(page.text), "working_name": "R" * 61},
    )
    assert too_long.status_code == 422
    assert "60" in too_long.text and "Controleer dit veld" not in too_long.text


def test_submit_incomplete_lists_what_is_missing(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, documents=False, submit=False)
    login_page(client, applicant)
    page = client.get(f"/applications/{application.id}")
    response = client.post(
        f"/applications/{application.id}/submit", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 422
    assert "nog niet compleet" in response.text
    assert "Kopie van een geldig identiteitsbewijs" in response.text


def test_upload_of_a_disguised_file_is_refused_on_the_page(
    client: TestClient, session: Session
) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, documents=False, submit=False)
    login_page(client, applicant)
    page = client.get(f"/applications/{application.id}/documents")
    token = csrf_from(page.text)
    refused = client.post(
        f"/applications/{application.id}/documents",
        data={"csrf_token": token, "kind": "identity_document"},
        files={"file": ("id.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert refused.status_code == 422
    assert "Alleen PDF-, JPEG- en PNG-bestanden" in refused.text
    accepted = client.post(
        f"/applications/{application.id}/documents",
        data={"csrf_token": token, "kind": "identity_document"},
        files={"file": ("id.pdf", PDF_BYTES, "application/pdf")},
        follow_redirects=True,
    )
    assert "Geüpload: id.pdf" in accepted.text


def test_queue_shows_working_names_only(client: TestClient, session: Session) -> None:
    make_application(session, working_name="Roos")
    login_page(client, make_user(session, Role.clerk))
    queue = client.get("/queue")
    assert queue.status_code == 200
    assert "Roos" in queue.text
    assert LEGAL_NAME not in queue.text


def test_clerk_refusal_needs_a_reason_and_keeps_the_form(
    client: TestClient, session: Session
) -> None:
    application = make_application(session)
    login_page(client, make_user(session, Role.clerk))
    page = client.get(f"/queue/{application.id}")
    token = csrf_from(page.text)
    missing = client.post(
        f"/queue/{application.id}/decision", data={"csrf_token": token, "decision": "refuse"}
    )
    assert missing.status_code == 422
    assert "Geef een reden" in missing.text
    # The decision form posts to a path no GET opens: the page's own address is the file.
    assert f'data-page-url="/queue/{application.id}"' in missing.text
    done = client.post(
        f"/queue/{application.id}/decision",
        data={"csrf_token": token, "decision": "refuse", "reason": "Niet volledig."},
    )
    assert done.status_code == 200
    session.refresh(application)
    assert application.status is ApplicationStatus.refused


def test_approving_an_under_age_applicant_shows_the_failing_rule(
    client: TestClient, session: Session
) -> None:
    application = make_application(session, age=17)
    login_page(client, make_user(session, Role.clerk))
    page = client.get(f"/queue/{application.id}")
    response = client.post(
        f"/queue/{application.id}/decision",
        data={"csrf_token": csrf_from(page.text), "decision": "approve"},
    )
    assert response.status_code == 409
    assert "minimumleeftijd" in response.text
    session.refresh(application)
    assert application.status is ApplicationStatus.submitted


def test_history_shows_local_time(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    login_page(client, applicant)
    page = client.get(f"/applications/{application.id}")
    from app.web import local_time

    assert local_time(application.submitted_at) in page.text
