"""Applications through the JSON API: applicant steps, uploads, the clerk's queue and
decisions, privacy of the legal name, and object-level access."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.applications.models import Application, ApplicationDocument
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.config import get_settings
from app.db import local_today, utcnow
from app.deadlines import due_date, next_working_day
from tests.factories import (
    EXE_BYTES,
    JPEG_BYTES,
    LEGAL_NAME,
    PDF_BYTES,
    PNG_BYTES,
    application_data,
    make_user,
    required_documents,
    token_for,
)

API = "/api/v1/applications"
Headers = dict[str, str]


def _create(client: TestClient, headers: Headers, **data: Any) -> dict[str, Any]:
    response = client.post(API, json=data, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _upload(
    client: TestClient,
    headers: Headers,
    application_id: str,
    kind: str,
    content: bytes = PDF_BYTES,
    filename: str = "document.pdf",
    content_type: str = "application/pdf",
) -> Any:
    return client.post(
        f"{API}/{application_id}/documents",
        data={"kind": kind},
        files={"file": (filename, content, content_type)},
        headers=headers,
    )


def _submitted(
    client: TestClient, headers: Headers, permit_type: str = "sex_worker", **overrides: Any
) -> dict[str, Any]:
    body = _create(client, headers, **application_data(permit_type, **overrides))
    for kind in required_documents(permit_type):
        assert _upload(client, headers, body["id"], kind).status_code == 201
    response = client.post(f"{API}/{body['id']}/submit", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _decide(
    client: TestClient, headers: Headers, application_id: str, decision: str, reason: str | None
) -> Any:
    payload: dict[str, Any] = {"decision": decision}
    if reason is not None:
        payload["reason"] = reason
    return client.post(f"{API}/{application_id}/decision", json=payload, headers=headers)


@pytest.fixture
def applicant(session: Session) -> User:
    return make_user(session)


# ---- the whole journey ----------------------------------------------------------------------


def test_happy_path_from_draft_to_permit(
    client: TestClient, session: Session, applicant: User, clerk: User
) -> None:
    me = token_for(client, applicant)
    staff = token_for(client, clerk)

    # Step 1: start with a working name only.
    draft = _create(client, me, permit_type="sex_worker", working_name="Roos")
    assert draft["status"] == "draft"
    assert draft["missing_fields"] == ["legal_name", "birth_date", "email"]
    assert draft["missing_documents"] == ["identity_document"]
    app_id = draft["id"]

    # Step 2: some details, saved as draft.
    full = application_data("sex_worker")
    step = client.patch(
        f"{API}/{app_id}",
        json={"legal_name": LEGAL_NAME, "birth_date": full["birth_date"], "version": 1},
        headers=me,
    )
    assert step.status_code == 200, step.text
    assert step.json()["version"] == 2

    # Later: resume where they left off.
    resumed = client.get(f"{API}/{app_id}", headers=me).json()
    assert resumed["details"]["legal_name"] == LEGAL_NAME
    assert resumed["missing_fields"] == ["email"]
    assert client.patch(f"{API}/{app_id}", json={"email": full["email"]}, headers=me).is_success

    uploaded = _upload(client, me, app_id, "identity_document", PNG_BYTES, "id.png", "image/png")
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["content_type"] == "image/png"
    # Images are stored re-encoded (no camera or GPS data): the hash is of what is stored.
    assert document["sha256"] != hashlib.sha256(PNG_BYTES).hexdigest()
    assert len(document["sha256"]) == 64

    submitted = client.post(f"{API}/{app_id}/submit", headers=me)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["policy_version"] == "2020.1"
    assert body["missing_fields"] == [] and body["missing_documents"] == []
    assert {c["rule_id"] for c in body["checks"]} >= {"age.minimum", "cap.permit_type"}
    assert all(c["passed"] for c in body["checks"])
    assert date.fromisoformat(body["decision_due"]) == utcnow().date() + timedelta(days=56)

    # The clerk's queue shows it with the working name.
    queue = client.get(API, headers=staff).json()
    assert [item["id"] for item in queue["items"]] == [app_id]
    assert queue["items"][0]["working_name"] == "Roos"
    assert queue["items"][0]["blocking_failures"] == 0

    # The clerk opens the file and the document.
    file = client.get(f"{API}/{app_id}", headers=staff)
    assert file.status_code == 200
    assert [d["kind"] for d in file.json()["documents"]] == ["identity_document"]
    download = client.get(f"{API}/{app_id}/documents/{document['id']}", headers=staff)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
    assert Image.open(io.BytesIO(download.content)).size == Image.open(io.BytesIO(PNG_BYTES)).size
    assert download.headers["content-type"] == "image/png"

    assert client.post(f"{API}/{app_id}/review", headers=staff).json()["status"] == "in_review"
    approved = _decide(client, staff, app_id, "approve", None)
    assert approved.status_code == 200, approved.text
    permit_number = approved.json()["permit_number"]
    assert approved.json()["status"] == "approved"

    permit = client.get(f"/api/v1/permits/{permit_number}", headers=me)
    assert permit.status_code == 200
    assert permit.json()["working_name"] == "Roos"
    assert permit.json()["state"] == "active"
    assert permit.json()["conditions_en"]

    # The applicant sees the history, without staff names.
    mine = client.get(f"{API}/{app_id}", headers=me)
    history = mine.json()["history"]
    assert [h["to_status"] for h in history] == ["draft", "submitted", "in_review", "approved"]
    assert [h["by_role"] for h in history] == ["applicant", "applicant", "clerk", "clerk"]
    assert clerk.email not in mine.text
    assert str(clerk.id) not in mine.text
    assert all(
        set(h) == {"from_status", "to_status", "reason", "by_role", "occurred_at"} for h in history
    )


def test_unknown_permit_type_is_422_with_the_known_types(
    client: TestClient, applicant: User
) -> None:
    response = client.post(
        API, json={"permit_type": "window"}, headers=token_for(client, applicant)
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "unknown_permit_type"
    assert detail["permit_types"] == ["escort_business", "sex_business", "sex_worker"]


def test_staff_cannot_start_an_application(client: TestClient, clerk: User) -> None:
    response = client.post(
        API, json={"permit_type": "sex_worker"}, headers=token_for(client, clerk)
    )
    assert response.status_code == 403


def test_only_fields_the_policy_names_are_kept(client: TestClient, applicant: User) -> None:
    body = _create(
        client,
        token_for(client, applicant),
        **application_data("sex_worker", kvk_number="87654321", phone="+31 6 99999999"),
    )
    assert set(body["details"]) == {"working_name", "legal_name", "birth_date", "email"}
    assert "87654321" not in str(body)


def test_incomplete_submission_lists_what_is_missing(client: TestClient, applicant: User) -> None:
    me = token_for(client, applicant)
    draft = _create(client, me, permit_type="sex_business", business_name="Club Maan")
    response = client.post(f"{API}/{draft['id']}/submit", headers=me)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "incomplete"
    assert detail["missing_fields"] == [
        "legal_name",
        "birth_date",
        "email",
        "phone",
        "business_address_postcode",
        "business_address_house_number",
        "kvk_number",
        "description",
    ]
    assert detail["missing_documents"] == [
        "identity_document",
        "business_plan",
        "floor_plan",
        "lease_or_deed",
        "house_rules",
    ]
    assert client.get(f"{API}/{draft['id']}", headers=me).json()["status"] == "draft"


# ---- uploads --------------------------------------------------------------------------------


def test_upload_rejects_an_executable_disguised_as_pdf(
    client: TestClient, session: Session, applicant: User
) -> None:
    me = token_for(client, applicant)
    draft = _create(client, me, **application_data())
    response = _upload(client, me, draft["id"], "identity_document", EXE_BYTES, "passport.pdf")
    assert response.status_code == 415
    assert response.json()["detail"]["code"] == "unsupported_file_type"
    assert _upload(client, me, draft["id"], "identity_document", b"just text").status_code == 415
    stored = session.exec(
        select(ApplicationDocument).where(
            ApplicationDocument.application_id == uuid.UUID(draft["id"])
        )
    ).all()
    assert stored == []


def test_upload_accepts_pdf_jpeg_and_png_by_content(client: TestClient, applicant: User) -> None:
    me = token_for(client, applicant)
    draft = _create(client, me, **application_data())
    for content, expected in (
        (PDF_BYTES, "application/pdf"),
        (JPEG_BYTES, "image/jpeg"),
        (PNG_BYTES, "image/png"),
    ):
        # The declared type and name are ignored; the bytes decide.
        response = _upload(
            client, me, draft["id"], "identity_document", content, "x.bin", "text/plain"
        )
        assert response.status_code == 201, response.text
        assert response.json()["content_type"] == expected
    documents = client.get(f"{API}/{draft['id']}", headers=me).json()["documents"]
    assert [d["content_type"] for d in documents] == ["image/png"]  # one per kind


def test_upload_too_large_is_413(
    client: TestClient, applicant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = token_for(client, applicant)
    draft = _create(client, me, **application_data())
    monkeypatch.setattr(get_settings(), "max_upload_bytes", len(PDF_BYTES) + 100)
    big = PDF_BYTES + b"%" + b"x" * 200
    response = _upload(client, me, draft["id"], "identity_document", big)
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"
    small = _upload(client, me, draft["id"], "identity_document", PDF_BYTES)
    assert small.status_code == 201


def test_upload_of_a_kind_not_asked_for_is_422(client: TestClient, applicant: User) -> None:
    me = token_for(client, applicant)
    draft = _create(client, me, **application_data())
    response = _upload(client, me, draft["id"], "business_plan")
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "unknown_document_kind"
    assert response.json()["detail"]["document_kinds"] == ["identity_document"]
    empty = _upload(client, me, draft["id"], "identity_document", b"")
    assert empty.status_code == 422
    assert empty.json()["detail"]["code"] == "empty_file"


def test_no_uploads_after_submission(client: TestClient, applicant: User) -> None:
    me = token_for(client, applicant)
    body = _submitted(client, me)
    response = _upload(client, me, body["id"], "identity_document")
    assert response.status_code == 409
    assert response.json()["detail"]["current_status"] == "submitted"


# ---- privacy and access ---------------------------------------------------------------------


def test_legal_name_never_on_the_permit_or_in_the_queue(
    client: TestClient, applicant: User, clerk: User
) -> None:
    me = token_for(client, applicant)
    staff = token_for(client, clerk)
    body = _submitted(client, me)
    queue = client.get(API, headers=staff)
    assert LEGAL_NAME not in queue.text
    assert "legal_name" not in queue.text
    number = _decide(client, staff, body["id"], "approve", None).json()["permit_number"]
    for headers in (me, staff):
        permit = client.get(f"/api/v1/permits/{number}", headers=headers)
        assert permit.status_code == 200
        assert LEGAL_NAME not in permit.text
        assert "legal_name" not in permit.text
        assert "birth_date" not in permit.text


def test_another_applicant_gets_404_everywhere(
    client: TestClient, session: Session, applicant: User, clerk: User
) -> None:
    me = token_for(client, applicant)
    body = _submitted(client, me)
    document_id = body["documents"][0]["id"]
    number = _decide(client, token_for(client, clerk), body["id"], "approve", None).json()[
        "permit_number"
    ]

    other = token_for(client, make_user(session))
    inspector = token_for(client, make_user(session, Role.inspector))
    for headers in (other, inspector):
        for response in (
            client.get(f"{API}/{body['id']}", headers=headers),
            client.get(f"{API}/{body['id']}/documents/{document_id}", headers=headers),
            client.get(f"/api/v1/permits/{number}", headers=headers),
        ):
            assert response.status_code == 404, response.url
            assert LEGAL_NAME not in response.text
    for response in (
        client.patch(f"{API}/{body['id']}", json={"working_name": "Hack"}, headers=other),
        client.post(f"{API}/{body['id']}/submit", headers=other),
        client.post(f"{API}/{body['id']}/withdraw", headers=other),
        _upload(client, other, body["id"], "identity_document"),
        client.post(f"/api/v1/permits/{number}/renewal", headers=other),
    ):
        assert response.status_code == 404, response.url
    assert client.get(f"{API}/{uuid.uuid4()}", headers=me).status_code == 404
    # The other applicant's own list does not show it.
    assert client.get(API, headers=other).json()["items"] == []


def test_staff_reads_are_audited(
    client: TestClient, session: Session, applicant: User, clerk: User
) -> None:
    me = token_for(client, applicant)
    staff = token_for(client, clerk)
    body = _submitted(client, me)
    client.get(f"{API}/{body['id']}", headers=me)
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "application.read")).all() == []
    )
    assert client.get(f"{API}/{body['id']}", headers=staff).status_code == 200
    reads = session.exec(select(AuditEvent).where(AuditEvent.action == "application.read")).all()
    assert [(r.actor_id, r.object_id) for r in reads] == [(clerk.id, body["id"])]

    number = _decide(client, staff, body["id"], "approve", None).json()["permit_number"]
    client.get(f"/api/v1/permits/{number}", headers=me)
    assert client.get(f"/api/v1/permits/{number}", headers=staff).status_code == 200
    permit_reads = session.exec(select(AuditEvent).where(AuditEvent.action == "permit.read")).all()
    assert [r.actor_id for r in permit_reads] == [clerk.id]


# ---- the clerk's queue ----------------------------------------------------------------------


def _set_due(session: Session, application_id: str, due: date) -> None:
    session.execute(
        update(Application)
        .where(col(Application.id) == uuid.UUID(application_id))
        .values(decision_due=due)
    )
    session.commit()


def _page_through(client: TestClient, headers: Headers, query: str, limit: int) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    for _ in range(50):
        url = f"{API}?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


def test_queue_is_ordered_by_deadline_filtered_and_keyset_paginated(
    client: TestClient, session: Session, clerk: User
) -> None:
    staff = token_for(client, clerk)
    today = utcnow().date()
    dues = [
        today - timedelta(days=2),
        today + timedelta(days=10),
        today - timedelta(days=2),  # a tie: ordered by id
        today + timedelta(days=3),
        today + timedelta(days=10),
        today + timedelta(days=10),
        today - timedelta(days=9),
    ]
    types = ["sex_worker", "escort_business"] * 4
    expected: list[tuple[date, uuid.UUID, str]] = []
    for due, permit_type in zip(dues, types, strict=False):
        headers = token_for(client, make_user(session))
        body = _submitted(client, headers, permit_type)
        _set_due(session, body["id"], due)
        expected.append((due, uuid.UUID(body["id"]), permit_type))
    # Not in the queue: a draft, and a decided application.
    drafter = token_for(client, make_user(session))
    _create(client, drafter, **application_data())
    decided = _submitted(client, token_for(client, make_user(session)))
    assert _decide(client, staff, decided["id"], "approve", None).status_code == 200

    expected.sort(key=lambda row: (row[0], row[1]))
    everything = [str(row[1]) for row in expected]
    for limit in (1, 2, 3, 7, 100):
        ids = _page_through(client, staff, "", limit)
        assert ids == everything, limit

    first = client.get(f"{API}?limit=3", headers=staff).json()
    assert [item["overdue"] for item in first["items"]] == [True, True, True]
    assert first["next_cursor"]

    overdue = _page_through(client, staff, "&overdue=true", 2)
    assert overdue == [str(r[1]) for r in expected if r[0] < today]
    on_time = _page_through(client, staff, "&overdue=false", 2)
    assert on_time == [str(r[1]) for r in expected if r[0] >= today]
    escorts = _page_through(client, staff, "&permit_type=escort_business", 2)
    assert escorts == [str(r[1]) for r in expected if r[2] == "escort_business"]

    reviewed = str(expected[3][1])
    client.post(f"{API}/{reviewed}/review", headers=staff)
    assert _page_through(client, staff, "&status=in_review", 5) == [reviewed]
    assert _page_through(client, staff, "&status=approved", 5) == [decided["id"]]
    combined = _page_through(client, staff, "&status=submitted&overdue=true", 5)
    assert combined == [str(r[1]) for r in expected if r[0] < today and str(r[1]) != reviewed]

    bad = client.get(f"{API}?cursor=not-a-cursor", headers=staff)
    assert bad.status_code == 422
    assert bad.json()["detail"]["code"] == "bad_cursor"


def test_queue_counts_blocking_failures(client: TestClient, session: Session, clerk: User) -> None:
    young = _submitted(client, token_for(client, make_user(session)), age=17)
    adult = _submitted(client, token_for(client, make_user(session)))
    items = client.get(API, headers=token_for(client, clerk)).json()["items"]
    counts = {item["id"]: item["blocking_failures"] for item in items}
    assert counts == {young["id"]: 1, adult["id"]: 0}


def test_queue_is_forbidden_to_other_staff(client: TestClient, session: Session) -> None:
    for role in (Role.inspector, Role.care_coordinator, Role.admin):
        response = client.get(API, headers=token_for(client, make_user(session, role)))
        assert response.status_code == 403


# ---- decisions ------------------------------------------------------------------------------


def test_request_information_then_amend_and_resubmit(
    client: TestClient, session: Session, applicant: User, clerk: User
) -> None:
    me = token_for(client, applicant)
    staff = token_for(client, clerk)
    body = _submitted(client, me)
    due = date.fromisoformat(body["decision_due"])

    missing_reason = _decide(client, staff, body["id"], "request_information", None)
    assert missing_reason.status_code == 422
    assert missing_reason.json()["detail"]["code"] == "reason_required"

    asked = _decide(client, staff, body["id"], "request_information", "Your ID is unreadable.")
    assert asked.status_code == 200
    assert asked.json()["status"] == "information_requested"
    assert asked.json()["information_request"] == "Your ID is unreadable."
    # Awb 4:5: a term to supply it, from the policy, ending on a working day.
    assert asked.json()["information_due"] == due_date(local_today(), 28).isoformat()
    item = client.get(API, headers=staff).json()["items"][0]
    assert item["status"] == "information_requested"

    session.execute(
        update(Application)
        .where(col(Application.id) == uuid.UUID(body["id"]))
        .values(paused_at=utcnow() - timedelta(days=3))
    )
    session.commit()

    # The applicant sees the request and amends.
    mine = client.get(f"{API}/{body['id']}", headers=me).json()
    assert mine["information_request"] == "Your ID is unreadable."
    assert mine["history"][-1]["reason"] == "Your ID is unreadable."
    renamed = client.patch(f"{API}/{body['id']}", json={"working_name": "Lelie"}, headers=me)
    assert renamed.status_code == 200
    assert _upload(client, me, body["id"], "identity_document", JPEG_BYTES).status_code == 201

    resubmitted = client.post(f"{API}/{body['id']}/submit", headers=me)
    assert resubmitted.status_code == 200
    assert resubmitted.json()["status"] == "in_review"
    # Awb 4:15: suspended from the day after the request until the day it was supplied.
    # The moved end falls on a working day (Algemene termijnenwet art. 1).
    moved = next_working_day(due + timedelta(days=2))
    assert date.fromisoformat(resubmitted.json()["decision_due"]) == moved
    assert resubmitted.json()["information_due"] is None  # supplied: the term is over
    approved = _decide(client, staff, body["id"], "approve", None)
    permit = client.get(f"/api/v1/permits/{approved.json()['permit_number']}", headers=me)
    assert permit.json()["working_name"] == "Lelie"


def test_refusal_needs_a_reason_and_cites_failed_rules(
    client: TestClient, session: Session, clerk: User
) -> None:
    staff = token_for(client, clerk)
    body = _submitted(client, token_for(client, make_user(session)), age=17)
    for reason in (None, "", "   "):
        response = _decide(client, staff, body["id"], "refuse", reason)
        assert response.status_code == 422
        assert response.json()["detail"]["code"] == "reason_required"
    refused = _decide(client, staff, body["id"], "refuse", "Below the minimum age.")
    assert refused.status_code == 200
    assert refused.json()["status"] == "refused"
    assert refused.json()["cited_rules"] == ["age.minimum"]
    assert refused.json()["decision_reason"] == "Below the minimum age."


def test_approval_blocked_while_a_blocking_check_fails(
    client: TestClient, session: Session, clerk: User
) -> None:
    staff = token_for(client, clerk)
    body = _submitted(client, token_for(client, make_user(session)), age=17)
    failed = [c for c in body["checks"] if not c["passed"]]
    assert [(c["rule_id"], c["severity"]) for c in failed] == [("age.minimum", "blocking")]

    response = _decide(client, staff, body["id"], "approve", None)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail["code"] == "blocking_checks_failed"
    assert [r["rule_id"] for r in detail["failed_rules"]] == ["age.minimum"]
    assert all(r["message_en"] and r["reference"] for r in detail["failed_rules"])
    after = client.get(f"{API}/{body['id']}", headers=staff).json()
    assert after["status"] == "submitted"
    assert after["permit_number"] is None


def test_double_approval_is_an_illegal_transition(
    client: TestClient, session: Session, clerk: User
) -> None:
    staff = token_for(client, clerk)
    body = _submitted(client, token_for(client, make_user(session)))
    first = _decide(client, staff, body["id"], "approve", None)
    assert first.status_code == 200
    second = _decide(client, staff, body["id"], "approve", None)
    assert second.status_code == 409
    assert second.json()["detail"]["code"] == "illegal_transition"
    assert second.json()["detail"]["current_status"] == "approved"
    refuse = _decide(client, staff, body["id"], "refuse", "Changed my mind.")
    assert refuse.status_code == 409
    assert refuse.json()["detail"]["current_status"] == "approved"


def test_applicant_cannot_decide_or_review(client: TestClient, applicant: User) -> None:
    me = token_for(client, applicant)
    body = _submitted(client, me)
    assert _decide(client, me, body["id"], "approve", None).status_code == 403
    assert client.post(f"{API}/{body['id']}/review", headers=me).status_code == 403


def test_withdraw_before_a_decision(client: TestClient, applicant: User, clerk: User) -> None:
    me = token_for(client, applicant)
    body = _submitted(client, me)
    withdrawn = client.post(f"{API}/{body['id']}/withdraw", headers=me)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"{API}/{body['id']}/withdraw", headers=me)
    assert again.status_code == 409
    assert again.json()["detail"]["current_status"] == "withdrawn"
    approve = _decide(client, token_for(client, clerk), body["id"], "approve", None)
    assert approve.status_code == 409
    assert client.get(API, headers=token_for(client, clerk)).json()["items"] == []
