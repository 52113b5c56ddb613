"""A forgotten password: the same answer whether or not the address has an account; a
one-time, expiring link by e-mail (stored only as a hash); the new password ends every
other session and token of the account; an admin can send a staff member a link."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, select, update

from app.auth.models import AccountToken, Role
from app.db import utcnow
from app.mail.models import OutboxMessage
from tests.factories import PASSWORD, csrf_from, login_page, make_user, token_for

NEW_PASSWORD = "a brand new password 2026"


def _ask(client: TestClient, email: str) -> str:
    token = csrf_from(client.get("/password/forgot").text)
    response = client.post(
        "/password/forgot", data={"csrf_token": token, "email": email}, follow_redirects=False
    )
    assert response.status_code == 303
    return str(client.get(response.headers["location"]).text)


def _link(session: Session) -> str:
    session.expire_all()
    messages = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
    ).all()
    assert len(messages) == 1
    return str(messages[0].values["link"])


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    known = _ask(client, user.email)
    unknown = _ask(client, "nobody-here@example.org")
    assert known.replace(user.email, "") == unknown.replace("nobody-here@example.org", "")
    assert len(session.exec(select(OutboxMessage)).all()) == 1  # only the real account
    stored = session.exec(select(AccountToken)).one()
    assert stored.token_hash not in _link(session)  # the link's token is not what is stored


def test_a_reset_link_sets_a_new_password_once_and_ends_other_sessions(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    other = TestClient(client.app)
    login_page(other, user)
    old_token = token_for(other, user)
    assert other.get("/home").status_code == 200
    _ask(client, user.email)
    raw = parse_qs(urlsplit(_link(session)).query)["token"][0]
    page = client.get(f"/password/reset?token={raw}")
    form = {"csrf_token": csrf_from(page.text), "token": raw}
    mismatch = client.post(
        "/password/reset", data={**form, "password": NEW_PASSWORD, "password_repeat": "x"}
    )
    assert mismatch.status_code == 422
    done = client.post(
        "/password/reset",
        data={**form, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    # The old browser session and the old token are gone; the new password works.
    assert other.get("/home", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/users/me", headers=old_token).status_code == 401
    login = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 200
    old = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert old.status_code == 401
    # Used once.
    fresh = csrf_from(client.get(f"/password/reset?token={raw}").text)
    another = "yet another password 1"
    again = client.post(
        "/password/reset",
        data={**form, "csrf_token": fresh, "password": another, "password_repeat": another},
    )
    assert again.status_code == 422


def test_an_expired_link_is_refused(client: TestClient, session: Session) -> None:
    user = make_user(session)
    _ask(client, user.email)
    raw = parse_qs(urlsplit(_link(session)).query)["token"][0]
    session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    page = client.get(f"/password/reset?token={raw}")
    response = client.post(
        "/password/reset",
        data={
            "csrf_token": csrf_from(page.text),
            "token": raw,
            "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422


def test_an_admin_sends_a_staff_member_a_reset(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.admin)
    clerk = make_user(session, Role.clerk)
    login_page(client, admin)
    token = csrf_from(client.get("/admin/users").text)
    response = client.post(
        f"/admin/users/{clerk.id}/password-reset",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    message = session.exec(select(OutboxMessage)).one()
    assert message.kind == "password_reset" and message.to_user_id == clerk.id
