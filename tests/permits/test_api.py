"""Permits through the JSON API: reading, suspend / reinstate / revoke, expiry, renewal."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col

from app.audit import service as audit
from app.auth.models import Role, User
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy.evaluate import add_months
from tests.factories import LEGAL_NAME, PDF_BYTES, make_user, token_for

API = "/api/v1/permits"


def _today() -> date:
    """The day the service counts in (the municipality's local date)."""
    return permits_service.today()


def _set_valid_until(session: Session, permit: Permit, valid_until: date) -> None:
    session.execute(
        update(Permit).where(col(Permit.id) == permit.id).values(valid_until=valid_until)
    )
    session.commit()
    session.expire_all()


def _act(client: TestClient, user: User, number: str, action: str, reason: str = "Inspection"):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/{number}/{action}", json={"reason": reason}, headers=token_for(client, user)
    )


def test_holder_reads_own_permit_by_any_spelling(
    client: TestClient, holder: User, permit: Permit
) -> None:
    me = token_for(client, holder)
    for spelling in (permit.number, permit.number.lower(), permit.number.replace("-", "")):
        response = client.get(f"{API}/{spelling}", headers=me)
        assert response.status_code == 200, spelling
        body = response.json()
        assert body["number"] == permit.number
        assert body["working_name"] == "Roos"
        assert body["state"] == "active"
        assert LEGAL_NAME not in response.text
    assert client.get(f"{API}/SW-0000-0000-0000", headers=me).status_code == 404
    assert client.get(f"{API}/garbage", headers=me).status_code == 404


def test_suspend_reinstate_revoke(
    client: TestClient, session: Session, clerk: User, holder: User, permit: Permit
) -> None:
    suspended = _act(client, clerk, permit.number, "suspend", "Nuisance under investigation")
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["state"] == "suspended"
    assert suspended.json()["status_reason"] == "Nuisance under investigation"

    again = _act(client, clerk, permit.number, "suspend")
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "illegal_transition"
    assert again.json()["detail"]["current_status"] == "suspended"

    reinstated = _act(client, clerk, permit.number, "reinstate", "No nuisance found")
    assert reinstated.status_code == 200
    assert reinstated.json()["status"] == "active"
    not_suspended = _act(client, clerk, permit.number, "reinstate")
    assert not_suspended.status_code == 409
    assert not_suspended.json()["detail"]["current_status"] == "active"

    revoked = _act(client, clerk, permit.number, "revoke", "Conditions broken repeatedly")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    for action in ("suspend", "reinstate", "revoke"):
        response = _act(client, clerk, permit.number, action)
        assert response.status_code == 409, action
        assert response.json()["detail"]["current_status"] == "revoked"

    # The holder sees the state and reason.
    mine = client.get(f"{API}/{permit.number}", headers=token_for(client, holder)).json()
    assert (mine["state"], mine["status_reason"]) == ("revoked", "Conditions broken repeatedly")

    actions = [
        e.action for e in audit.list_for_object(session, object_type="permit", object_id=permit.id)
    ]
    # Refused attempts change nothing and write nothing; the holder's own read is not audited.
    assert actions == ["permit.issue", "permit.suspend", "permit.reinstate", "permit.revoke"]
    assert audit.verify_chain(session).ok


def test_a_suspended_permit_can_be_revoked(client: TestClient, clerk: User, permit: Permit) -> None:
    assert _act(client, clerk, permit.number, "suspend").status_code == 200
    revoked = _act(client, clerk, permit.number, "revoke")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"


def test_a_reason_is_required(client: TestClient, clerk: User, permit: Permit) -> None:
    headers = token_for(client, clerk)
    for payload in ({}, {"reason": ""}, {"reason": "no"}):
        response = client.post(f"{API}/{permit.number}/suspend", json=payload, headers=headers)
        assert response.status_code == 422, payload
    assert client.get(f"{API}/{permit.number}", headers=headers).json()["status"] == "active"


