"""Registration and login tell nobody which addresses have an account: the answers are the
same for a new address, an address with a confirmed account and one with an unconfirmed
account; only the mailbox learns which (a confirmation link, or a note that an account
exists). An unconfirmed account logs in like a wrong password, until its link is opened.
The timing of the cases is compared in `bench/enumeration.py`, not here."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, select, update

from app.audit.models import AuditEvent
from app.auth import registration
from app.auth import service as auth_service
from app.auth.models import AccountToken, UserRegister
from app.auth.ratelimit import Throttle
from app.db import utcnow
from app.mail.models import OutboxMessage
from tests.factories import PASSWORD, csrf_from, make_user

OTHER_PASSWORD = "somebody else's password"


def _register_page(client: TestClient, email: str, password: str = PASSWORD) -> tuple[int, str]:
    token = csrf_from(client.get("/register").text)
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "email": email,
            "password": password,
            "password_repeat": password,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    return response.status_code, _without_tokens(page.text, token=token)


def _without_tokens(html: str, *, token: str) -> str:
    fresh = csrf_from(html) if 'name="csrf_token"' in html else ""
    return html.replace(token, "CSRF").replace(fresh, "CSRF") if fresh else html


def _login_page(client: TestClient, email: str, password: str) -> tuple[int, str]:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        follow_redirects=False,
    )
    return response.status_code, response.text.replace(token, "CSRF")


def _mail(session: Session, email: str) -> list[OutboxMessage]:
    session.expire_all()
    user = auth_service.get_by_email(session=session, email=email)
    assert user is not None
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.to_user_id == user.id)
            .order_by(OutboxMessage.created_at)  # type: ignore[arg-type]
        ).all()
    )


def _token(message: OutboxMessage) -> str:
    return parse_qs(urlsplit(str(message.values["link"])).query)["token"][0]


def test_registration_answers_the_same_for_new_confirmed_and_unconfirmed_addresses(
    client: TestClient, session: Session
) -> None:
    make_user(session, email="known@example.org")
    new = _register_page(client, "new@example.org")
    known = _register_page(client, "known@example.org")
    unconfirmed = _register_page(client, "new@example.org", OTHER_PASSWORD)
    assert new == known == unconfirmed
    assert "Kijk in uw e-mail om verder te gaan" in new[1]

    # Only the mailbox tells the cases apart: one message each time.
    assert [m.kind for m in _mail(session, "known@example.org")] == ["already_registered"]
    assert [m.kind for m in _mail(session, "new@example.org")] == [
        "confirm_address",
        "confirm_address",
    ]
    assert "/password/forgot" in str(_mail(session, "known@example.org")[0].values["link"])


def test_the_api_answers_the_same_for_a_new_and_a_known_address(
    client: TestClient, session: Session
) -> None:
    make_user(session, email="known@example.org")
    new = client.post(
        "/api/v1/auth/register", json={"email": "n@example.org", "password": PASSWORD}
    )
    known = client.post(
        "/api/v1/auth/register", json={"email": "KNOWN@example.org", "password": PASSWORD}
    )
    assert (new.status_code, new.json()) == (known.status_code, known.json())
    assert new.status_code == 202
    assert new.json()["status"] == "check_email"


def test_login_answers_the_same_for_unknown_wrong_and_unconfirmed(
    client: TestClient, session: Session
) -> None:
    make_user(session, email="known@example.org")
    _register_page(client, "waiting@example.org")
    unknown = _login_page(client, "nobody@example.org", PASSWORD)
    wrong = _login_page(client, "known@example.org", PASSWORD + "x")
    unconfirmed = _login_page(client, "waiting@example.org", PASSWORD)

    def _normalised(answer: tuple[int, str], email: str) -> tuple[int, str]:
        return answer[0], answer[1].replace(email, "EMAIL")

    assert (
        _normalised(unknown, "nobody@example.org")
        == _normalised(wrong, "known@example.org")
        == _normalised(unconfirmed, "waiting@example.org")
    )
    assert unknown[0] == 401
    api = [
        client.post("/api/v1/auth/token", data={"username": email, "password": password})
        for email, password in (
            ("nobody@example.org", PASSWORD),
            ("known@example.org", PASSWORD + "x"),
            ("waiting@example.org", PASSWORD),
        )
    ]
    assert {(r.status_code, r.text) for r in api} == {(api[0].status_code, api[0].text)}


def test_the_confirmation_link_logs_in_once_with_the_password_of_its_registration(
    client: TestClient, session: Session
) -> None:
    # Someone else registers the address first; the owner registers afterwards. Each link
    # activates the password of its own registration: the owner's link, the owner's.
    _register_page(client, "owner@example.org", OTHER_PASSWORD)
    _register_page(client, "owner@example.org", PASSWORD)
    first, second = _mail(session, "owner@example.org")

    page = client.get(f"/register/confirm?token={_token(second)}")
    assert page.status_code == 200
    assert "Mijn adres bevestigen" in page.text
    # Opening the page (as a mail program does to scan links) spends nothing.
    response = client.post(
        "/register/confirm",
        data={"csrf_token": csrf_from(page.text), "token": _token(second)},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/home")
    assert "Mijn aanvragen" in client.get("/home").text

    # The earlier link stopped working when the second was sent, and a link works once.
    for token in (_token(first), _token(second)):
        again = client.post(
            "/register/confirm",
            data={"csrf_token": csrf_from(client.get("/register/confirm").text), "token": token},
        )
        assert again.status_code == 422
        assert "werkt niet" in again.text or "niet meer geldig" in again.text

    client.cookies.clear()
    assert _login_page(client, "owner@example.org", OTHER_PASSWORD)[0] == 401
    assert _login_page(client, "owner@example.org", PASSWORD)[0] == 303
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "account.confirm")).all()
    assert len(events) == 1


def test_an_expired_confirmation_link_is_refused(client: TestClient, session: Session) -> None:
    client.post("/api/v1/auth/register", json={"email": "late@example.org", "password": PASSWORD})
    (message,) = _mail(session, "late@example.org")
    session.exec(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))  # type: ignore[call-overload]
    session.commit()
    response = client.post("/api/v1/auth/confirm", json={"token": _token(message)})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "link_invalid"
    ok = client.post(
        "/api/v1/auth/token", data={"username": "late@example.org", "password": PASSWORD}
    )
    assert ok.status_code == 401


def test_the_api_confirms_and_then_the_account_logs_in(
    client: TestClient, session: Session
) -> None:
    client.post("/api/v1/auth/register", json={"email": "api@example.org", "password": PASSWORD})
    (message,) = _mail(session, "api@example.org")
    confirmed = client.post("/api/v1/auth/confirm", json={"token": _token(message)})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["role"] == "applicant"
    token = client.post(
        "/api/v1/auth/token", data={"username": "api@example.org", "password": PASSWORD}
    )
    assert token.status_code == 200
    # Nonsense tokens are a plain 422, never a 500.
    for bad in ("", "x" * 101, "\u00e9\u00e9"):
        answer = client.post("/api/v1/auth/confirm", json={"token": bad})
        assert answer.status_code == 422


def test_mail_to_one_address_is_limited_silently(session: Session) -> None:
    # From many client addresses at once, one mailbox still gets a bounded number of mails.
    throttle = Throttle(per_hour=3)
    for i in range(6):
        registration.register(
            session=session,
            data=UserRegister(email="flood@example.org", password=PASSWORD),
            throttle=throttle,
            client=f"192.0.2.{i}",
        )
    session.commit()
    assert len(_mail(session, "flood@example.org")) == 3


def test_a_reset_link_also_confirms_the_address(client: TestClient, session: Session) -> None:
    client.post("/api/v1/auth/register", json={"email": "forgot@example.org", "password": PASSWORD})
    token = csrf_from(client.get("/password/forgot").text)
    client.post("/password/forgot", data={"csrf_token": token, "email": "forgot@example.org"})
    (reset,) = [m for m in _mail(session, "forgot@example.org") if m.kind == "password_reset"]
    page = client.get(f"/password/reset?token={_token(reset)}")
    client.post(
        "/password/reset",
        data={
            "csrf_token": csrf_from(page.text),
            "token": _token(reset),
            "password": OTHER_PASSWORD,
            "password_repeat": OTHER_PASSWORD,
        },
    )
    assert _login_page(client, "forgot@example.org", OTHER_PASSWORD)[0] == 303
