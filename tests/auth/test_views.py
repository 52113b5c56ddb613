from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from tests.factories import PASSWORD, csrf_from, login_page, make_user


def _register(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/register").text)
    data = {"csrf_token": token, **fields}
    return client.post("/register", data=data, follow_redirects=False)


def test_register_page_rerenders_with_field_errors(client: TestClient) -> None:
    response = _register(client, email="not-an-email", password="short", password_repeat="short")
    assert response.status_code == 422
    assert 'value="not-an-email"' in response.text  # what was typed is kept
    assert "Vul een geldig e-mailadres in" in response.text
    assert "minstens 12 tekens" in response.text
    assert 'aria-invalid="true"' in response.text


def test_register_passwords_must_match(client: TestClient) -> None:
    response = _register(
        client, email="x@example.org", password=PASSWORD, password_repeat=PASSWORD + "x"
    )
    assert response.status_code == 422
    assert "niet hetzelfde" in response.text


def test_form_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/register")
    response = client.post(
        "/register",
        data={"email": "x@example.org", "password": PASSWORD, "password_repeat": PASSWORD},
    )
    assert response.status_code == 403
    assert "csrf_failed" in response.text


def test_register_answers_check_your_email_and_does_not_log_in(client: TestClient) -> None:
    response = _register(
        client, email="new@example.org", password=PASSWORD, password_repeat=PASSWORD
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/register?sent=1"
    assert "Kijk in uw e-mail" in client.get("/register?sent=1").text
    assert client.get("/home", follow_redirects=False).status_code == 303


def test_login_wrong_password_rerenders_and_limits(client: TestClient, session: Session) -> None:
    user = make_user(session)
    for _ in range(5):
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"email": user.email, "password": "wrong-password-x", "csrf_token": token},
        )
        assert response.status_code == 401
        assert "onjuist" in response.text
        assert f'value="{user.email}"' in response.text
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429


def test_home_requires_login(client: TestClient) -> None:
    response = client.get("/home", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/home"


def test_each_role_gets_its_home_page(client: TestClient, session: Session) -> None:
    expected = {
        Role.clerk: "Werkvoorraad",
        Role.inspector: "Uw geplande controles",
        Role.care_coordinator: "Signalen van mensenhandel",
        Role.admin: "Medewerkersaccounts",
    }
    for role, heading in expected.items():
        client.cookies.clear()
        login_page(client, make_user(session, role))
        assert heading in client.get("/home").text


def test_login_next_cannot_redirect_offsite(client: TestClient, session: Session) -> None:
    user = make_user(session)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/home"


def test_language_switch_to_english(client: TestClient) -> None:
    assert "Inloggen" in client.get("/login").text
    client.get("/lang/en?next=/login")
    page = client.get("/login")
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text and "Inloggen" not in page.text


def test_logout_needs_csrf_and_ends_session(client: TestClient, session: Session) -> None:
    login_page(client, make_user(session))
    home = client.get("/home")
    assert client.post("/logout", data={}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert client.get("/home", follow_redirects=False).status_code == 303


def test_admin_creates_staff_account_on_page(client: TestClient, session: Session) -> None:
    login_page(client, make_user(session, Role.admin))
    page = client.get("/admin/users")
    token = csrf_from(page.text)
    bad = client.post(
        "/admin/users",
        data={"email": "x", "password": "short", "role": "clerk", "csrf_token": token},
    )
    assert bad.status_code == 422
    ok = client.post(
        "/admin/users",
        data={
            "email": "clerk9@example.org",
            "password": PASSWORD,
            "role": "clerk",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 200
    assert "clerk9@example.org" in ok.text


def test_applicant_cannot_open_admin_page(client: TestClient, session: Session) -> None:
    login_page(client, make_user(session))
    assert client.get("/admin/users").status_code == 403
