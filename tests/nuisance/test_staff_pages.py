"""The staff pages where home work and nuisance meet, and the worker's response page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.addresses import residents
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.db import local_today
from app.flows import residents as residents_flow
from tests.factories import csrf_from, login_page, make_user, token_for

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"


def _setup(client: TestClient, session: Session) -> dict[str, Any]:
    residents_flow.import_extract(
        session=session,
        rows=residents.read(HEADER + "999993653,5038AB,12,A,,2021-04-01\n", name="x"),
    )
    worker = make_user(session)
    body = {"working_name": "Roos", "bsn": "999993653", "postcode": "5038AB", "house_number": "12A"}
    registration = client.post(
        "/api/v1/home-work-registrations", json=body, headers=token_for(client, worker)
    ).json()
    day = (local_today() - timedelta(days=2)).isoformat()
    for category in ("noise", "parking"):
        client.post(
            "/api/v1/nuisance-reports",
            json={
                "postcode": "5038 AB",
                "house_number": "12a",
                "category": category,
                "observed_on": day,
                "description": "Visitors at the wrong door every evening this week.",
            },
        )
    return {"worker": worker, "registration": registration}


def test_inspector_assesses_on_the_page_and_the_clerk_ends_home_work(
    client: TestClient, session: Session
) -> None:
    made = _setup(client, session)
    inspector = make_user(session, Role.inspector)
    login_page(client, inspector)
    assert "/nuisance-reports" in client.get("/home").text
    listing = client.get("/nuisance-reports")
    assert listing.status_code == 200
    token = csrf_from(listing.text)
    ids = sorted(
        set(part.split("/")[0] for part in listing.text.split('action="/nuisance-reports/')[1:])
    )
    assert len(ids) == 2
    empty = client.post(
        f"/nuisance-reports/{ids[0]}/assessment",
        data={"substantiated": "1", "notes": "", "csrf_token": token},
    )
    assert empty.status_code == 422
    for report_id in ids:
        done = client.post(
            f"/nuisance-reports/{report_id}/assessment",
            data={"substantiated": "1", "notes": "Seen on the evening round.", "csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303

    # The address page shows both, with the working name only; the opening is audited.
    address_link = listing.text.split('href="/addresses/')[1].split('"')[0]
    page = client.get(f"/addresses/{address_link}")
    assert page.status_code == 200 and "Roos" in page.text and "999993653" not in page.text
    session.expire_all()
    opened = session.exec(select(AuditEvent).where(AuditEvent.action == "address.read")).all()
    assert [e.actor_id for e in opened] == [inspector.id]

    # The worker responds on their page.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})
    login_page(client, made["worker"])
    mine = client.get("/home-work")
    assert "onder" in mine.text.lower()
    token = csrf_from(mine.text)
    registration_id = made["registration"]["id"]
    sent = client.post(
        f"/home-work/{registration_id}/response",
        data={"response": "It was the neighbours' party.", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303

    # The clerk decides on the staff page.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})
    login_page(client, make_user(session, Role.clerk))
    under_review = client.get("/staff/home-work")
    assert "Roos" in under_review.text
    staff_page = client.get(f"/staff/home-work/{registration_id}")
    assert "the neighbours' party" in staff_page.text.replace("&#39;", "'")
    token = csrf_from(staff_page.text)
    refused = client.post(
        f"/staff/home-work/{registration_id}/decision",
        data={"decision": "end", "reason": "", "csrf_token": token},
    )
    assert refused.status_code == 422
    ended = client.post(
        f"/staff/home-work/{registration_id}/decision",
        data={"decision": "end", "reason": "Nuisance twice in one week.", "csrf_token": token},
        follow_redirects=False,
    )
    assert ended.status_code == 303

    # The worker sees the letter.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})
    login_page(client, made["worker"])
    mine = client.get("/home-work")
    letter = mine.text.split('href="/documents/')[1].split('"')[0]
    assert client.get(f"/documents/{letter}").status_code == 200


def test_staff_pages_are_staff_only(client: TestClient, session: Session) -> None:
    made = _setup(client, session)
    login_page(client, made["worker"])
    assert client.get("/nuisance-reports").status_code == 403
    assert client.get("/staff/home-work").status_code == 403
    registration_id = made["registration"]["id"]
    assert client.get(f"/staff/home-work/{registration_id}").status_code == 403


def test_the_worker_is_told_on_her_home_page(client: TestClient, session: Session) -> None:
    made = _setup(client, session)
    inspector = token_for(client, make_user(session, Role.inspector))
    for item in client.get("/api/v1/nuisance-reports", headers=inspector).json()["items"]:
        client.post(
            f"/api/v1/nuisance-reports/{item['id']}/assessment",
            json={"substantiated": True, "notes": "Seen."},
            headers=inspector,
        )
    login_page(client, made["worker"])
    home = client.get("/home")
    assert "in onderzoek" in home.text and 'href="/home-work"' in home.text
