"""The inspection pages (planning, the recording form that never loses what was typed) and
the retention schedule for visits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select, update

from app import retention
from app.audit.models import AuditEvent
from app.auth.models import User
from app.db import local_today, utcnow
from app.documents.models import Document, SubjectType
from app.documents.store import get_store
from app.inspections.models import Inspection, InspectionPhoto, InspectionVersion
from app.permits.models import Permit
from app.policy import service as policy_service
from app.signals.models import Signal
from tests.factories import csrf_from, login_page, token_for
from tests.inspections.conftest import API, FINDINGS, jpeg_with_gps, outcome, plan


def _form(token: str, **values: Any) -> dict[str, Any]:
    items = policy_service.load_configured().policy.inspection_checklist
    data: dict[str, Any] = {
        "csrf_token": token,
        "visited_on": local_today().isoformat(),
        "visited_time": "00:05",
        "person_role_0": "operator",
        "outcome": "violation",
        "findings": FINDINGS,
        "action": "record",
        **{f"answer_{i.key}": "yes" for i in items},
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_planning_page_keeps_the_input_and_says_what_is_wrong(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    login_page(client, staff["inspector"])
    page = client.get("/inspections/new")
    assert page.status_code == 200
    token = csrf_from(page.text)
    wrong = client.post(
        "/inspections/new",
        data={
            "csrf_token": token,
            "place": "permit",
            "permit_number": "SW-NOPE",
            "planned_for": local_today().isoformat(),
            "inspector_ids": str(staff["inspector"].id),
        },
    )
    assert wrong.status_code == 422
    assert "Er is geen vergunning met dit nummer" in wrong.text
    assert 'value="SW-NOPE"' in wrong.text
    made = client.post(
        "/inspections/new",
        data={
            "csrf_token": token,
            "place": "permit",
            "permit_number": business.number,
            "planned_for": local_today().isoformat(),
            "inspector_ids": str(staff["inspector"].id),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert "Club Roos" in client.get(made.headers["location"]).text
    assert "Club Roos" in client.get("/home").text  # on the inspector's planned visits


def test_a_failed_record_keeps_everything_typed_as_a_draft_but_never_the_signal(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    login_page(client, staff["inspector"])
    page = client.get(f"/inspections/{visit['id']}/record")
    assert page.status_code == 200
    token = csrf_from(page.text)
    first_key = policy_service.load_configured().policy.inspection_checklist[0].key
    failed = client.post(
        f"/inspections/{visit['id']}/record",
        data=_form(
            token,
            **{f"answer_{first_key}": None},
            indicators="no_own_id_documents",
            signal_note="Paspoort bij de baas.",
        ),
        files={"photo": ("deur.jpg", jpeg_with_gps(), "image/jpeg")},
    )
    assert failed.status_code == 422
    assert "Kies ja, nee of niet van toepassing." in failed.text
    assert FINDINGS in failed.text
    assert 'checked value="no_own_id_documents"' in failed.text or (
        'value="no_own_id_documents" data-no-draft checked' in failed.text
    )
    session.expire_all()
    row = session.get(Inspection, uuid.UUID(visit["id"]))
    assert row is not None and row.status.value == "planned"
    assert row.draft["findings"] == FINDINGS
    assert len(row.draft["photo_ids"]) == 1  # the chosen photo was uploaded, not dropped
    assert "indicators" not in row.draft and "signal_note" not in row.draft
    assert "Paspoort" not in str(row.draft)
    assert session.exec(select(Signal)).all() == []  # nothing half-made
    assert session.exec(select(InspectionVersion)).all() == []

    # Reopened later: the draft is there; completed, the visit is recorded with the signal.
    reopened = client.get(f"/inspections/{visit['id']}/record")
    assert FINDINGS in reopened.text
    done = client.post(
        f"/inspections/{visit['id']}/record",
        data=_form(token, photo_ids=row.draft["photo_ids"][0], indicators="no_own_id_documents"),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    shown = client.get(done.headers["location"]).text
    assert "De controle is vastgelegd" in shown and "apart vertrouwelijk signaal" in shown
    session.expire_all()
    signal = session.exec(select(Signal)).one()
    assert signal.inspection_id == uuid.UUID(visit["id"])
    recorded = session.get(Inspection, uuid.UUID(visit["id"]))
    assert recorded is not None and recorded.draft == {}


def test_control_characters_and_huge_input_are_refused_without_a_500(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    login_page(client, staff["inspector"])
    token = csrf_from(client.get(f"/inspections/{visit['id']}/record").text)
    nul = client.post(f"/inspections/{visit['id']}/record", data=_form(token, findings="a\x00b"))
    assert nul.status_code == 422
    assert session.exec(select(InspectionVersion)).all() == []
    big = client.post(f"/inspections/{visit['id']}/draft", data=_form(token, findings="x" * 70_000))
    assert big.status_code == 413
    saved = client.post(f"/inspections/{visit['id']}/draft", data=_form(token, findings="kort"))
    assert saved.status_code == 204
    headers = token_for(client, staff["inspector"])
    api = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="warning", findings="x" * 9000),
        headers=headers,
    )
    assert api.status_code == 422
    other = client.get(f"{API}/{uuid.uuid4()}", headers=headers)
    assert other.status_code == 404


def test_visits_are_erased_after_their_period_with_photos_and_reports(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    headers = token_for(client, staff["inspector"])
    photo = client.post(
        f"{API}/{visit['id']}/photos",
        files={"file": ("a.jpg", jpeg_with_gps(), "image/jpeg")},
        headers=headers,
    ).json()
    client.post(
        f"{API}/{visit['id']}/outcome",
        json={
            **outcome(photo_ids=[photo["id"]], outcome="violation", findings=FINDINGS),
            "signal": {"indicators": ["signs_of_coercion"]},
        },
        headers=headers,
    )
    visit_id = uuid.UUID(visit["id"])
    stored = session.exec(select(InspectionPhoto)).one().sha256
    assert get_store("photos").exists(stored)
    assert retention.run(session=session).inspections == 0  # not due yet
    months = policy_service.load_configured().policy.retention.inspection_months
    session.execute(
        update(Inspection)
        .where(Inspection.id == visit_id)  # type: ignore[arg-type]
        .values(visited_at=utcnow() - timedelta(days=31 * (months + 1)))
    )
    session.commit()
    report = retention.run(session=session)
    assert report.inspections == 1 and report.photos_deleted == 1
    session.expire_all()
    assert session.get(Inspection, visit_id) is None
    assert session.exec(select(InspectionVersion)).all() == []
    assert not get_store("photos").exists(stored)
    assert (
        session.exec(
            select(Document).where(
                Document.subject_type == SubjectType.inspection, Document.subject_id == visit_id
            )
        ).all()
        == []
    )
    signal = session.exec(select(Signal)).one()  # its own schedule; the link is gone
    assert signal.inspection_id is None
    erased = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "inspection.erase", AuditEvent.object_id == str(visit_id)
        )
    ).one()
    assert erased.after == {"reason": "retention schedule", "photos": 1}


def test_the_clerks_referral_form_refuses_control_characters_and_other_permits(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="violation", findings=FINDINGS),
        headers=token_for(client, staff["inspector"]),
    )
    login_page(client, staff["clerk"])
    page = client.get(f"/permits/{business.number}")
    assert FINDINGS in page.text
    token = csrf_from(page.text)
    referral_id = page.text.split('id="referral-')[1].split('"')[0]
    bad = client.post(
        f"/permits/{business.number}/referrals/{referral_id}",
        data={"csrf_token": token, "action": "suspend", "reason": "ab\x00c"},
    )
    assert bad.status_code == 422
    session.expire_all()
    assert session.get(Permit, business.id).status.value == "active"  # type: ignore[union-attr]
    elsewhere = client.post(
        f"/permits/SW-AAAA-BBBB-CCCC/referrals/{referral_id}",
        data={"csrf_token": token, "action": "none", "reason": "Niet nodig."},
    )
    assert elsewhere.status_code == 404
    done = client.post(
        f"/permits/{business.number}/referrals/{referral_id}",
        data={"csrf_token": token, "action": "suspend", "reason": "Overtreding vastgesteld."},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Permit, business.id).status.value == "suspended"  # type: ignore[union-attr]


def test_many_visits_are_erased_in_batches(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit, monkeypatch: Any
) -> None:
    monkeypatch.setattr(retention, "ERASE_BATCH", 2)
    ids = [
        uuid.UUID(plan(client, staff["inspector"], permit_number=business.number)["id"])
        for _ in range(5)
    ]
    session.execute(
        update(Inspection)
        .where(Inspection.id.in_(ids))  # type: ignore[attr-defined]
        .values(planned_for=local_today() - timedelta(days=31 * 70))
    )
    session.commit()
    report = retention.run(session=session)
    assert report.inspections == 5
    session.expire_all()
    assert all(session.get(Inspection, i) is None for i in ids)


def test_a_cancelled_re_inspection_puts_the_follow_up_back_on_the_due_list(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    headers = token_for(client, staff["inspector"])
    first = plan(client, staff["inspector"], permit_number=business.number)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    client.post(
        f"{API}/{first['id']}/outcome", json=outcome(reinspect_on=tomorrow), headers=headers
    )
    session.execute(
        update(Inspection)
        .where(Inspection.id == uuid.UUID(first["id"]))  # type: ignore[arg-type]
        .values(follow_up_on=local_today())
    )
    session.commit()

    def follow_ups() -> list[str]:
        return [
            d["permit_number"]
            for d in client.get(f"{API}/due", headers=headers).json()["follow_ups"]
        ]

    assert follow_ups() == [business.number]
    second = plan(client, staff["inspector"], permit_number=business.number)
    assert follow_ups() == []
    client.post(
        f"{API}/{second['id']}/cancel",
        json={"reason": "Bedrijf gesloten die dag."},
        headers=headers,
    )
    assert follow_ups() == [business.number]
