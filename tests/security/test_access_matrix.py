"""The access matrix: every route the app registers (API and pages), called by every role,
anonymously and by another applicant, with the ids of one applicant's objects. A route
without an entry below fails the test, and so does any 2xx answer to someone the entry
does not name. GETs read the objects; POSTs go out with a valid CSRF token (pages) or an
empty body (API), so an entry says who may be let through at all."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.routing import Mount

from app.applications.models import ApplicationDocument
from app.auth.models import Role, User
from app.documents.models import Document
from app.inspections import service as inspections_service
from app.inspections.models import InspectionPlan, Outcome, OutcomeIn
from app.nuisance import service as nuisance_service
from app.nuisance.models import NuisanceReport, NuisanceReportCreate
from app.policy import service as policy_service
from app.privacy import service as privacy_service
from app.privacy.models import ErasureRequestIn
from app.signals import service as signals_service
from app.signals.models import SignalCreate
from tests.factories import (
    JPEG_BYTES,
    csrf_from,
    login_page,
    make_permit,
    make_user,
    token_for,
)

IDENTITIES = ("anonymous", "owner", "other", "clerk", "inspector", "coordinator", "admin")
EVERYONE = frozenset(IDENTITIES)
SIGNED_IN = EVERYONE - {"anonymous"}
APPLICANTS = frozenset({"owner", "other"})
STAFF = frozenset({"clerk", "inspector", "coordinator", "admin"})
NOBODY: frozenset[str] = frozenset()


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


# Who may get a 2xx from each route (method and path as the app declares them). Reading
# one's own account, data and requests is everyone's right (staff too); another person's
# objects open only for the roles that work with them; "other" (a second applicant) never.
PUBLIC = EVERYONE
OWNER_AND_CLERK = _s("owner", "clerk")
VISITS = _s("clerk", "inspector")
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    # Public pages and answers.
    ("GET", "/"): EVERYONE,
    ("GET", "/beleid"): PUBLIC,
    ("GET", "/beleid/vergelijken"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/privacy"): PUBLIC,
    ("GET", "/toegankelijkheid"): PUBLIC,
    ("GET", "/contact"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/theme.css"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("GET", "/login/code"): PUBLIC,
    ("GET", "/login/enrol"): PUBLIC,
    ("GET", "/register"): PUBLIC,
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/policy"): PUBLIC,
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/{number}"): PUBLIC,
    ("GET", "/overlast-melden"): PUBLIC,
    ("GET", "/overlast-melden/ontvangen"): PUBLIC,
    ("GET", "/overlast-melden/status"): PUBLIC,
    ("GET", "/api/v1/policy"): PUBLIC,
    ("GET", "/api/v1/public/permits/{number}"): PUBLIC,
    ("GET", "/api/v1/public/nuisance-reports/{reference}"): PUBLIC,
    # Open data: the statistics with small counts suppressed.
    ("GET", "/api/v1/public/statistics"): PUBLIC,
    # The staff statistics: the analyst and the admin.
    ("GET", "/statistics"): _s("admin"),
    ("GET", "/statistics/{quarter}/{table}.csv"): _s("admin"),
    ("GET", "/statistics/scenario"): _s("admin"),
    ("GET", "/statistics/{quarter}/report.pdf"): _s("admin"),
    ("POST", "/login"): PUBLIC,
    ("GET", "/password/forgot"): PUBLIC,
    ("POST", "/password/forgot"): PUBLIC,
    ("GET", "/password/reset"): PUBLIC,
    ("POST", "/password/reset"): PUBLIC,
    ("POST", "/login/code"): PUBLIC,
    ("POST", "/login/enrol"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("POST", "/lang"): PUBLIC,
    ("POST", "/overlast-melden"): PUBLIC,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/nuisance-reports"): PUBLIC,
    # One's own account and data.
    ("GET", "/home"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/account/mail"): SIGNED_IN,
    ("POST", "/account/mail"): SIGNED_IN,
    ("GET", "/account/data"): SIGNED_IN,
    ("GET", "/account/data/export.json"): SIGNED_IN,
    ("GET", "/account/data/export.pdf"): SIGNED_IN,
    ("POST", "/account/data/erasure"): SIGNED_IN,
    ("GET", "/api/v1/users/me"): SIGNED_IN,
    ("GET", "/api/v1/me/export"): SIGNED_IN,
    ("GET", "/api/v1/me/export.pdf"): SIGNED_IN,
    ("GET", "/api/v1/me/erasure-requests"): SIGNED_IN,
    ("POST", "/api/v1/me/erasure-requests"): SIGNED_IN,
    # An applicant's applications and permits.
    ("GET", "/applications/new"): APPLICANTS,
    ("POST", "/applications/new"): APPLICANTS,
    ("GET", "/applications/{application_id}"): OWNER_AND_CLERK,
    ("GET", "/applications/{application_id}/details"): OWNER_AND_CLERK,
    ("POST", "/applications/{application_id}/details"): _s("owner"),
    ("GET", "/applications/{application_id}/documents"): OWNER_AND_CLERK,
    ("POST", "/applications/{application_id}/documents"): _s("owner"),
    ("GET", "/applications/{application_id}/documents/{document_id}"): OWNER_AND_CLERK,
    ("POST", "/applications/{application_id}/submit"): _s("owner"),
    ("POST", "/applications/{application_id}/withdraw"): _s("owner"),
    ("GET", "/documents/{document_id}"): OWNER_AND_CLERK,
    ("GET", "/permits/{number}"): OWNER_AND_CLERK,
    ("GET", "/permits/{number}/pdf"): OWNER_AND_CLERK,
    ("POST", "/permits/{number}/renew"): _s("owner"),
    ("POST", "/permits/{number}/status"): _s("clerk"),
    ("POST", "/permits/{number}/referrals/{referral_id}"): _s("clerk"),
    ("GET", "/api/v1/applications"): _s("owner", "other", "clerk"),
    ("POST", "/api/v1/applications"): APPLICANTS,
    ("GET", "/api/v1/applications/{application_id}"): OWNER_AND_CLERK,
    ("PATCH", "/api/v1/applications/{application_id}"): _s("owner"),
    ("GET", "/api/v1/applications/{application_id}/documents"): OWNER_AND_CLERK,
    ("POST", "/api/v1/applications/{application_id}/documents"): _s("owner"),
    ("GET", "/api/v1/applications/{application_id}/documents/{document_id}"): OWNER_AND_CLERK,
    ("POST", "/api/v1/applications/{application_id}/submit"): _s("owner"),
    ("POST", "/api/v1/applications/{application_id}/withdraw"): _s("owner"),
    ("POST", "/api/v1/applications/{application_id}/decision"): _s("clerk"),
    ("POST", "/api/v1/applications/{application_id}/review"): _s("clerk"),
    ("GET", "/api/v1/documents/{document_id}"): OWNER_AND_CLERK,
    ("GET", "/api/v1/permits/{number}"): OWNER_AND_CLERK,
    ("GET", "/api/v1/permits/{number}/pdf"): OWNER_AND_CLERK,
    ("POST", "/api/v1/permits/{number}/renewal"): _s("owner"),
    ("POST", "/api/v1/permits/{number}/suspend"): _s("clerk"),
    ("POST", "/api/v1/permits/{number}/reinstate"): _s("clerk"),
    ("POST", "/api/v1/permits/{number}/revoke"): _s("clerk"),
    # The clerk's work.
    ("GET", "/queue"): _s("clerk"),
    ("GET", "/queue/{application_id}"): _s("clerk"),
    ("POST", "/queue/{application_id}/decision"): _s("clerk"),
    ("GET", "/privacy-requests"): _s("clerk"),
    ("POST", "/privacy-requests/{request_id}/handle"): _s("clerk"),
    ("GET", "/api/v1/erasure-requests"): _s("clerk"),
    ("GET", "/api/v1/erasure-requests/{request_id}"): OWNER_AND_CLERK,
    ("POST", "/api/v1/erasure-requests/{request_id}/handle"): _s("clerk"),
    ("GET", "/api/v1/referrals"): _s("clerk"),
    ("POST", "/api/v1/referrals/{referral_id}/decision"): _s("clerk"),
    # Home work and nuisance.
    ("GET", "/home-work"): APPLICANTS,
    ("POST", "/home-work"): APPLICANTS,
    ("POST", "/home-work/{registration_id}/end"): APPLICANTS,
    ("POST", "/home-work/{registration_id}/response"): APPLICANTS,
    ("GET", "/staff/home-work"): VISITS,
    ("GET", "/staff/home-work/{registration_id}"): VISITS,
    ("POST", "/staff/home-work/{registration_id}/decision"): _s("clerk"),
    ("GET", "/api/v1/home-work-registrations"): _s("owner", "other", "clerk", "inspector"),
    ("POST", "/api/v1/home-work-registrations"): APPLICANTS,
    ("GET", "/api/v1/home-work-registrations/{registration_id}"): NOBODY,  # none made here
    ("GET", "/api/v1/home-work-registrations/{registration_id}/documents"): NOBODY,
    ("POST", "/api/v1/home-work-registrations/{registration_id}/end"): NOBODY,
    ("POST", "/api/v1/home-work-registrations/{registration_id}/response"): NOBODY,
    ("POST", "/api/v1/home-work-registrations/{registration_id}/review-decision"): NOBODY,
    ("GET", "/addresses/{address_id}"): VISITS,
    ("GET", "/nuisance-reports"): VISITS,
    ("POST", "/nuisance-reports/{report_id}/assessment"): VISITS,
    ("GET", "/api/v1/nuisance-reports"): VISITS,
    ("GET", "/api/v1/nuisance-reports/{report_id}"): VISITS,
    ("POST", "/api/v1/nuisance-reports/{report_id}/assessment"): VISITS,
    # Inspections.
    ("GET", "/inspections/new"): VISITS,
    ("POST", "/inspections/new"): VISITS,
    ("GET", "/inspections/{inspection_id}"): VISITS,
    ("POST", "/inspections/{inspection_id}/cancel"): VISITS,
    ("GET", "/inspections/{inspection_id}/record"): _s("inspector"),
    ("POST", "/inspections/{inspection_id}/record"): _s("inspector"),
    ("POST", "/inspections/{inspection_id}/draft"): _s("inspector"),
    ("GET", "/inspections/{inspection_id}/photos/{photo_id}"): VISITS,
    ("GET", "/inspections/{inspection_id}/report.pdf"): VISITS,
    ("GET", "/api/v1/inspections"): VISITS,
    ("POST", "/api/v1/inspections"): VISITS,
    ("GET", "/api/v1/inspections/due"): VISITS,
    ("GET", "/api/v1/inspections/mine"): VISITS,
    ("GET", "/api/v1/inspections/{inspection_id}"): VISITS,
    ("POST", "/api/v1/inspections/{inspection_id}/cancel"): VISITS,
    ("POST", "/api/v1/inspections/{inspection_id}/draft"): _s("inspector"),
    ("POST", "/api/v1/inspections/{inspection_id}/outcome"): _s("inspector"),
    ("POST", "/api/v1/inspections/{inspection_id}/photos"): _s("inspector"),
    ("GET", "/api/v1/inspections/{inspection_id}/photos/{photo_id}"): VISITS,
    ("GET", "/api/v1/inspections/{inspection_id}/report.pdf"): VISITS,
    # Signals: the care coordinator's, and their author's until taken.
    ("GET", "/signals/new"): _s("inspector", "coordinator"),
    ("POST", "/signals/new"): _s("inspector", "coordinator"),
    ("GET", "/signals/made"): _s("inspector", "coordinator"),
    ("GET", "/signals/{signal_id}"): _s("inspector", "coordinator"),
    ("POST", "/signals/{signal_id}/take"): _s("coordinator"),
    ("POST", "/signals/{signal_id}/follow-ups"): _s("coordinator"),
    ("GET", "/api/v1/signals"): _s("coordinator"),
    ("POST", "/api/v1/signals"): _s("inspector", "coordinator"),
    ("GET", "/api/v1/signals/{signal_id}"): _s("inspector", "coordinator"),
    ("POST", "/api/v1/signals/{signal_id}/take"): _s("coordinator"),
    ("POST", "/api/v1/signals/{signal_id}/follow-ups"): _s("coordinator"),
    # Staff accounts.
    ("GET", "/admin/users"): _s("admin"),
    # Admins, in development only (APP_ENV=development; the tests run as `test`).
    ("GET", "/dev/mail"): NOBODY,
    ("POST", "/admin/users"): _s("admin"),
    ("POST", "/admin/users/{user_id}/active"): _s("admin"),
    ("POST", "/admin/users/{user_id}/role"): _s("admin"),
    ("GET", "/register/confirm"): PUBLIC,
    ("POST", "/register/confirm"): PUBLIC,
    ("POST", "/api/v1/auth/confirm"): PUBLIC,
    ("POST", "/api/v1/users/{user_id}/role"): _s("admin"),
    ("POST", "/admin/users/{user_id}/mfa/reset"): _s("admin"),
    ("POST", "/admin/users/{user_id}/sessions/end"): _s("admin"),
    ("POST", "/admin/users/{user_id}/password-reset"): _s("admin"),
    ("GET", "/api/v1/users"): _s("clerk", "admin"),
    ("POST", "/api/v1/users"): _s("admin"),
    ("GET", "/api/v1/users/{user_id}"): _s("clerk", "admin"),
    ("POST", "/api/v1/users/{user_id}/activate"): _s("admin"),
    ("POST", "/api/v1/users/{user_id}/deactivate"): _s("admin"),
    ("POST", "/api/v1/users/{user_id}/mfa/reset"): _s("admin"),
    ("POST", "/api/v1/users/{user_id}/sessions/end"): _s("admin"),
}


def walk(routes: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if type(route).__name__ == "_IncludedRouter":
            yield from walk(
                route.original_router.routes, prefix + (route.include_context.prefix or "")
            )
        elif isinstance(route, Mount):
            continue
        else:
            for method in sorted((getattr(route, "methods", None) or set()) - {"HEAD"}):
                yield method, prefix + route.path


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    people = {
        "owner": make_user(session),
        "other": make_user(session),
        "clerk": make_user(session, Role.clerk),
        "inspector": make_user(session, Role.inspector),
        "coordinator": make_user(session, Role.care_coordinator),
        "admin": make_user(session, Role.admin),
        "target": make_user(session, Role.clerk),
    }
    permit = make_permit(session, people["owner"], clerk=people["clerk"])
    upload = session.exec(
        select(ApplicationDocument).where(
            ApplicationDocument.application_id == permit.application_id
        )
    ).first()
    generated = session.exec(
        select(Document).where(Document.owner_id == people["owner"].id)
    ).first()
    policy = policy_service.load_configured().policy
    report = nuisance_service.report(
        session=session,
        data=NuisanceReportCreate(
            postcode="5038AB",
            house_number="12",
            category="noise",
            observed_on=datetime.now(UTC).date() - timedelta(days=1),
            description="Harde muziek.",
        ),
        policy=policy,
    )
    inspection = inspections_service.plan(
        session=session,
        data=InspectionPlan(
            permit_number=permit.number,
            planned_for=datetime.now(UTC).date(),
            inspector_ids=[people["inspector"].id],
        ),
        actor=people["inspector"],
    )
    photo = inspections_service.add_photo(
        session=session, inspection_id=inspection.id, content=JPEG_BYTES, actor=people["inspector"]
    )
    inspections_service.record(
        session=session,
        inspection_id=inspection.id,
        data=OutcomeIn(
            visited_at=datetime.now(UTC) - timedelta(hours=1),
            checklist=[
                {"key": i.key, "answer": "no"}  # type: ignore[list-item]
                for i in policy.inspection_checklist
            ],
            outcome=Outcome.violation,
            findings="Geen rooster.",
            photo_ids=[photo.id],
        ),
        actor=people["inspector"],
        policy=policy,
        policy_version_id=None,
    )
    referral = inspections_service.open_referrals(session=session, actor=people["clerk"])[0][0]
    signal = signals_service.create(
        session=session,
        data=SignalCreate(indicators=[policy.trafficking_indicators[0].key], note="Gezien."),
        actor=people["inspector"],
        policy=policy,
    )
    erasure = privacy_service.request_erasure(
        session=session, data=ErasureRequestIn(note=None), actor=people["owner"]
    )
    session.commit()
    report_row = session.exec(
        select(NuisanceReport).where(NuisanceReport.reference == report.reference)
    ).one()
    return {
        "people": people,
        "params": {
            "application_id": permit.application_id,
            "number": permit.number,
            "upload_id": upload.id if upload else uuid.uuid4(),
            "generated_id": generated.id if generated else uuid.uuid4(),
            "reference": report.reference,
            "report_id": report_row.id,
            "address_id": report_row.address_id,
            "inspection_id": inspection.id,
            "photo_id": photo.id,
            "referral_id": referral.id,
            "signal_id": signal.id,
            "request_id": erasure.id,
            "user_id": people["target"].id,
            "registration_id": uuid.uuid4(),
            "code": "en",
            "quarter": "2025-Q2",
            "table": "applications",
        },
    }


def _fill(path: str, params: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "document_id":
            name = (
                "generated_id"
                if path.startswith(("/api/v1/documents", "/documents"))
                else "upload_id"
            )
        return str(params[name])

    return re.sub(r"\{(\w+)\}", value, path)


def test_every_route_answers_only_whom_it_should(
    client: TestClient, app: Any, world: dict[str, Any]
) -> None:
    people: dict[str, User] = world["people"]
    clients: dict[str, TestClient] = {}
    tokens: dict[str, dict[str, str]] = {}
    csrf: dict[str, str] = {}
    for name in IDENTITIES:
        page_client = TestClient(app)
        if name != "anonymous":
            login_page(page_client, people[name])
            tokens[name] = token_for(page_client, people[name])
        csrf[name] = csrf_from(
            page_client.get("/login" if name == "anonymous" else "/account/password").text
        )
        clients[name] = page_client
    routes = sorted(set(walk(app.router.routes)), key=lambda r: (r[0] != "GET", r[1]))
    missing = [r for r in routes if r not in ALLOWED]
    observed: dict[tuple[str, str], set[str]] = {}
    unexpected = []
    for method, path in routes:
        url = _fill(path, world["params"])
        for name in IDENTITIES:
            page_client = clients[name]
            api = path.startswith("/api/")
            headers = tokens.get(name, {}) if api else {}
            if method == "GET":
                response = page_client.get(url, headers=headers, follow_redirects=False)
            elif api:
                response = page_client.request(
                    method, url, json={}, headers=headers, follow_redirects=False
                )
            else:
                response = page_client.request(
                    method, url, data={"csrf_token": csrf[name]}, follow_redirects=False
                )
            assert response.status_code < 500, (method, path, name, response.text[:300])
            if 200 <= response.status_code < 300:
                observed.setdefault((method, path), set()).add(name)
                if (method, path) in ALLOWED and name not in ALLOWED[(method, path)]:
                    unexpected.append((method, path, name, response.status_code))
    if missing or unexpected:
        for key in sorted(set(observed) | set(missing)):
            print(f"    ({key[0]!r}, {key[1]!r}): {sorted(observed.get(key, set()))},")
    assert missing == [], missing
    assert unexpected == [], unexpected
