"""Sessions that end: logging out, a new password, switching an account off and on, and an
admin's "end all sessions" each stop the cookies and bearer tokens they should, and only
those; every such change is in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import jwt
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User, UserSession
from app.config import get_settings
from app.db import utcnow
from tests.factories import PASSWORD, csrf_from, login_page, make_user, token_for

NEW_PASSWORD = "a completely different passphrase"


def _browser(app: FastAPI, address: str = "testclient") -> TestClient:
    return TestClient(app, client=(address, 50000))


def _signed_in(client: TestClient) -> bool:
    return client.get("/account/password", follow_redirects=False).status_code == 200


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/users/me", headers=headers).status_code


def _actions(session: Session, user: User) -> list[str]:
    return [
        e.action
        for e in session.exec(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(user.id))
            .order_by(AuditEvent.occurred_at)  # type: ignore[arg-type]
        ).all()
    ]


def _logout(client: TestClient) -> None:
    token = csrf_from(client.get("/home").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 200


def test_a_copied_cookie_stops_working_after_logout(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    user = make_user(session)
    login_page(client, user)
    copied = client.cookies.get("swl_session")
    assert copied
    other = _browser(app)
    login_page(other, user)  # the same account in a second browser
    headers = token_for(client, user)

    _logout(client)
    thief = _browser(app)
    thief.cookies.set("swl_session", copied)
    assert not _signed_in(thief)
    # Only that session ended: the other browser and the API token go on.
    assert _signed_in(other)
    assert _me(client, headers) == 200
    assert "session.end" in _actions(session, user)
    ended = session.exec(
        select(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    assert [row.kind for row in ended] == ["page"]


def test_a_new_password_ends_every_other_session_and_token(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.clerk)
    login_page(client, user)
    other = _browser(app)
    login_page(other, user)
    headers = token_for(other, user)

    page = client.get("/account/password")
    assert page.status_code == 200
    token = csrf_from(page.text)
    wrong = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": "not the password at all",
            "new_password": NEW_PASSWORD,
            "new_password_repeat": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
    mismatch = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_repeat": NEW_PASSWORD + "x",
        },
    )
    assert mismatch.status_code == 422
    assert _signed_in(other)  # nothing changed yet

    done = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_repeat": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _signed_in(client)  # this browser got a new session
    assert not _signed_in(other)
    assert _me(client, headers) == 401
    actions = _actions(session, user)
    assert "account.password_change" in actions and "session.end_all" in actions
    # The old password no longer logs in, the new one does.
    old = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert old.status_code == 401


def test_switching_off_and_on_does_not_revive_old_cookies_or_tokens(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    clerk = make_user(session, Role.clerk)
    admin_headers = token_for(client, admin)
    clerk_browser = _browser(app)
    login_page(clerk_browser, clerk)
    clerk_headers = token_for(clerk_browser, clerk)

    off = client.post(f"/api/v1/users/{clerk.id}/deactivate", headers=admin_headers)
    assert off.status_code == 200
    on = client.post(f"/api/v1/users/{clerk.id}/activate", headers=admin_headers)
    assert on.status_code == 200
    assert not _signed_in(clerk_browser)
    assert _me(client, clerk_headers) == 401
    # A new login works.
    login_page(clerk_browser, clerk)
    assert _signed_in(clerk_browser)
    assert _actions(session, clerk).count("session.end_all") == 2


def test_admin_ends_all_sessions_of_a_staff_member(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    admin = make_user(session, Role.admin)
    inspector = make_user(session, Role.inspector)
    applicant = make_user(session)
    staff_browser = _browser(app)
    login_page(staff_browser, inspector)
    staff_headers = token_for(staff_browser, inspector)

    login_page(client, admin)
    page = client.get("/admin/users")
    assert f'action="/admin/users/{inspector.id}/sessions/end"' in page.text
    token = csrf_from(page.text)
    assert client.post(f"/admin/users/{inspector.id}/sessions/end", data={}).status_code == 403
    assert _signed_in(staff_browser)
    done = client.post(
        f"/admin/users/{inspector.id}/sessions/end",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert not _signed_in(staff_browser)
    assert _me(client, staff_headers) == 401
    assert _signed_in(client)  # the admin's own session is untouched
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "session.end_all", AuditEvent.object_id == str(inspector.id)
        )
    ).one()
    assert event.actor_id == admin.id
    assert event.after is not None and event.after["reason"] == "ended_by_admin"
    # Applicants are not staff accounts: not ended from this page.
    refused = client.post(f"/admin/users/{applicant.id}/sessions/end", data={"csrf_token": token})
    assert refused.status_code == 404
    # And the API does the same for an admin's bearer token.
    login_page(staff_browser, inspector)
    admin_headers = token_for(client, admin)
    ended = client.post(f"/api/v1/users/{inspector.id}/sessions/end", headers=admin_headers)
    assert ended.status_code == 200
    assert not _signed_in(staff_browser)
    other = make_user(session, Role.clerk)
    assert (
        client.post(
            f"/api/v1/users/{inspector.id}/sessions/end", headers=token_for(client, other)
        ).status_code
        == 403
    )


def test_tokens_without_a_session_or_from_an_old_generation_are_refused(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    headers = token_for(client, user)
    claims = jwt.decode(
        headers["Authorization"].removeprefix("Bearer "),
        get_settings().secret_key,
        algorithms=["HS256"],
    )
    assert _me(client, headers) == 200
    secret = get_settings().secret_key
    # A token as made before sessions ended (no session id) is refused.
    legacy = jwt.encode(
        {"sub": claims["sub"], "exp": claims["exp"], "typ": "access"}, secret, algorithm="HS256"
    )
    assert _me(client, {"Authorization": f"Bearer {legacy}"}) == 401
    # A token naming its session but another generation is refused.
    forged = jwt.encode({**claims, "gen": claims["gen"] + 1}, secret, algorithm="HS256")
    assert _me(client, {"Authorization": f"Bearer {forged}"}) == 401


def test_a_page_session_older_than_its_lifetime_is_refused(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    login_page(client, user)
    assert _signed_in(client)
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    row.created_at = utcnow() - timedelta(seconds=get_settings().session_max_age_seconds + 60)
    session.add(row)
    session.commit()
    assert not _signed_in(client)
