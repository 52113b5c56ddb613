"""Nuisance reports: anyone reports, the answer never depends on who is registered where,
staff assess, and enough substantiated nuisance puts home work at the address under
review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.addresses import residents
from app.auth.models import Role, User
from app.db import local_today
from app.flows import residents as residents_flow
from app.homework.models import HomeWorkRegistration, HomeWorkStatus
from app.nuisance.models import NuisanceReport
from tests.factories import csrf_from, login_page, make_user, token_for

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
API = "/api/v1/nuisance-reports"
HOME_WORK = "/api/v1/home-work-registrations"


def _report(**changes: Any) -> dict[str, Any]:
    return {
        "postcode": "5038ab",
        "house_number": "12A",
        "category": "noise",
        "observed_on": (local_today() - timedelta(days=1)).isoformat(),
        "description": "Loud music and shouting in the stairwell until 3 at night.",
        **changes,
    }


@pytest.fixture
def registered(client: TestClient, session: Session) -> dict[str, Any]:
    """A sex worker with home work registered at 5038 AB 12A."""
    residents_flow.import_extract(
        session=session,
        rows=residents.read(HEADER + "999993653,5038AB,12,A,,2021-04-01\n", name="x"),
    )
    worker = make_user(session)
    headers = token_for(client, worker)
    body = {"working_name": "Roos", "bsn": "999993653", "postcode": "5038AB", "house_number": "12A"}
    created = client.post(HOME_WORK, json=body, headers=headers)
    assert created.status_code == 201, created.text
    return {"worker": worker, "headers": headers, "registration": created.json()}


def _strip_reference(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "reference"}


def test_the_answer_is_the_same_whatever_the_address_holds(
    client: TestClient, registered: dict[str, Any]
) -> None:
    at_home_work = client.post(API, json=_report())
    elsewhere = client.post(API, json=_report(house_number="99"))
    assert at_home_work.status_code == elsewhere.status_code == 201
    assert _strip_reference(at_home_work.json()) == _strip_reference(elsewhere.json())
    assert at_home_work.headers.keys() == elsewhere.headers.keys()
    # Errors too: the same bad input gets the same answer at both addresses.
    bad_here = client.post(API, json=_report(category="smell"))
    bad_there = client.post(API, json=_report(category="smell", house_number="99"))
    assert bad_here.status_code == bad_there.status_code == 422
    assert bad_here.json() == bad_there.json()
    # And the pages.
    page = client.get("/overlast-melden")
    token = csrf_from(page.text)
    here = client.post("/overlast-melden", data={**_report(), "csrf_token": token})
    there = client.post(
        "/overlast-melden", data={**_report(house_number="99"), "csrf_token": token}
    )
    assert here.status_code == there.status_code == 200
    assert here.text.split("OV-")[0] == there.text.split("OV-")[0]


def test_bad_input_is_a_clear_422(client: TestClient) -> None:
    cases = [
        ({"category": "smell"}, "unknown_category"),
        ({"postcode": "1234 SS"}, None),
        ({"house_number": "twelve"}, None),
        ({"observed_on": (local_today() + timedelta(days=2)).isoformat()}, None),
        ({"description": "short"}, None),
        ({"description": "x" * 4001}, None),
    ]
    for change, code in cases:
        response = client.post(API, json=_report(**change))
        assert response.status_code == 422, change
        if code:
            assert response.json()["detail"]["code"] == code


def test_contact_details_are_kept_only_with_consent(client: TestClient, session: Session) -> None:
    contact = {"contact_name": "Buurman", "contact_email": "buur@example.org"}
    without = client.post(API, json=_report(**contact)).json()
    with_consent = client.post(API, json=_report(**contact, contact_consent=True)).json()
    session.expire_all()
    rows = {
        r.reference: r
        for r in session.exec(
            select(NuisanceReport).where(
                NuisanceReport.reference.in_([without["reference"], with_consent["reference"]])  # type: ignore[attr-defined]
            )
        ).all()
    }
    assert rows[without["reference"]].content["contact"] is None
    assert rows[with_consent["reference"]].content["contact"] == {
        "name": "Buurman",
        "email": "buur@example.org",
    }


def test_the_reporter_looks_up_the_status_by_reference_only(client: TestClient) -> None:
    reference = client.post(API, json=_report()).json()["reference"]
    found = client.get(f"/api/v1/public/nuisance-reports/{reference.lower()}")
    assert found.status_code == 200 and found.json() == {
        "reference": reference,
        "status": "received",
    }
    assert client.get("/api/v1/public/nuisance-reports/OV-AAAA-AAAA").status_code == 404
    page = client.get(f"/overlast-melden/status?reference={reference}")
    assert page.status_code == 200 and "nog niet bekeken" in page.text


def test_reports_are_rate_limited_per_client(client: TestClient) -> None:
    answers = [client.post(API, json=_report()).status_code for _ in range(11)]
    assert answers[:10] == [201] * 10 and answers[10] == 429


def _assess(client: TestClient, headers: dict[str, str], reference: str, yes: bool) -> Any:
    listed = client.get(API, headers=headers).json()["items"]
    report_id = next(r["id"] for r in listed if r["reference"] == reference)
    return client.post(
        f"{API}/{report_id}/assessment",
        json={"substantiated": yes, "notes": "Checked with the neighbours."},
        headers=headers,
    )


def test_substantiated_nuisance_at_the_threshold_puts_home_work_under_review(
    client: TestClient, session: Session, registered: dict[str, Any]
) -> None:
    inspector = token_for(client, make_user(session, Role.inspector))
    first = client.post(API, json=_report()).json()["reference"]
    second = client.post(API, json=_report(category="loitering")).json()["reference"]
    third = client.post(API, json=_report(category="parking")).json()["reference"]
    registration_url = f"{HOME_WORK}/{registered['registration']['id']}"

    # Not substantiated: nothing changes.
    assert _assess(client, inspector, third, False).status_code == 200
    assert client.get(registration_url, headers=registered["headers"]).json()["status"] == "active"
    # One substantiated (Tilburg's threshold is 2): still active.
    assert _assess(client, inspector, first, True).json()["substantiated"] is True
    assert client.get(registration_url, headers=registered["headers"]).json()["status"] == "active"
    # The second: under review, and the worker is told in general terms.
    assert _assess(client, inspector, second, True).status_code == 200
    seen = client.get(registration_url, headers=registered["headers"]).json()
    assert seen["status"] == "under_review"
    assert "Nuisance has been established" in seen["status_reason"]
    assert "Buurman" not in str(seen)
    # A new registration there is refused with the nuisance rule.
    residents_flow.import_extract(
        session=session,
        rows=residents.read(
            HEADER + "999993653,5038AB,12,A,,2021-04-01\n111222333,5038AB,12,A,,2022-01-01\n",
            name="y",
        ),
    )
    other = token_for(client, make_user(session))
    body = {"working_name": "Lila", "bsn": "111222333", "postcode": "5038AB", "house_number": "12A"}
    refused = client.post(HOME_WORK, json=body, headers=other)
    assert refused.status_code == 422
    assert [r["rule_id"] for r in refused.json()["detail"]["failed_rules"]] == [
        "home_work.nuisance"
    ]
    session.expire_all()
    statuses = session.exec(select(HomeWorkRegistration.status)).all()
    assert HomeWorkStatus.under_review in statuses


def test_only_staff_who_assess_may_assess_and_read(client: TestClient, session: Session) -> None:
    client.post(API, json=_report())
    applicant: User = make_user(session)
    assert client.get(API, headers=token_for(client, applicant)).status_code == 403
    coordinator = token_for(client, make_user(session, Role.care_coordinator))
    assert client.get(API, headers=coordinator).status_code == 403
    clerk = token_for(client, make_user(session, Role.clerk))
    item = client.get(API, headers=clerk).json()["items"][0]
    denied = client.post(
        f"{API}/{item['id']}/assessment",
        json={"substantiated": True, "notes": "yes"},
        headers=token_for(client, applicant),
    )
    assert denied.status_code == 403
    assert client.get(f"{API}/{item['id']}", headers=coordinator).status_code == 404


def test_the_worker_sees_the_review_on_their_page(
    client: TestClient, session: Session, registered: dict[str, Any]
) -> None:
    inspector = token_for(client, make_user(session, Role.inspector))
    for category in ("noise", "parking"):
        reference = client.post(API, json=_report(category=category)).json()["reference"]
        _assess(client, inspector, reference, True)
    login_page(client, registered["worker"])
    page = client.get("/home-work")
    assert page.status_code == 200 and "In onderzoek" in page.text


@pytest.mark.real_pdf
def test_respond_then_the_clerk_ends_it_with_a_letter_naming_the_working_name_only(
    client: TestClient, session: Session, registered: dict[str, Any]
) -> None:
    from tests.factories import pdf_text

    inspector = token_for(client, make_user(session, Role.inspector))
    for category in ("noise", "parking"):
        reference = client.post(API, json=_report(category=category)).json()["reference"]
        _assess(client, inspector, reference, True)
    url = f"{HOME_WORK}/{registered['registration']['id']}"
    worker = registered["headers"]
    clerk = token_for(client, make_user(session, Role.clerk))

    # Only the worker responds, only while under review; only a clerk decides.
    other = token_for(client, make_user(session))
    assert (
        client.post(f"{url}/response", json={"text": "Not me."}, headers=other).status_code == 404
    )
    answered = client.post(
        f"{url}/response", json={"text": "The noise came from the flat above."}, headers=worker
    )
    assert answered.status_code == 200
    assert answered.json()["response"] == "The noise came from the flat above."
    assert answered.json()["respond_by"] is not None
    denied = client.post(
        f"{url}/review-decision", json={"decision": "end", "reason": "Nuisance."}, headers=worker
    )
    assert denied.status_code == 403
    staff_view = client.get(url, headers=clerk).json()
    assert staff_view["response"] == "The noise came from the flat above."

    ended = client.post(
        f"{url}/review-decision",
        json={"decision": "end", "reason": "Nuisance was established twice in a month."},
        headers=clerk,
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended_after_review"
    assert (
        client.post(f"{url}/response", json={"text": "Too late"}, headers=worker).status_code == 409
    )

    letters = client.get(f"{url}/documents", headers=worker).json()
    assert [d["kind"] for d in letters] == ["home_work_ended"]
    pdf = client.get(letters[0]["download_url"], headers=worker)
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "Roos" in text and "Nuisance was established twice in a month." in text
    assert "999993653" not in text and "Buurman" not in text
    # An application reader without the letter's own read action gets 404 for it.
    assert client.get(letters[0]["download_url"], headers=inspector).status_code == 404


def test_the_clerk_may_let_home_work_continue(
    client: TestClient, session: Session, registered: dict[str, Any]
) -> None:
    inspector = token_for(client, make_user(session, Role.inspector))
    for category in ("noise", "parking"):
        reference = client.post(API, json=_report(category=category)).json()["reference"]
        _assess(client, inspector, reference, True)
    url = f"{HOME_WORK}/{registered['registration']['id']}"
    clerk = token_for(client, make_user(session, Role.clerk))
    resumed = client.post(
        f"{url}/review-decision",
        json={"decision": "resume", "reason": "The noise came from elsewhere."},
        headers=clerk,
    )
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    again = client.post(
        f"{url}/review-decision", json={"decision": "end", "reason": "x" * 5}, headers=clerk
    )
    assert again.status_code == 409 and again.json()["detail"]["code"] == "illegal_transition"


def test_nul_bytes_and_huge_input_are_a_clear_answer_never_a_500(
    client: TestClient, session: Session
) -> None:
    assert client.post(API, json=_report(description="Loud\x00 music all night")).status_code == 422
    assert (
        client.post(API, json=_report(contact_consent=True, contact_name="A\x00")).status_code
        == 422
    )
    assert client.post(API, json=_report(category="noise\x00")).status_code == 422
    assert client.post(API, json=_report(postcode="5038\x00AB")).status_code == 422
    assert client.post(API, json=_report(description="x" * 100_000)).status_code == 422
    assert client.get("/api/v1/public/nuisance-reports/OV-AAAA-AAA%00").status_code == 422
    assert client.get("/overlast-melden/status?reference=%00").status_code == 422
    headers = token_for(client, make_user(session))
    body = {
        "working_name": "Ro\x00s",
        "bsn": "999993653",
        "postcode": "5038AB",
        "house_number": "1",
    }
    assert client.post(HOME_WORK, json=body, headers=headers).status_code == 422
    clerk = token_for(client, make_user(session, Role.clerk))
    assert client.get(f"{API}?cursor=%00", headers=clerk).status_code == 422
    assert client.get(f"{HOME_WORK}?cursor=x_y", headers=clerk).status_code == 422
