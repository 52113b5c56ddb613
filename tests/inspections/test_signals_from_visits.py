"""A signal made on a visit is never part of the visit: not in the inspection (API and
page), the address page, the report PDF, any list, or anything a clerk, an admin or a
second inspector can open. Only the care coordinator (and its author) are told that a
separate signal was made."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.permits.models import Permit
from app.policy import service as policy_service
from tests.factories import login_page, pdf_text, token_for
from tests.inspections.conftest import API, FINDINGS, checklist, outcome, plan

SIGNAL_NOTE = "Zij mocht niet zelf over haar paspoort beschikken."
INDICATORS = ["no_own_id_documents", "signs_of_coercion"]
MADE = ("separate confidential signal", "apart vertrouwelijk signaal")


def _labels() -> list[str]:
    policy = policy_service.load_configured().policy
    return [
        text
        for i in policy.trafficking_indicators
        if i.key in INDICATORS
        for text in (i.label_nl, i.label_en)
    ]


def _record_with_signal(
    client: TestClient, inspector: User, business: Permit
) -> tuple[dict[str, Any], str]:
    visit = plan(client, inspector, permit_number=business.number)
    response = client.post(
        f"{API}/{visit['id']}/outcome",
        json={
            **outcome(
                outcome="violation",
                findings=FINDINGS,
                checklist=checklist(("permit_displayed", "working_hours_register")),
            ),
            "signal": {"indicators": INDICATORS, "note": SIGNAL_NOTE},
        },
        headers=token_for(client, inspector),
    )
    assert response.status_code == 200, response.text
    assert response.json()["signal_made"] is True
    coordinator_queue: str = visit["id"]
    return response.json()["inspection"], coordinator_queue


def _no_trace(text: str) -> None:
    lowered = text.lower()
    assert SIGNAL_NOTE not in text
    assert not any(phrase in lowered for phrase in MADE)
    assert "signal_made" not in lowered and "during_visit" not in lowered
    for key in INDICATORS:
        assert key not in text
    for label in _labels():
        assert label not in text


def test_nobody_but_the_coordinator_and_the_author_learns_of_the_signal(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    inspection, inspection_id = _record_with_signal(client, staff["inspector"], business)
    _no_trace(str(inspection))  # the answer to the recording itself holds nothing of it

    coordinator = token_for(client, staff["coordinator"])
    queue = client.get("/api/v1/signals", headers=coordinator).json()["items"]
    assert len(queue) == 1
    signal = queue[0]
    assert signal["note"] == SIGNAL_NOTE and signal["during_visit"] is True
    assert business.working_name in (signal["place"] or "")

    for name in ("clerk", "admin", "other_inspector"):
        headers = token_for(client, staff[name])
        assert client.get(f"/api/v1/signals/{signal['id']}", headers=headers).status_code == 404
        assert client.get("/api/v1/signals", headers=headers).status_code == 404
        read = client.get(f"{API}/{inspection_id}", headers=headers)
        if name == "admin":
            assert read.status_code == 404  # admins do not read visits at all
            continue
        assert read.status_code == 200
        _no_trace(read.text)
        paths = ["/api/v1/inspections", "/api/v1/inspections/due"]
        if name == "clerk":
            paths.append("/api/v1/referrals")
        for path in paths:
            listed = client.get(path, headers=headers)
            assert listed.status_code == 200, (name, path)
            _no_trace(listed.text)

    # The pages: the clerk and the second inspector see the visit, never the signal.
    for name in ("clerk", "other_inspector"):
        login_page(client, staff[name])
        paths = [f"/inspections/{inspection_id}", "/home"]
        if name == "clerk":
            paths += [f"/permits/{business.number}", "/queue"]
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (name, path)
            _no_trace(page.text)
        if inspection["address_id"]:
            _no_trace(client.get(f"/addresses/{inspection['address_id']}").text)
        client.cookies.clear()

    # The author is told that a separate signal was made (never what it says).
    login_page(client, staff["inspector"])
    page = client.get(f"/inspections/{inspection_id}").text
    assert any(phrase in page for phrase in MADE) and SIGNAL_NOTE not in page
    client.cookies.clear()

    # Every read by the care coordinator is audited, without content.
    client.get(f"/api/v1/signals/{signal['id']}", headers=coordinator)
    session.expire_all()
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "signal.read", AuditEvent.object_id == signal["id"]
        )
    ).all()
    assert [r.actor_id for r in reads] == [staff["coordinator"].id]
    trail = session.exec(select(AuditEvent)).all()
    assert all(SIGNAL_NOTE not in str(e.after) for e in trail)
    inspection_trail = [e for e in trail if e.object_type == "inspection"]
    assert inspection_trail
    assert all("signal" not in str(e.after) for e in inspection_trail)


@pytest.mark.real_pdf
def test_the_report_shows_the_checklist_and_findings_and_never_the_signal(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    _, inspection_id = _record_with_signal(client, staff["inspector"], business)
    for name in ("inspector", "clerk"):
        report = client.get(
            f"{API}/{inspection_id}/report.pdf", headers=token_for(client, staff[name])
        )
        assert report.status_code == 200
        text = pdf_text(report.content)
        policy = policy_service.load_configured().policy
        for item in policy.inspection_checklist:
            assert item.label_nl in text
        assert "Overtreding" in text
        assert " ".join(FINDINGS.split()) in text
        assert business.number in text and business.working_name in text
        _no_trace(text)
    english = client.get(
        f"{API}/{inspection_id}/report.pdf?lang=en", headers=token_for(client, staff["clerk"])
    )
    text = pdf_text(english.content)
    assert "Inspection report" in text and "Violation" in text
    _no_trace(text)


def test_a_signal_names_only_a_visit_that_exists(
    client: TestClient, staff: dict[str, User]
) -> None:
    response = client.post(
        "/api/v1/signals",
        json={
            "indicators": INDICATORS,
            "inspection_id": "00000000-0000-4000-8000-000000000000",
        },
        headers=token_for(client, staff["inspector"]),
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "unknown_inspection"
