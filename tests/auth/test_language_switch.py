"""The language switch changes a saved account setting only by a POST form with the
session's CSRF token; the GET link changes nothing for a logged-in account."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import csrf_from, login_page, make_user


def test_saving_the_language_needs_a_post_with_csrf(client: TestClient, session: Session) -> None:
    user = make_user(session)
    login_page(client, user)
    assert user.language == "nl"
    page = client.get("/home")
    assert 'action="/lang"' in page.text and 'href="/lang/' not in page.text

    # A link or a form from another site changes nothing.
    client.get("/lang/en?next=/home")
    session.refresh(user)
    assert user.language == "nl"
    assert client.post("/lang", data={"code": "en", "next": "/home"}).status_code == 403
    session.refresh(user)
    assert user.language == "nl"

    answer = client.post(
        "/lang",
        data={"code": "en", "next": "/home", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/home"
    session.refresh(user)
    assert user.language == "en"
    assert '<html lang="en">' in client.get("/home").text


def test_the_post_refuses_an_unknown_language_and_an_offsite_next(client: TestClient) -> None:
    token = csrf_from(client.get("/login").text)
    assert client.post("/lang", data={"code": "xx", "csrf_token": token}).status_code == 404
    answer = client.post(
        "/lang",
        data={"code": "en", "next": "//evil.example", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"
