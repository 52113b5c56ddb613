"""Control characters and lone surrogates are refused at one place for every text a
request carries (API JSON and forms, page forms, the query and the path), anonymously
too, with 422 `control_characters`: never stored, never a 500 (PostgreSQL refuses NUL)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.models import User
from app.nuisance.models import NuisanceReport
from tests.factories import csrf_from, login_page, make_user, token_for

BAD = ["a\x00b", "a\x1bb", "a\x85b", "a\udc80b"]


@pytest.mark.parametrize("bad", ["a\x00b@example.org", "a\x1bb@example.org", "a\x85b"])
def test_anonymous_login_with_a_control_character_is_a_422(client: TestClient, bad: str) -> None:
    response = client.post("/api/v1/auth/token", data={"username": bad, "password": "x"})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "control_characters"


@pytest.mark.parametrize("bad", BAD)
def test_json_bodies_are_checked_everywhere(client: TestClient, session: Session, bad: str) -> None:
    report = {
        "postcode": "5038 AB",
        "house_number": "12",
        "category": "noise",
        "observed_on": "2026-11-20",
        "description": f"Harde muziek {bad}",
    }
    response = client.post(
        "/api/v1/nuisance-reports",
        content=json.dumps(report),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "control_characters"
    assert session.exec(select(NuisanceReport)).all() == []


def test_query_and_path_are_checked(client: TestClient, session: Session) -> None:
    user = make_user(session)
    headers = token_for(client, user)
    assert (
        client.get("/api/v1/home-work-registrations?cursor=a%00b", headers=headers).status_code
        == 422
    )
    assert client.get("/verify/SW-%00").status_code == 422


def test_page_forms_are_checked(client: TestClient, session: Session) -> None:
    user: User = make_user(session)
    login_page(client, user)
    token = csrf_from(client.get("/applications/new").text)
    response = client.post(
        "/applications/new",
        data={"csrf_token": token, "permit_type": "sex_worker", "working_name": "Ro\x00os"},
    )
    assert response.status_code == 422
    assert "control" in response.text.lower() or "stuurtekens" in response.text