def test_only_clerks_change_permits(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    for user in (holder, make_user(session, Role.inspector), make_user(session, Role.admin)):
        response = _act(client, user, permit.number, "suspend")
        assert response.status_code == 403, user.role


def test_expired_by_date(
    client: TestClient, session: Session, clerk: User, holder: User, permit: Permit
) -> None:
    _set_valid_until(session, permit, _today() - timedelta(days=1))
    body = client.get(f"{API}/{permit.number}", headers=token_for(client, holder)).json()
    assert (body["status"], body["state"]) == ("active", "expired")
    for action in ("suspend", "reinstate", "revoke"):
        response = _act(client, clerk, permit.number, action)
        assert response.status_code == 409
        assert response.json()["detail"]["current_status"] == "expired"
    renewal = client.post(f"{API}/{permit.number}/renewal", headers=token_for(client, holder))
    assert renewal.status_code == 409
    assert renewal.json()["detail"]["code"] == "not_renewable"


def test_last_day_is_still_valid(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    _set_valid_until(session, permit, _today())
    body = client.get(f"{API}/{permit.number}", headers=token_for(client, holder)).json()
    assert body["state"] == "active"


def test_suspended_permit_expires_by_date_too(
    client: TestClient, session: Session, clerk: User, holder: User, permit: Permit
) -> None:
    assert _act(client, clerk, permit.number, "suspend").status_code == 200
    _set_valid_until(session, permit, _today() - timedelta(days=1))
    body = client.get(f"{API}/{permit.number}", headers=token_for(client, holder)).json()
    assert body["state"] == "expired"
    assert _act(client, clerk, permit.number, "reinstate").status_code == 409


# ---- renewal --------------------------------------------------------------------------------


def test_renewal_too_early_says_when_it_opens(
    client: TestClient, holder: User, permit: Permit
) -> None:
    response = client.post(f"{API}/{permit.number}/renewal", headers=token_for(client, holder))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "renewal_not_open"
    # Tilburg: renewal_window_days = 90.
    assert date.fromisoformat(detail["opens_on"]) == permit.valid_until - timedelta(days=90)


def test_renewal_window_boundary(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    me = token_for(client, holder)
    _set_valid_until(session, permit, _today() + timedelta(days=91))
    assert client.post(f"{API}/{permit.number}/renewal", headers=me).status_code == 409
    _set_valid_until(session, permit, _today() + timedelta(days=90))
    assert client.post(f"{API}/{permit.number}/renewal", headers=me).status_code == 201


def test_renewal_inside_the_window_is_a_prefilled_draft(
    client: TestClient, session: Session, holder: User, clerk: User, permit: Permit
) -> None:
    me = token_for(client, holder)
    _set_valid_until(session, permit, _today() + timedelta(days=30))
    response = client.post(f"{API}/{permit.number}/renewal", headers=me)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["status"] == "draft"
    assert draft["renewal_of_id"] == str(permit.id)
    assert draft["permit_type"] == "sex_worker"
    assert draft["working_name"] == "Roos"
    assert draft["details"]["legal_name"].startswith(LEGAL_NAME)
    assert draft["details"]["working_name"] == "Roos"
    assert draft["missing_fields"] == []
    assert draft["missing_documents"] == ["identity_document"]

    second = client.post(f"{API}/{permit.number}/renewal", headers=me)
    assert second.status_code == 409
    assert second.json()["detail"]["code"] == "renewal_exists"
    assert second.json()["detail"]["application_id"] == draft["id"]

    # Complete and approve: the new permit starts the day after the old one ends.
    upload = client.post(
        f"/api/v1/applications/{draft['id']}/documents",
        data={"kind": "identity_document"},
        files={"file": ("id.pdf", PDF_BYTES, "application/pdf")},
        headers=me,
    )
    assert upload.status_code == 201
    submitted = client.post(f"/api/v1/applications/{draft['id']}/submit", headers=me)
    assert submitted.status_code == 200, submitted.text
    cap = next(c for c in submitted.json()["checks"] if c["rule_id"] == "cap.permit_type")
    assert cap["details"]["is_renewal"] is True
    approved = client.post(
        f"/api/v1/applications/{draft['id']}/decision",
        json={"decision": "approve"},
        headers=token_for(client, clerk),
    )
    assert approved.status_code == 200, approved.text
    new_number = approved.json()["permit_number"]
    assert new_number != permit.number
    renewed = client.get(f"{API}/{new_number}", headers=me).json()
    old_end = _today() + timedelta(days=30)
    assert renewed["renewal_of_id"] == str(permit.id)
    assert date.fromisoformat(renewed["valid_from"]) == old_end + timedelta(days=1)
    assert date.fromisoformat(renewed["valid_until"]) == add_months(
        old_end + timedelta(days=1), 24
    ) - timedelta(days=1)

    # Once renewed, the old permit cannot be renewed again.
    third = client.post(f"{API}/{permit.number}/renewal", headers=me)
    assert third.status_code == 409
    assert third.json()["detail"]["code"] == "renewal_exists"


def test_renewal_after_withdrawn_renewal_is_allowed(
    client: TestClient, session: Session, holder: User, permit: Permit
) -> None:
    me = token_for(client, holder)
    _set_valid_until(session, permit, _today() + timedelta(days=10))
    first = client.post(f"{API}/{permit.number}/renewal", headers=me).json()
    assert client.post(f"/api/v1/applications/{first['id']}/withdraw", headers=me).is_success
    again = client.post(f"{API}/{permit.number}/renewal", headers=me)
    assert again.status_code == 201


def test_suspended_permit_cannot_be_renewed(
    client: TestClient, session: Session, holder: User, clerk: User, permit: Permit
) -> None:
    _set_valid_until(session, permit, _today() + timedelta(days=10))
    assert _act(client, clerk, permit.number, "suspend").status_code == 200
    response = client.post(f"{API}/{permit.number}/renewal", headers=token_for(client, holder))
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "not_renewable"
    assert response.json()["detail"]["current_status"] == "suspended"
