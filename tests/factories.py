"""Builders for test objects, going through the real services."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import service as auth_service
from app.auth.models import Role, User, UserCreate

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(session: Session, role: Role = Role.applicant, email: str | None = None) -> User:
    email = email or f"{role.value}{next(_counter)}@example.org"
    return auth_service.create(
        session=session, data=UserCreate(email=email, password=PASSWORD, role=role), actor=None
    )


def token_for(client: TestClient, user: User) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def login_page(client: TestClient, user: User) -> None:
    """Log in through the HTML form (session cookie + CSRF)."""
    page = client.get("/login")
    token = csrf_from(page.text)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/home"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
