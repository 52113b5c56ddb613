from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth import service as auth_service
from app.auth.models import Role
from tests.factories import PASSWORD, csrf_from, login_page, make_user, token_for


def test_register_creates_an_unconfirmed_applicant_and_audits(
    client: TestClient, session: Session
) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "New@Example.org", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 202, response.text
    assert "password" not in response.text and "new@example.org" not in response.text
    user = auth_service.get_by_email(session=session, email="new@example.org")
    assert user is not None
    assert user.role == Role.applicant  # a role in the request is ignored
    assert not user.email_confirmed
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "account.create")).all()
    assert [e.object_id for e in events] == [str(user.id)]
    assert "password" not in str(events[0].after) and "hash" not in str(events[0].after)


def test_register_bad_email(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "no-at-sign", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]


def test_register_short_password(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "a@example.org", "password": "short"}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "password"]
    assert "at least 12 characters" in detail[0]["msg"]


def test_token_and_me(client: TestClient, session: Session) -> None:
    user = make_user(session)
    response = client.get("/api/v1/users/me", headers=token_for(client, user))
    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)


def test_api_without_token_is_401_json(client: TestClient) -> None:
    response = client.get("/api/v1/users/me")
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "not_authenticated"
    bad = client.get("/api/v1/users/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_wrong_password_is_401_and_rate_limited(client: TestClient, session: Session) -> None:
    user = make_user(session)
    codes = [
        client.post(
            "/api/v1/auth/token", data={"username": user.email, "password": "wrong password!"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401] * 5
    limited = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["detail"]["code"] == "too_many_attempts"
    assert int(limited.headers["Retry-After"]) >= 1


def test_unknown_email_gives_same_answer_as_wrong_password(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.org", "password": PASSWORD}
    )
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "invalid_credentials"


def test_applicant_cannot_read_another_applicant(client: TestClient, session: Session) -> None:
    alice = make_user(session)
    bob = make_user(session)
    headers = token_for(client, alice)
    assert client.get(f"/api/v1/users/{alice.id}", headers=headers).status_code == 200
    other = client.get(f"/api/v1/users/{bob.id}", headers=headers)
    assert other.status_code == 404
    assert other.json()["detail"]["code"] == "not_found"
    assert client.get("/api/v1/users", headers=headers).status_code == 403


def test_staff_read_of_a_person_is_audited(client: TestClient, session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    person = make_user(session)
    response = client.get(f"/api/v1/users/{person.id}", headers=token_for(client, clerk))
    assert response.status_code == 200
    reads = session.exec(select(AuditEvent).where(AuditEvent.action == "account.read")).all()
    assert [(r.actor_id, r.object_id) for r in reads] == [(clerk.id, str(person.id))]
    assert reads[0].request_id


def test_only_admin_creates_staff(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    clerk = make_user(session, Role.clerk)
    payload = {"email": "inspector@example.org", "password": PASSWORD, "role": "inspector"}
    denied = client.post("/api/v1/users", json=payload, headers=token_for(client, clerk))
    assert denied.status_code == 403
    created = client.post("/api/v1/users", json=payload, headers=token_for(client, admin))
    assert created.status_code == 201
    assert created.json()["role"] == "inspector"


def test_users_list_is_keyset_paginated(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin, email="a-admin@example.org")
    for i in range(3):
        make_user(session, Role.inspector, email=f"b{i}@example.org")
    make_user(session, email="applicant-never-listed@example.org")
    headers = token_for(client, admin)
    first = client.get("/api/v1/users?limit=2", headers=headers).json()
    second = client.get(f"/api/v1/users?limit=2&after={first[-1]['email']}", headers=headers).json()
    emails = [u["email"] for u in first + second]
    assert emails == sorted(emails)
    assert len(set(emails)) == 4
    # Applicants are never listed: who applied is visible only in their own file.
    third = client.get(f"/api/v1/users?limit=50&after={emails[-1]}", headers=headers).json()
    assert "applicant-never-listed@example.org" not in [u["email"] for u in third]


def test_registration_is_limited_per_client(client: TestClient) -> None:
    codes = [
        client.post(
            "/api/v1/auth/register", json={"email": f"r{i}@example.org", "password": PASSWORD}
        ).status_code
        for i in range(11)
    ]
    assert codes == [202] * 10 + [429]


def test_admin_switches_off_a_staff_account(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    clerk = make_user(session, Role.clerk)
    applicant = make_user(session)
    clerk_token = token_for(client, clerk)
    admin_token = token_for(client, admin)

    off = client.post(f"/api/v1/users/{clerk.id}/deactivate", headers=admin_token)
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    # The clerk's existing token stops working at once, and a new login is refused.
    assert client.get("/api/v1/users/me", headers=clerk_token).status_code == 401
    login = client.post("/api/v1/auth/token", data={"username": clerk.email, "password": PASSWORD})
    assert login.status_code == 401

    events = session.exec(select(AuditEvent).where(AuditEvent.action == "account.deactivate")).all()
    assert [(e.actor_id, e.object_id) for e in events] == [(admin.id, str(clerk.id))]

    assert (
        client.post(f"/api/v1/users/{admin.id}/deactivate", headers=admin_token).status_code == 409
    )
    # Applicants are not staff accounts: not listed, not switched off by admins.
    assert (
        client.post(f"/api/v1/users/{applicant.id}/deactivate", headers=admin_token).status_code
        == 404
    )
    on = client.post(f"/api/v1/users/{clerk.id}/activate", headers=admin_token)
    assert on.json()["is_active"] is True
    # Switched on again, the old token stays dead; with a new one the clerk may work, but
    # not switch accounts.
    assert client.get("/api/v1/users/me", headers=clerk_token).status_code == 401
    clerk_token = token_for(client, clerk)
    assert client.get("/api/v1/users/me", headers=clerk_token).status_code == 200
    assert (
        client.post(f"/api/v1/users/{admin.id}/deactivate", headers=clerk_token).status_code == 403
    )


def test_admin_changes_a_staff_role_audited_and_in_force_at_once(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    staff = make_user(session, Role.inspector)
    applicant = make_user(session)
    admin_token = token_for(client, admin)
    staff_token = token_for(client, staff)
    assert client.get("/api/v1/referrals", headers=staff_token).status_code == 403

    changed = client.post(
        f"/api/v1/users/{staff.id}/role", json={"role": "clerk"}, headers=admin_token
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "clerk"
    # The same token now has the clerk's rights (roles are read on every request).
    assert client.get("/api/v1/referrals", headers=staff_token).status_code == 200
    (event,) = session.exec(
        select(AuditEvent).where(AuditEvent.action == "account.role_change")
    ).all()
    assert (event.actor_id, event.object_id) == (admin.id, str(staff.id))
    assert (event.before or {})["role"] == "inspector" and (event.after or {})["role"] == "clerk"

    def _change(user_id: object, role: str, headers: dict[str, str]) -> int:
        url = f"/api/v1/users/{user_id}/role"
        return client.post(url, json={"role": role}, headers=headers).status_code

    assert _change(admin.id, "clerk", admin_token) == 409  # not one's own role
    assert _change(staff.id, "applicant", admin_token) == 422  # staff roles only
    assert _change(applicant.id, "clerk", admin_token) == 404  # applicants are not staff
    assert _change(staff.id, "admin", staff_token) == 403  # only admins
    assert _change(staff.id, "superuser", admin_token) == 422


def test_admin_changes_a_role_on_the_staff_page(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    staff = make_user(session, Role.clerk)
    login_page(client, admin)
    page = client.get("/admin/users")
    assert f'id="role-{staff.id}"' in page.text
    response = client.post(
        f"/admin/users/{staff.id}/role",
        data={"csrf_token": csrf_from(page.text), "role": "inspector"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    assert auth_service.get(session=session, user_id=staff.id).role == Role.inspector  # type: ignore[union-attr]
