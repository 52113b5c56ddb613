"""Extending the decision period once (Awb 4:14), with a reason the applicant can read."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select, update

from app.applications.models import Application
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.db import utcnow
from app.deadlines import due_date
from app.policy import service as policy_service
from tests.factories import make_application, make_user, token_for

API = "/api/v1/applications"


def _extend(
    client: TestClient, headers: dict[str, str], application_id: object, reason: str | None
):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/{application_id}/decision",
        json={"decision": "extend", "reason": reason},
        headers=headers,
    )


def test_extend_once_moves_the_deadline_and_tells_the_applicant(
    client: TestClient, session: Session
) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    due = application.decision_due
    assert due is not None
    clerk = token_for(client, make_user(session, Role.clerk))

    response = _extend(client, clerk, application.id, "We wachten op advies van de politie.")
    assert response.status_code == 200, response.text
    days = policy_service.load_configured().policy.decision.extension_days
    assert date.fromisoformat(response.json()["decision_due"]) == due_date(due, days)
    assert response.json()["status"] == "submitted"  # not a status change

    own = client.get(f"{API}/{application.id}", headers=token_for(client, applicant)).json()
    assert "advies van de politie" in own["history"][-1]["reason"]
    assert own["history"][-1]["by_role"] == "clerk"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "application.extend")).one()
    assert event.before == {"decision_due": due.isoformat()}

    again = _extend(client, clerk, application.id, "Nog een keer.")
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "already_extended"


def test_extension_needs_a_reason_and_an_open_period(client: TestClient, session: Session) -> None:
    application = make_application(session)
    clerk = token_for(client, make_user(session, Role.clerk))
    missing = _extend(client, clerk, application.id, None)
    assert missing.status_code == 422
    assert missing.json()["detail"]["code"] == "reason_required"

    session.execute(
        update(Application)
        .where(col(Application.id) == application.id)
        .values(decision_due=date.today() - timedelta(days=1))
    )
    session.commit()
    late = _extend(client, clerk, application.id, "Te laat.")
    assert late.status_code == 409
    assert late.json()["detail"]["code"] == "period_ended"


def test_applicant_cannot_extend(client: TestClient, session: Session) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant)
    response = _extend(client, token_for(client, applicant), application.id, "Graag.")
    assert response.status_code == 403


def test_a_running_information_request_keeps_the_period_open(
    client: TestClient, session: Session
) -> None:
    """Awb 4:15: while the applicant is asked for information the period stands still, so
    it can still be extended after its original end date."""
    application = make_application(session)
    session.execute(
        update(Application)
        .where(col(Application.id) == application.id)
        .values(
            status="information_requested",
            decision_due=date.today() - timedelta(days=2),
            paused_at=utcnow() - timedelta(days=10),
        )
    )
    session.commit()
    clerk = token_for(client, make_user(session, Role.clerk))
    response = _extend(client, clerk, application.id, "Advies van de GGD duurt langer.")
    assert response.status_code == 200, response.text
