"""Planning and recording visits: the checklist of the policy in force, versions that are
never changed, photos without EXIF, referrals to the clerk, the due list."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.addresses.models import Address
from app.auth.models import User
from app.documents.models import Document, DocumentKind
from app.inspections.models import Inspection, InspectionPhoto
from app.nuisance.models import NuisanceReport
from app.permits.models import Permit, PermitStatus
from tests.factories import make_permit, token_for
from tests.inspections.conftest import API, FINDINGS, checklist, jpeg_with_gps, outcome, plan


def test_planning_needs_a_place_a_day_and_inspectors(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    clerk = token_for(client, staff["clerk"])
    today = date.today().isoformat()
    cases = [
        ({"planned_for": today}, "place_required"),
        ({"planned_for": today, "permit_number": "SWL-NOPE"}, "unknown_permit"),
        (
            {
                "planned_for": (date.today() - timedelta(days=1)).isoformat(),
                "permit_number": business.number,
            },
            "date_in_past",
        ),
        # A clerk is no inspector: they name who goes.
        ({"planned_for": today, "permit_number": business.number}, "inspectors_required"),
        (
            {
                "planned_for": today,
                "permit_number": business.number,
                "inspector_ids": [str(staff["clerk"].id)],
            },
            "not_an_inspector",
        ),
    ]
    for body, code in cases:
        response = client.post(API, json=body, headers=clerk)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"]["code"] == code
    made = client.post(
        API,
        json={
            "planned_for": today,
            "permit_number": business.number.lower(),
            "inspector_ids": [str(staff["inspector"].id), str(staff["other_inspector"].id)],
        },
        headers=clerk,
    )
    assert made.status_code == 201, made.text
    assert made.json()["permit_number"] == business.number
    assert len(made.json()["inspectors"]) == 2
    # An applicant plans nothing and reads nothing.
    applicant = token_for(client, staff["applicant"])
    assert (
        client.post(
            API, json={"planned_for": today, "permit_number": business.number}, headers=applicant
        ).status_code
        == 403
    )
    assert client.get(f"{API}/{made.json()['id']}", headers=applicant).status_code == 404


def test_the_inspector_sees_their_planned_visits(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    mine = client.get(f"{API}/mine", headers=token_for(client, staff["inspector"])).json()
    assert [v["id"] for v in mine] == [visit["id"]]
    other = client.get(f"{API}/mine", headers=token_for(client, staff["other_inspector"])).json()
    assert other == []


def test_the_checklist_is_the_policys_and_complete(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    headers = token_for(client, staff["inspector"])
    partial = client.post(
        f"{API}/{visit['id']}/outcome", json=outcome(checklist=checklist()[1:]), headers=headers
    )
    assert partial.status_code == 422
    assert partial.json()["detail"]["code"] == "checklist_incomplete"
    assert partial.json()["detail"]["missing"] == [checklist()[0]["key"]]
    extra = [*checklist(), {"key": "made_up", "answer": "yes"}]
    unknown = client.post(
        f"{API}/{visit['id']}/outcome", json=outcome(checklist=extra), headers=headers
    )
    assert unknown.json()["detail"]["unknown"] == ["made_up"]
    no_findings = client.post(
        f"{API}/{visit['id']}/outcome", json=outcome(outcome="warning"), headers=headers
    )
    assert no_findings.json()["detail"]["code"] == "findings_required"
    future = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(visited_at=(datetime.now(UTC) + timedelta(days=2)).isoformat()),
        headers=headers,
    )
    assert future.json()["detail"]["code"] == "visited_at_invalid"
    named = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(people_met=[{"role": "worker", "permit_number": "SWL-0000-0000"}]),
        headers=headers,
    )
    assert named.json()["detail"]["code"] == "unknown_permit_number"
    # Nothing of the refused attempts was kept.
    assert client.get(f"{API}/{visit['id']}", headers=headers).json()["versions"] == []


def test_a_recorded_visit_is_corrected_only_by_a_new_version(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    headers = token_for(client, staff["inspector"])
    first = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(
            outcome="warning",
            findings="Rooster onvolledig.",
            checklist=checklist(("working_hours_register",)),
        ),
        headers=headers,
    )
    assert first.status_code == 200, first.text
    recorded = first.json()["inspection"]
    assert recorded["status"] == "recorded"
    no_reason = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="compliant", version=recorded["version"]),
        headers=headers,
    )
    assert no_reason.json()["detail"]["code"] == "correction_reason_required"
    stale = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(
            outcome="compliant", reason="Rooster later getoond.", version=recorded["version"] - 1
        ),
        headers=headers,
    )
    assert stale.status_code == 409
    corrected = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(
            outcome="compliant", reason="Rooster later getoond.", version=recorded["version"]
        ),
        headers=token_for(client, staff["other_inspector"]),
    )
    assert corrected.status_code == 200, corrected.text
    versions = corrected.json()["inspection"]["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["outcome"] == "warning" and versions[0]["findings"] == "Rooster onvolledig."
    assert versions[1]["reason"] == "Rooster later getoond."
    assert corrected.json()["inspection"]["outcome"] == "compliant"
    # Each version has its own report; the first stays downloadable.
    for number in (1, 2):
        report = client.get(f"{API}/{visit['id']}/report.pdf?version={number}", headers=headers)
        assert report.status_code == 200
        assert report.headers["content-type"] == "application/pdf"
    keys = {
        d.natural_key
        for d in session.exec(
            select(Document).where(Document.kind == DocumentKind.inspection_report)
        )
    }
    assert {f"inspection:{visit['id']}:v1:nl", f"inspection:{visit['id']}:v2:nl"} <= keys
    assert (
        client.get(f"{API}/{visit['id']}/report.pdf?version=3", headers=headers).status_code == 404
    )


def test_a_photo_is_stored_without_exif_or_gps(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    headers = token_for(client, staff["inspector"])
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # it does carry GPS
    response = client.post(
        f"{API}/{visit['id']}/photos",
        files={"file": ("IMG_0001.jpg", original, "image/jpeg")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    stored = client.get(response.json()["url"], headers=headers)
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(stored.content))
    assert image.format == "JPEG" and image.size == (64, 48)
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x013B not in exif and "exif" not in image.info
    assert b"Camera Owner Name" not in stored.content
    # A photo from a visit is for those who read visits.
    assert (
        client.get(
            response.json()["url"], headers=token_for(client, staff["applicant"])
        ).status_code
        == 404
    )


def test_an_upload_that_is_not_an_image_is_refused_by_content(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    headers = token_for(client, staff["inspector"])
    for content in (b"%PDF-1.7 not a photo", b"\xff\xd8\xff\xe0 truncated jpeg", b"GIF89a......"):
        response = client.post(
            f"{API}/{visit['id']}/photos",
            files={"file": ("photo.jpg", content, "image/jpeg")},
            headers=headers,
        )
        assert response.status_code in (415, 422), response.text
        assert response.json()["detail"]["code"] in ("image_type", "unreadable_image")
    assert session.exec(select(InspectionPhoto)).all() == []


def test_a_photo_of_another_visit_cannot_be_put_in_a_record(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    headers = token_for(client, staff["inspector"])
    one = plan(client, staff["inspector"], permit_number=business.number)
    two = plan(client, staff["inspector"], permit_number=business.number)
    photo = client.post(
        f"{API}/{one['id']}/photos",
        files={"file": ("a.jpg", jpeg_with_gps(), "image/jpeg")},
        headers=headers,
    ).json()
    wrong = client.post(
        f"{API}/{two['id']}/outcome", json=outcome(photo_ids=[photo["id"]]), headers=headers
    )
    assert wrong.json()["detail"]["code"] == "unknown_photo"
    right = client.post(
        f"{API}/{one['id']}/outcome", json=outcome(photo_ids=[photo["id"]]), headers=headers
    )
    assert right.json()["inspection"]["versions"][0]["photos"][0]["id"] == photo["id"]


def test_a_violation_refers_the_permit_to_the_clerk_who_suspends_it(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    inspector = token_for(client, staff["inspector"])
    recorded = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(
            outcome="violation",
            findings=FINDINGS,
            checklist=checklist(("permit_displayed", "working_hours_register")),
        ),
        headers=inspector,
    )
    assert recorded.status_code == 200, recorded.text
    clerk = token_for(client, staff["clerk"])
    referrals = client.get("/api/v1/referrals", headers=clerk).json()["items"]
    assert len(referrals) == 1 and referrals[0]["permit_number"] == business.number
    assert referrals[0]["findings"] == FINDINGS
    assert client.get("/api/v1/referrals", headers=inspector).status_code == 403
    decided = client.post(
        f"/api/v1/referrals/{referrals[0]['id']}/decision",
        json={"action": "suspend", "reason": "Overtreding van de vergunningvoorschriften."},
        headers=clerk,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "handled"
    session.expire_all()
    permit = session.get(Permit, business.id)
    assert permit is not None and permit.status is PermitStatus.suspended
    # The permit names the visit (day, outcome, report reference); the findings are quoted
    # only in the decision letter, whose data is encrypted.
    assert "Inspectie op" in (permit.status_reason or "")
    assert visit["id"][:8].upper() in (permit.status_reason or "")
    assert FINDINGS not in (permit.status_reason or "")
    letter = session.exec(
        select(Document).where(
            Document.kind == DocumentKind.decision_suspend, Document.subject_id == business.id
        )
    ).one()
    assert FINDINGS in letter.source_data["reason"]
    # Handled once: a second decision is refused, and the queue is empty.
    again = client.post(
        f"/api/v1/referrals/{referrals[0]['id']}/decision",
        json={"action": "revoke", "reason": "Nog een keer."},
        headers=clerk,
    )
    assert again.status_code == 409
    assert client.get("/api/v1/referrals", headers=clerk).json()["items"] == []


def test_a_correction_that_takes_the_violation_away_withdraws_the_referral(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    inspector = token_for(client, staff["inspector"])
    first = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="violation", findings=FINDINGS),
        headers=inspector,
    ).json()
    clerk = token_for(client, staff["clerk"])
    assert len(client.get("/api/v1/referrals", headers=clerk).json()["items"]) == 1
    client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(
            reason="Verkeerde vestiging ingevuld.", version=first["inspection"]["version"]
        ),
        headers=inspector,
    )
    assert client.get("/api/v1/referrals", headers=clerk).json()["items"] == []


def test_a_warning_letter_goes_to_the_permit_holder(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="warning", findings=FINDINGS, warning_letter=True),
        headers=token_for(client, staff["inspector"]),
    )
    letter = session.exec(
        select(Document).where(Document.kind == DocumentKind.inspection_warning)
    ).one()
    assert letter.owner_id == business.holder_id
    holder = session.get(User, business.holder_id)
    assert holder is not None
    assert (
        client.get(f"/api/v1/documents/{letter.id}", headers=token_for(client, holder)).status_code
        == 200
    )
    # The holder reads the letter, never the inspection or its report.
    assert client.get(f"{API}/{visit['id']}", headers=token_for(client, holder)).status_code == 404


def test_an_address_visit_has_no_referral_or_warning(
    client: TestClient, session: Session, staff: dict[str, User]
) -> None:
    visit = plan(client, staff["inspector"], postcode="5038 AB", house_number="12A")
    response = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="violation", findings=FINDINGS, refer_to_clerk=True),
        headers=token_for(client, staff["inspector"]),
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "needs_permit"


def test_the_due_list(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    inspector = token_for(client, staff["inspector"])

    def due() -> dict[str, list[dict[str, object]]]:
        response = client.get(f"{API}/due", headers=inspector)
        assert response.status_code == 200, response.text
        return dict(response.json())

    never = [d for d in due()["businesses"] if d["permit_number"] == business.number]
    assert [d["reason"] for d in never] == ["never_inspected"]
    visit = plan(client, staff["inspector"], permit_number=business.number)
    assert business.number not in {d["permit_number"] for d in due()["businesses"]}  # planned
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    client.post(
        f"{API}/{visit['id']}/outcome", json=outcome(reinspect_on=tomorrow), headers=inspector
    )
    assert business.number not in {d["permit_number"] for d in due()["businesses"]}  # just visited
    assert due()["follow_ups"] == []
    # The follow-up date comes.
    row = session.get(Inspection, uuid.UUID(visit["id"]))
    assert row is not None
    row.follow_up_on = date.today()
    session.add(row)
    session.commit()
    assert [d["permit_number"] for d in due()["follow_ups"]] == [business.number]
    plan(client, staff["inspector"], permit_number=business.number)  # the re-inspection
    assert due()["follow_ups"] == []
    # Personal permits are not visited periodically.
    personal = make_permit(session, clerk=staff["clerk"], working_name="Roos")
    listed = {d["permit_number"] for d in due()["businesses"]}
    assert personal.number not in listed


def test_an_address_with_recent_substantiated_nuisance_is_due(
    client: TestClient, session: Session, staff: dict[str, User]
) -> None:
    address = Address(postcode="5011 AA", house_number=7)
    session.add(address)
    session.flush()
    session.add(
        NuisanceReport(
            reference="OV-TEST-0001",
            address_id=address.id,
            category="noise",
            observed_on=date.today() - timedelta(days=3),
            substantiated=True,
        )
    )
    session.commit()
    inspector = token_for(client, staff["inspector"])
    nuisance = client.get(f"{API}/due", headers=inspector).json()["nuisance"]
    assert [d["address_id"] for d in nuisance] == [str(address.id)]
    plan(client, staff["inspector"], address_id=str(address.id))
    assert client.get(f"{API}/due", headers=inspector).json()["nuisance"] == []


def test_text_that_cannot_be_stored_is_refused_and_nothing_breaks(
    client: TestClient, session: Session, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    headers = token_for(client, staff["inspector"])
    as_json = {**headers, "content-type": "application/json"}
    for bad in ("lone \udc80 surrogate", "c1 \x85 control", "nul \x00"):
        # Sent as escaped JSON, as an attacker's client would (\udc80 is no UTF-8).
        response = client.post(
            f"{API}/{visit['id']}/outcome",
            content=json.dumps(outcome(outcome="violation", findings=bad)),
            headers=as_json,
        )
        assert response.status_code == 422, bad
        signal = client.post(
            "/api/v1/signals",
            content=json.dumps({"indicators": ["signs_of_coercion"], "note": bad}),
            headers=as_json,
        )
        assert signal.status_code == 422, bad
        draft = client.post(
            f"{API}/{visit['id']}/draft",
            content=json.dumps({"draft": {"findings": bad}}),
            headers=as_json,
        )
        assert draft.status_code == 422, bad
    for draft in ({"photo_ids": 5}, {"photo_ids": None}, {"findings": ["a"]}, {"Bad Key": "x"}):
        response = client.post(f"{API}/{visit['id']}/draft", json={"draft": draft}, headers=headers)
        assert response.status_code == 422, draft
    kept = client.post(
        f"{API}/{visit['id']}/draft",
        json={"draft": {"findings": "ok", "signal_note": "geheim", "indicators": "x"}},
        headers=headers,
    )
    assert kept.status_code == 204
    session.expire_all()
    row = session.get(Inspection, uuid.UUID(visit["id"]))
    assert row is not None and row.draft == {"findings": "ok"}  # never a signal's fields
    assert client.get(f"{API}/{visit['id']}", headers=headers).status_code == 200


def test_a_time_without_an_offset_is_local_time(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    local = (datetime.now() - timedelta(hours=3)).replace(microsecond=0, tzinfo=None)
    response = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(visited_at=local.isoformat()),
        headers=token_for(client, staff["inspector"]),
    )
    assert response.status_code == 200, response.text
    assert response.json()["inspection"]["visited_at"].endswith(("Z", "+00:00"))


def test_a_colleague_who_records_the_same_visit_is_told_it_was_recorded(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    first = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(version=visit["version"]),
        headers=token_for(client, staff["inspector"]),
    )
    assert first.status_code == 200
    second = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(outcome="warning", findings="Anders gezien.", version=visit["version"]),
        headers=token_for(client, staff["other_inspector"]),
    )
    assert second.status_code == 409 and second.json()["detail"]["code"] == "stale_version"
    unversioned = client.post(
        f"{API}/{visit['id']}/outcome",
        json=outcome(),
        headers=token_for(client, staff["other_inspector"]),
    )
    assert unversioned.status_code == 409
    assert unversioned.json()["detail"]["code"] == "already_recorded"


def test_a_signal_names_only_a_visit_its_author_went_on(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    body = {"indicators": ["signs_of_coercion"], "inspection_id": visit["id"]}
    other = client.post(
        "/api/v1/signals", json=body, headers=token_for(client, staff["other_inspector"])
    )
    assert other.status_code == 422 and other.json()["detail"]["code"] == "unknown_inspection"
    mine = client.post("/api/v1/signals", json=body, headers=token_for(client, staff["inspector"]))
    assert mine.status_code == 201


def test_a_decompression_bomb_is_too_large(
    client: TestClient, staff: dict[str, User], business: Permit
) -> None:
    visit = plan(client, staff["inspector"], permit_number=business.number)
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG", optimize=True)
    response = client.post(
        f"{API}/{visit['id']}/photos",
        files={"file": ("bomb.png", out.getvalue(), "image/png")},
        headers=token_for(client, staff["inspector"]),
    )
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "image_too_large"
