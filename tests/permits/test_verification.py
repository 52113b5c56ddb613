"""Public verification of a permit number (the page behind the QR code and its JSON twin):
status, type, working name and dates only; malformed numbers answered before any database
look-up; rate-limited per client; Dutch and English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, update
from sqlmodel import Session, col, select

from app.auth.models import User
from app.config import get_settings
from app.deps import get_session
from app.main import create_app
from app.permits import numbers
from app.permits import service as permits_service
from app.permits.models import Permit
from tests.factories import LEGAL_NAME, application_data, token_for

JSON_API = "/api/v1/public/permits"
ALLOWED_KEYS = {
    "number",
    "status",
    "permit_type",
    "permit_type_label_nl",
    "permit_type_label_en",
    "working_name",
    "valid_from",
    "valid_until",
    "status_since",
    "checked_at",
}
STATUS_WORDS = {
    "valid": ("Geldig", "Valid"),
    "suspended": ("Geschorst", "Suspended"),
    "revoked": ("Ingetrokken", "Revoked"),
    "expired": ("Verlopen", "Expired"),
    "unknown": ("Onbekend", "Unknown"),
}


def _today() -> date:
    """The day the service counts in (the municipality's local date)."""
    return permits_service.today()


def _act(client: TestClient, clerk: User, number: str, action: str) -> None:
    response = client.post(
        f"/api/v1/permits/{number}/{action}",
        json={"reason": "Besluit van de burgemeester"},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text


def _expire(session: Session, permit: Permit) -> None:
    session.execute(
        update(Permit)
        .where(col(Permit.id) == permit.id)
        .values(valid_from=_today() - timedelta(days=800), valid_until=_today() - timedelta(days=1))
    )
    session.commit()
    session.expire_all()


def _unknown_number(session: Session) -> str:
    """A well-formed number (correct check symbol) that no permit has."""
    while True:
        number = numbers.generate()
        assert numbers.normalise(number) == number
        if session.exec(select(Permit).where(Permit.number == number)).first() is None:
            return number


def _private_values(permit: Permit, holder: User) -> list[str]:
    data = application_data()
    return [
        LEGAL_NAME,
        data["email"],
        holder.email,
        data["birth_date"],
        str(holder.id),
        str(permit.id),
        str(permit.application_id),
        str(permit.holder_id),
        str(permit.policy_version_id),
        permit.status_reason or "Besluit van de burgemeester",
    ]


def _verify_json(client: TestClient, number: str) -> dict[str, Any]:
    response = client.get(f"{JSON_API}/{number}")
    assert response.status_code == 200, response.text
    body = dict(response.json())
    assert set(body) == ALLOWED_KEYS
    return body


# ---- each status, in JSON and HTML --------------------------------------------------------


@pytest.mark.parametrize("state", ["valid", "suspended", "revoked", "expired"])
def test_verification_of_an_issued_permit(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    permit: Permit,
    state: str,
) -> None:
    if state == "suspended":
        _act(client, clerk, permit.number, "suspend")
    elif state == "revoked":
        _act(client, clerk, permit.number, "revoke")
    elif state == "expired":
        _expire(session, permit)
    session.refresh(permit)

    body = _verify_json(client, permit.number)
    assert body == {
        "number": permit.number,
        "status": state,
        "permit_type": "sex_worker",
        "permit_type_label_nl": "Vergunning sekswerker",
        "permit_type_label_en": "Sex worker permit",
        "working_name": "Roos",
        "valid_from": permit.valid_from.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
        # A suspension or revocation says since when; the end date alone would mislead.
        "status_since": _today().isoformat() if state in ("suspended", "revoked") else None,
        "checked_at": _today().isoformat(),
    }

    page = client.get(f"/verify/{permit.number}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'id="verify-status">{STATUS_WORDS[state][0]}<' in page.text.replace("\n", "")
    assert f"verify-{state}" in page.text
    assert "Roos" in page.text
    assert "Vergunning sekswerker" in page.text
    assert permit.valid_until.strftime("%d-%m-%Y") in page.text

    for secret in _private_values(permit, holder):
        assert secret not in page.text, secret
        assert secret not in str(body), secret


def test_verification_accepts_any_spelling_of_the_number(
    client: TestClient, permit: Permit
) -> None:
    for spelling in (permit.number.lower(), permit.number.replace("-", ""), f" {permit.number} "):
        body = _verify_json(client, spelling)
        assert body["number"] == permit.number
        assert body["status"] == "valid"


def test_suspended_permit_that_has_expired_is_expired(
    client: TestClient, session: Session, clerk: User, permit: Permit
) -> None:
    _act(client, clerk, permit.number, "suspend")
    _expire(session, permit)
    assert _verify_json(client, permit.number)["status"] == "expired"


def test_unknown_number(client: TestClient, session: Session, permit: Permit) -> None:
    number = _unknown_number(session)
    body = _verify_json(client, number)
    assert body["status"] == "unknown"
    assert body["number"] == number
    assert {k for k, v in body.items() if v is not None} == {"number", "status", "checked_at"}

    page = client.get(f"/verify/{number}")
    assert page.status_code == 200
    assert 'id="verify-status">Onbekend<' in page.text.replace("\n", "")
    assert "Roos" not in page.text


def test_verification_json_answers_the_same_shape_for_every_status(
    client: TestClient, session: Session, permit: Permit
) -> None:
    known = _verify_json(client, permit.number)
    unknown = _verify_json(client, _unknown_number(session))
    assert set(known) == set(unknown) == ALLOWED_KEYS


def test_verification_page_in_dutch_and_english(client: TestClient, permit: Permit) -> None:
    dutch = client.get(f"/verify/{permit.number}")
    assert '<html lang="nl"' in dutch.text
    assert "Vergunning controleren" in dutch.text
    assert "Naam op de vergunning" in dutch.text
    assert "Vergunning sekswerker" in dutch.text
    assert "Sex worker permit" not in dutch.text

    client.cookies.set("lang", "en")
    english = client.get(f"/verify/{permit.number}")
    assert '<html lang="en"' in english.text
    assert "Check a permit" in english.text
    assert "Name on the permit" in english.text
    assert 'id="verify-status">Valid<' in english.text.replace("\n", "")
    assert "Sex worker permit" in english.text
    assert "Vergunning sekswerker" not in english.text
    assert "Roos" in english.text


def test_the_form_redirects_to_the_result(client: TestClient, permit: Permit) -> None:
    response = client.get("/verify", params={"number": permit.number}, follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == f"/verify/{permit.number}"
    assert client.get("/verify").status_code == 200


# ---- malformed numbers: rejected before any database look-up ------------------------------


class _NoDatabase:
    """A session that fails the test the moment anything touches it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the database was used: session.{name}")


def _no_database() -> Iterator[_NoDatabase]:
    yield _NoDatabase()


def _malformed(permit_number: str) -> list[str]:
    body = permit_number.replace("-", "")[2:]
    wrong_check = body[:-1] + next(c for c in numbers.ALPHABET if c != body[-1])
    return [
        f"SW-{wrong_check[:4]}-{wrong_check[4:8]}-{wrong_check[8:]}",  # bad check symbol
        "SW-0000-0000-0001",
        "garbage",
        "SW-1234",
        "1' OR '1'='1",
        "SW-" + "A" * 40,
    ]


def test_malformed_number_is_400_without_touching_the_database(
    app: FastAPI, client: TestClient, permit: Permit
) -> None:
    app.dependency_overrides[get_session] = _no_database
    for number in _malformed(permit.number):
        assert numbers.normalise(number) is None, number
        response = client.get(f"{JSON_API}/{number}")
        assert response.status_code == 400, (number, response.text)
        assert response.json()["detail"]["code"] == "malformed_number"

        page = client.get(f"/verify/{number}")
        assert page.status_code == 400, number
        assert "Controleer het op typefouten" in page.text or "typefout" in page.text


def test_malformed_number_runs_no_sql(
    client: TestClient, session: Session, engine: Engine, permit: Permit
) -> None:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    bad = _malformed(permit.number)[0]
    session.commit()  # the fixture's own reads end here, before the counting starts
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"{JSON_API}/{bad}").status_code == 400
        assert client.get(f"/verify/{bad}").status_code == 400
        assert statements == []
        # The well-formed number does look the permit up (the counter works).
        assert client.get(f"{JSON_API}/{permit.number}").status_code == 200
        assert any("permit" in s.lower() for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)


# ---- rate limit per client ----------------------------------------------------------------


@pytest.fixture
def limited_app(session: Session, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.setattr(get_settings(), "verify_requests_per_minute", 3)
    application = create_app()
    application.dependency_overrides[get_session] = lambda: session
    return application


def test_verification_is_rate_limited_per_client(
    limited_app: FastAPI, session: Session, permit: Permit
) -> None:
    assert get_settings().verify_requests_per_minute == 3
    with TestClient(limited_app, client=("198.51.100.7", 40000)) as first:
        for _ in range(3):
            assert first.get(f"{JSON_API}/{permit.number}").status_code == 200
        refused = first.get(f"{JSON_API}/{permit.number}")
        assert refused.status_code == 429
        assert refused.json()["detail"]["code"] == "too_many_requests"
        assert int(refused.headers["retry-after"]) >= 1
        # The page shares the limit; malformed numbers count too (no free guessing).
        assert first.get(f"/verify/{permit.number}").status_code == 429
        assert first.get(f"{JSON_API}/garbage").status_code == 429

    with TestClient(limited_app, client=("198.51.100.8", 40000)) as second:
        assert second.get(f"{JSON_API}/{permit.number}").status_code == 200
        assert second.get(f"/verify/{permit.number}").status_code == 200
        assert second.get(f"{JSON_API}/garbage").status_code == 400
        assert second.get(f"{JSON_API}/{permit.number}").status_code == 429


def test_the_page_is_rate_limited_too(limited_app: FastAPI, permit: Permit) -> None:
    with TestClient(limited_app, client=("203.0.113.9", 40000)) as visitor:
        for _ in range(3):
            assert visitor.get(f"/verify/{permit.number}").status_code == 200
        limited = visitor.get(f"/verify/{permit.number}")
        assert limited.status_code == 429
        assert "Roos" not in limited.text
        assert "Te veel" in limited.text or "Too many" in limited.text


def test_default_limit_comes_from_the_settings(app: FastAPI, permit: Permit) -> None:
    limit = get_settings().verify_requests_per_minute
    with TestClient(app, client=("192.0.2.44", 40000)) as visitor:
        codes = [visitor.get(f"{JSON_API}/{permit.number}").status_code for _ in range(limit + 1)]
    assert codes == [200] * limit + [429]
