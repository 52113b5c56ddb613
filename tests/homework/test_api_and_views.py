"""Home work through the API and the worker's page."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.addresses import residents
from app.flows import residents as residents_flow
from tests.factories import csrf_from, login_page, make_user, token_for

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
API = "/api/v1/home-work-registrations"


def _extract(session: Session, text: str) -> None:
    residents_flow.import_extract(session=session, rows=residents.read(HEADER + text, name="x"))


def test_register_list_and_end_through_the_api(client: TestClient, session: Session) -> None:
    _extract(session, "999993653,5038AB,12,A,,2021-04-01\n")
    worker = make_user(session)
    headers = token_for(client, worker)
    body = {
        "working_name": " Roos ",
        "bsn": "999993653",
        "postcode": "5038ab",
        "house_number": "12a",
    }
    created = client.post(API, json=body, headers=headers)
    assert created.status_code == 201, created.text
    registration = created.json()
    assert registration["status"] == "active"
    assert registration["working_name"] == "Roos"
    assert registration["address"] == "12A, 5038 AB"
    assert "bsn" not in registration and "999993653" not in created.text

    listed = client.get(API, headers=headers).json()
    assert [r["id"] for r in listed["items"]] == [registration["id"]]
    assert client.get(API, headers=token_for(client, make_user(session))).json()["items"] == []

    ended = client.post(f"{API}/{registration['id']}/end", json={}, headers=headers)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    again = client.post(f"{API}/{registration['id']}/end", json={}, headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "illegal_transition"


def test_bad_input_gets_a_clear_answer(client: TestClient, session: Session) -> None:
    headers = token_for(client, make_user(session))
    base = {"working_name": "Roos", "bsn": "999993653", "postcode": "5038AB", "house_number": "1"}
    for change in ({"postcode": "0000 AA"}, {"house_number": "twelve"}, {"working_name": "R"}):
        response = client.post(API, json={**base, **change}, headers=headers)
        assert response.status_code == 422, change
    refused = client.post(API, json={**base, "bsn": "999993654"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"]["code"] == "invalid_bsn"
    not_here = client.post(API, json=base, headers=headers)
    assert not_here.status_code == 422
    detail = not_here.json()["detail"]
    assert detail["code"] == "home_work_refused"
    assert [r["rule_id"] for r in detail["failed_rules"]] == ["home_work.registered"]


def test_the_worker_s_page(client: TestClient, session: Session) -> None:
    _extract(session, "999993653,5038AB,12,A,,2021-04-01\n")
    worker = make_user(session)
    login_page(client, worker)
    page = client.get("/home-work")
    assert page.status_code == 200
    token = csrf_from(page.text)
    form = {"working_name": "Roos", "bsn": "999993653", "postcode": "5038 AB", "house_number": "12"}
    refused = client.post("/home-work", data={**form, "csrf_token": token})
    assert refused.status_code == 422
    assert "niet op dit adres ingeschreven" in refused.text
    assert 'value="Roos"' in refused.text and "999993653" not in refused.text
    done = client.post(
        "/home-work",
        data={**form, "house_number": "12A", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get("/home-work?registered=1")
    assert "12A, 5038 AB" in shown.text and "Roos" in shown.text


def test_staff_have_no_worker_page(client: TestClient, session: Session) -> None:
    from app.auth.models import Role

    login_page(client, make_user(session, Role.clerk))
    assert client.get("/home-work").status_code == 403


def test_with_haal_centraal_down_it_waits_and_the_next_view_settles_it(
    client: TestClient, session: Session, httpserver: Any, monkeypatch: Any
) -> None:
    from app.config import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "address_register", "haal_centraal")
    monkeypatch.setattr(settings, "brp_api_url", httpserver.url_for("/brp"))
    monkeypatch.setattr(settings, "brp_attempts", 1)
    httpserver.expect_request("/brp/personen").respond_with_data("down", status=503)
    worker = make_user(session)
    headers = token_for(client, worker)
    body = {"working_name": "Roos", "bsn": "999993653", "postcode": "5038AB", "house_number": "12"}
    created = client.post(API, json=body, headers=headers)
    assert created.status_code == 201 and created.json()["status"] == "pending_address_check"

    httpserver.clear()
    httpserver.expect_request("/brp/personen").respond_with_json(
        {
            "personen": [
                {
                    "verblijfplaats": {
                        "verblijfadres": {"postcode": "5038AB", "huisnummer": 12},
                        "datumVan": {"datum": "2020-01-01"},
                    }
                }
            ]
        }
    )
    login_page(client, worker)
    page = client.get("/home-work")
    assert page.status_code == 200 and "Actief" in page.text
    assert client.get(f"{API}/{created.json()['id']}", headers=headers).json()["status"] == "active"


def test_registration_attempts_are_limited_per_account(
    client: TestClient, session: Session
) -> None:
    headers = token_for(client, make_user(session))
    answers = [
        client.post(
            API,
            json={
                "working_name": "Roos",
                "bsn": "999993653",
                "postcode": "5038AB",
                "house_number": str(n),
            },
            headers=headers,
        ).status_code
        for n in range(1, 8)
    ]
    assert answers[:5] == [422] * 5 and answers[5:] == [429, 429]
    # Another account is counted on its own.
    other = token_for(client, make_user(session))
    body = {"working_name": "Lila", "bsn": "111222333", "postcode": "5038AB", "house_number": "1"}
    assert client.post(API, json=body, headers=other).status_code == 422


def test_a_far_away_cursor_is_a_bad_cursor_not_a_500(client: TestClient, session: Session) -> None:
    from app.auth.models import Role

    clerk = token_for(client, make_user(session, Role.clerk))
    for cursor in (
        "0001-01-01T00:00:00%2B14:00_0c9e6f1a-5e1a-4a43-8d3e-7d5b1f3c2a10",
        "9999-12-31T23:59:59-14:00_0c9e6f1a-5e1a-4a43-8d3e-7d5b1f3c2a10",
    ):
        for url in (API, "/api/v1/nuisance-reports"):
            response = client.get(f"{url}?cursor={cursor}", headers=clerk)
            assert response.status_code == 422, (url, cursor, response.text)
