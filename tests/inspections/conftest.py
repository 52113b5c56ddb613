"""People, a licensed business and helpers for the inspection tests."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session

from app.auth.models import Role, User
from app.permits.models import Permit
from app.policy import service as policy_service
from tests.factories import make_permit, make_user, token_for

API = "/api/v1/inspections"
FINDINGS = "Geen werkrooster aanwezig; vergunning niet opgehangen."


@pytest.fixture
def staff(session: Session) -> dict[str, User]:
    return {
        "inspector": make_user(session, Role.inspector),
        "other_inspector": make_user(session, Role.inspector),
        "clerk": make_user(session, Role.clerk),
        "admin": make_user(session, Role.admin),
        "coordinator": make_user(session, Role.care_coordinator),
        "applicant": make_user(session),
    }


@pytest.fixture
def business(session: Session, staff: dict[str, User]) -> Permit:
    """A licensed sex business (a type the policy inspects periodically)."""
    return make_permit(
        session, clerk=staff["clerk"], permit_type="sex_business", working_name="Club Roos"
    )


def checklist(failing: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {
            "key": item.key,
            "answer": "no" if item.key in failing else "yes",
            "note": f"Niet in orde: {item.key}" if item.key in failing else None,
        }
        for item in policy_service.load_configured().policy.inspection_checklist
    ]


def outcome(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "visited_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "people_met": [{"role": "operator"}, {"role": "worker"}],
        "checklist": checklist(),
        "outcome": "compliant",
        "findings": None,
    }
    body.update(changes)
    return body


def plan(client: TestClient, user: User, **place: Any) -> dict[str, Any]:
    response = client.post(
        API,
        json={"planned_for": datetime.now(UTC).date().isoformat(), **place},
        headers=token_for(client, user),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a GPS position and a camera owner."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = "Camera Owner Name"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 33.0, 20.0)
    gps[3] = "E"
    gps[4] = (5.0, 5.0, 1.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
