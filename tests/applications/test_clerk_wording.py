"""The clerk's file: check messages about the applicant (not addressed to them), document
kinds by their policy label, file fingerprints behind a toggle. The applicant's own file
keeps the messages written for them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role
from app.policy import service as policy_service
from app.policy.evaluate import staff_wording
from tests.factories import csrf_from, login_page, make_application, make_user


def english(client: TestClient) -> None:
    token = csrf_from(client.get("/home").text)
    client.post("/lang", data={"code": "en", "next": "/", "csrf_token": token})


def test_staff_wording_speaks_about_the_applicant() -> None:
    details = {"minimum_age": 18}
    nl, en = staff_wording("age.minimum", True, details, "U voldoet", "You meet", age=26)
    assert en == "The applicant is 26 and meets the minimum age of 18."
    assert nl == "De aanvrager is 26 jaar en voldoet aan de minimumleeftijd van 18 jaar."
    _, en = staff_wording("age.minimum", False, details, "", "", age=17)
    assert en == "The applicant is 17 and is younger than the minimum age of 18."
    _, en = staff_wording(
        "person.max_active", False, {"held": 1, "max_active_per_person": 1}, "", ""
    )
    assert en.startswith("This person holds 1 other permit(s)")
    _, en = staff_wording("home_work.registered", False, {"register_consulted": True}, "", "")
    assert en.startswith("The applicant is not registered")
    # Rules that address nobody keep their own text.
    assert staff_wording("fields.required", True, {}, "a", "b") == ("a", "b")


def test_the_clerk_reads_about_the_applicant_and_the_applicant_about_themselves(
    client: TestClient, session: Session
) -> None:
    applicant = make_user(session)
    application = make_application(session, applicant, age=26)
    clerk = make_user(session, Role.clerk)

    login_page(client, clerk)
    english(client)
    page = client.get(f"/queue/{application.id}").text
    checks = page[page.index('id="checks"') : page.index("</section>", page.index('id="checks"'))]
    assert re.search(r"The applicant is 26 and meets the minimum age of \d+\.", checks)
    assert "You " not in checks and " you " not in checks

    # Uploads by their policy label, the fingerprint behind a toggle.
    policy = policy_service.load_configured().policy
    uploads = page[page.index('id="uploads"') : page.index("</ul>", page.index('id="uploads"'))]
    kinds = policy.permit_types["sex_worker"].required_documents
    for kind in kinds:
        assert policy.document_kinds[kind].label_en in uploads
        assert f"({kind}," not in uploads
    assert uploads.count('<details class="file-hash">') == len(kinds)
    assert re.search(
        r"<summary>[^<]+</summary><p><code class=\"hash\">SHA-256 [0-9a-f]{64}", uploads
    )

    login_page(client, applicant)
    english(client)
    own = client.get(f"/applications/{application.id}").text
    assert "You meet the minimum age of" in own
    assert "The applicant is 26" not in own
