"""Signals of human trafficking: only the care coordinator reads them (and their author
until the care coordinator takes one); for everyone else they do not exist."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import Role, User
from tests.factories import csrf_from, login_page, make_user, token_for

API = "/api/v1/signals"
NOTE = "Haar paspoort lag bij de man aan de balie."
INDICATORS = ["no_own_id_documents", "earnings_held_by_other"]


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    return {
        "author": make_user(session, Role.inspector),
        "other_inspector": make_user(session, Role.inspector),
        "clerk": make_user(session, Role.clerk),
        "admin": make_user(session, Role.admin),
        "applicant": make_user(session),
        "coordinator": make_user(session, Role.care_coordinator),
    }


def _make(client: TestClient, author: User) -> str:
    response = client.post(
        API,
        json={"indicators": INDICATORS, "note": NOTE, "place": "Hoofdstraat"},
        headers=token_for(client, author),
    )
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id", "status"}
    return str(response.json()["id"])


def test_no_one_but_the_care_coordinator_and_the_author_reads_it(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    signal_id = _make(client, people["author"])
    for name in ("other_inspector", "clerk", "admin", "applicant"):
        headers = token_for(client, people[name])
        read = client.get(f"{API}/{signal_id}", headers=headers)
        assert read.status_code == 404, name
        assert NOTE not in read.text
        listed = client.get(API, headers=headers)
        assert listed.status_code == 404, name  # no list, not even an empty one
        assert client.post(f"{API}/{signal_id}/take", headers=headers).status_code == 404, name
    # The author reads it back while it is new.
    author = token_for(client, people["author"])
    assert client.get(f"{API}/{signal_id}", headers=author).json()["note"] == NOTE
    assert client.get(API, headers=author).status_code == 404

    coordinator = token_for(client, people["coordinator"])
    queue = client.get(API, headers=coordinator).json()["items"]
    assert [s["id"] for s in queue] == [signal_id]
    seen = client.get(f"{API}/{signal_id}", headers=coordinator).json()
    assert seen["note"] == NOTE
    assert [i["key"] for i in seen["indicators"]] == sorted(INDICATORS)

    # Taken: from now on the author no longer reads it.
    assert client.post(f"{API}/{signal_id}/take", headers=coordinator).status_code == 200
    assert client.get(f"{API}/{signal_id}", headers=author).status_code == 404


def test_every_read_is_audited_and_the_trail_holds_no_content(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    signal_id = _make(client, people["author"])
    coordinator = token_for(client, people["coordinator"])
    client.get(f"{API}/{signal_id}", headers=coordinator)
    client.get(f"{API}/{signal_id}", headers=coordinator)
    session.expire_all()
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "signal.read", AuditEvent.object_id == signal_id
        )
    ).all()
    assert [r.actor_id for r in reads] == [people["coordinator"].id] * 2
    trail = session.exec(select(AuditEvent).where(AuditEvent.object_id == signal_id)).all()
    assert all(NOTE not in str(e.after) and "paspoort" not in str(e.after) for e in trail)


def test_what_a_signal_says_is_encrypted_at_rest(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    signal_id = _make(client, people["author"])
    session.expire_all()
    stored = session.execute(
        text("SELECT content FROM signal WHERE id = :id"),
        {
            "id": signal_id.replace("-", "")
            if session.get_bind().dialect.name == "sqlite"
            else signal_id
        },
    ).scalar_one()
    assert "paspoort" not in stored and "no_own_id_documents" not in stored


def test_follow_up_steps_until_closed(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    signal_id = _make(client, people["author"])
    coordinator = token_for(client, people["coordinator"])
    early = client.post(
        f"{API}/{signal_id}/follow-ups", json={"kind": "contact_made"}, headers=coordinator
    )
    assert early.status_code == 409 and early.json()["detail"]["code"] == "not_taken"
    client.post(f"{API}/{signal_id}/take", headers=coordinator)
    for step in ({"kind": "contact_made"}, {"kind": "consent_given", "note": "Ze wil hulp."}):
        assert client.post(
            f"{API}/{signal_id}/follow-ups", json=step, headers=coordinator
        ).is_success
    closed = client.post(
        f"{API}/{signal_id}/follow-ups",
        json={"kind": "referral_shelter", "note": "Opvang geregeld.", "close": True},
        headers=coordinator,
    ).json()
    assert closed["status"] == "closed"
    assert [s["kind"] for s in closed["follow_ups"]] == [
        "contact_made",
        "consent_given",
        "referral_shelter",
    ]
    later = client.post(f"{API}/{signal_id}/follow-ups", json={"kind": "note"}, headers=coordinator)
    assert later.status_code == 409
    clerk = token_for(client, people["clerk"])
    assert (
        client.post(
            f"{API}/{signal_id}/follow-ups", json={"kind": "note"}, headers=clerk
        ).status_code
        == 404
    )


def test_bad_input_is_a_clear_422(client: TestClient, people: dict[str, User]) -> None:
    headers = token_for(client, people["author"])
    cases: list[dict[str, Any]] = [
        {"indicators": []},
        {"indicators": ["made_up"]},
        {"indicators": INDICATORS, "note": "x\x00"},
        {"indicators": INDICATORS, "note": "x" * 5000},
    ]
    for body in cases:
        assert client.post(API, json=body, headers=headers).status_code == 422, body
    applicant = token_for(client, people["applicant"])
    assert client.post(API, json={"indicators": INDICATORS}, headers=applicant).status_code == 403


def test_pages_inspector_makes_one_and_the_care_coordinator_follows_up(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    login_page(client, people["author"])
    assert "/signals/new" in client.get("/home").text
    form = client.get("/signals/new")
    token = csrf_from(form.text)
    empty = client.post("/signals/new", data={"csrf_token": token, "note": "iets"})
    assert empty.status_code == 422 and 'value="iets"' not in empty.text
    made = client.post(
        "/signals/new",
        data={"csrf_token": token, "indicators": INDICATORS[0], "note": NOTE},
    )
    assert made.status_code == 200 and NOTE not in made.text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})

    login_page(client, people["clerk"])
    assert "signal" not in client.get("/queue").text.lower()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/home").text)})

    login_page(client, people["coordinator"])
    home = client.get("/home")
    signal_id = home.text.split('href="/signals/')[1].split('"')[0]
    page = client.get(f"/signals/{signal_id}")
    assert NOTE.replace("'", "&#39;") in page.text or NOTE in page.text
    token = csrf_from(page.text)
    client.post(f"/signals/{signal_id}/take", data={"csrf_token": token})
    done = client.post(
        f"/signals/{signal_id}/follow-ups",
        data={"csrf_token": token, "kind": "referral_police", "note": "AVIM gebeld"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "AVIM gebeld" in client.get(f"/signals/{signal_id}").text


def test_closed_signals_are_erased_after_their_period(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    from datetime import timedelta

    from sqlmodel import update

    from app import retention
    from app.db import utcnow
    from app.signals.models import Signal, SignalFollowUp

    old, recent = _make(client, people["author"]), _make(client, people["author"])
    coordinator = token_for(client, people["coordinator"])
    for signal_id in (old, recent):
        client.post(f"{API}/{signal_id}/take", headers=coordinator)
        client.post(
            f"{API}/{signal_id}/follow-ups",
            json={"kind": "note", "note": "Afgesloten.", "close": True},
            headers=coordinator,
        )
    session.expire_all()
    session.execute(
        update(Signal)
        .where(Signal.id == uuid_of(old))  # type: ignore[arg-type]
        .values(closed_at=utcnow() - timedelta(days=31 * 61))
    )
    session.commit()
    report = retention.run(session=session)
    assert report.signals == 1
    session.expire_all()
    assert session.get(Signal, uuid_of(old)) is None
    assert session.get(Signal, uuid_of(recent)) is not None
    assert (
        session.exec(select(SignalFollowUp).where(SignalFollowUp.signal_id == uuid_of(old))).all()
        == []
    )
    erased = session.exec(select(AuditEvent).where(AuditEvent.action == "signal.erase")).one()
    assert erased.after == {"reason": "retention schedule"}


def uuid_of(value: str) -> Any:
    import uuid

    return uuid.UUID(value)
