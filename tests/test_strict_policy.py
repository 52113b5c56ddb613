"""The same code under a second, stricter policy file (cap of 2 sex businesses, minimum age
21, no home work), and back under Tilburg's: the rules come from the file in force."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.applications import service as applications_service
from app.applications.models import Application, ApplicationCheck
from app.auth.models import User
from app.config import PROJECT_ROOT, get_settings
from app.db import utcnow
from app.policy import service as policy_service
from app.policy.evaluate import HomeWorkFacts, add_months, evaluate_home_work
from app.policy.models import PolicyVersion
from tests.factories import make_application, make_user, required_documents, token_for

STRICT = PROJECT_ROOT / "policies" / "strict-example.toml"
TILBURG = PROJECT_ROOT / "policies" / "tilburg.toml"


def _use(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(get_settings(), "policy_file", path)


def _approve(client: TestClient, clerk: User, application: Application):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/applications/{application.id}/decision",
        json={"decision": "approve"},
        headers=token_for(client, clerk),
    )


def _version(session: Session, path: Path) -> PolicyVersion:
    fingerprint = policy_service.load_configured(path).fingerprint
    return session.exec(select(PolicyVersion).where(PolicyVersion.fingerprint == fingerprint)).one()


def test_strict_policy_asks_for_its_own_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, STRICT)
    assert "location_statement" in required_documents("sex_business")
    _use(monkeypatch, TILBURG)
    assert "location_statement" not in required_documents("sex_business")


def test_third_sex_business_is_refused_on_the_cap_until_tilburg_applies(
    client: TestClient, session: Session, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, STRICT)
    businesses = [make_application(session, permit_type="sex_business") for _ in range(3)]
    # At submission there was room for each: the cap only bites at the moment of approval.
    for application in businesses:
        checks = applications_service.checks_of(session=session, application_id=application.id)
        assert all(c.passed for c in checks)
        assert {c.rule_id: c.details for c in checks}["cap.permit_type"]["cap"] == 2

    for application in businesses[:2]:
        response = _approve(client, clerk, application)
        assert response.status_code == 200, response.text
        assert response.json()["policy_version"] == "2024.1"

    third = _approve(client, clerk, businesses[2])
    assert third.status_code == 409
    detail = third.json()["detail"]
    assert detail["code"] == "blocking_checks_failed"
    assert [r["rule_id"] for r in detail["failed_rules"]] == ["cap.permit_type"]
    assert "2" in detail["failed_rules"][0]["message_en"]
    file = client.get(
        f"/api/v1/applications/{businesses[2].id}", headers=token_for(client, clerk)
    ).json()
    assert file["status"] == "submitted"
    assert file["permit_number"] is None

    # Other types have no cap under the strict policy.
    worker = _approve(client, clerk, make_application(session, permit_type="sex_worker", age=30))
    assert worker.status_code == 200

    _use(monkeypatch, TILBURG)
    lifted = _approve(client, clerk, businesses[2])
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["status"] == "approved"
    assert lifted.json()["policy_version"] == "2020.1"
    assert lifted.json()["permit_number"]


def test_twenty_year_old_fails_the_age_check_until_tilburg_applies(
    client: TestClient, session: Session, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, STRICT)
    applicant = make_user(session)
    application = make_application(session, applicant, permit_type="sex_worker", age=20)
    strict_version = _version(session, STRICT)

    # The failure is stored at submission and shown right away, with the policy version.
    public = client.get(
        f"/api/v1/applications/{application.id}", headers=token_for(client, applicant)
    ).json()
    assert public["status"] == "submitted"
    assert public["policy_version"] == "2024.1"
    failed = [c for c in public["checks"] if not c["passed"]]
    assert [(c["rule_id"], c["severity"]) for c in failed] == [("age.minimum", "blocking")]
    assert failed[0]["details"]["minimum_age"] == 21
    assert "age" not in failed[0]["details"]  # derived personal data is not stored
    stored = session.exec(
        select(ApplicationCheck).where(ApplicationCheck.application_id == application.id)
    ).all()
    assert {c.policy_version_id for c in stored} == {strict_version.id}
    queue = client.get("/api/v1/applications", headers=token_for(client, clerk)).json()
    assert [i["blocking_failures"] for i in queue["items"]] == [1]

    blocked = _approve(client, clerk, application)
    assert blocked.status_code == 409
    assert [r["rule_id"] for r in blocked.json()["detail"]["failed_rules"]] == ["age.minimum"]

    _use(monkeypatch, TILBURG)
    approved = _approve(client, clerk, application)
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["policy_version"] == "2020.1"
    assert {c["stage"] for c in body["checks"]} == {"approval"}
    assert all(c["passed"] for c in body["checks"])
    # Tilburg gives holders under 21 a 12-month permit.
    permit = client.get(
        f"/api/v1/permits/{body['permit_number']}", headers=token_for(client, applicant)
    ).json()
    today = utcnow().date()
    assert date.fromisoformat(permit["valid_until"]) == add_months(today, 12) - timedelta(days=1)

    # Both evaluations are kept, each with the version it applied.
    tilburg_version = _version(session, TILBURG)
    rows = session.exec(
        select(ApplicationCheck.stage, ApplicationCheck.policy_version_id)
        .where(ApplicationCheck.application_id == application.id)
        .distinct()
    ).all()
    assert set(rows) == {("submission", strict_version.id), ("approval", tilburg_version.id)}
    session.refresh(application)
    assert application.policy_version_id == tilburg_version.id


def test_strict_policy_validity_is_twelve_months_for_everyone(
    session: Session, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import approve

    _use(monkeypatch, STRICT)
    permit = approve(session, make_application(session, permit_type="sex_worker", age=40), clerk)
    today = utcnow().date()
    assert permit.valid_until == add_months(today, 12) - timedelta(days=1)
    assert permit.conditions_en == [
        "This permit is personal and cannot be transferred.",
        "You work only in a licensed sex business or escort business.",
    ]


def test_switching_policy_adds_a_version_and_never_rewrites_the_first(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ids() -> set[object]:
        return set(session.exec(select(PolicyVersion.id)).all())

    before = ids()
    _use(monkeypatch, STRICT)
    make_application(session, permit_type="sex_worker", age=30)
    strict = _version(session, STRICT)
    assert strict.id not in before
    assert ids() == before | {strict.id}
    snapshot = strict.model_dump()
    assert (snapshot["version"], snapshot["municipality"]) == ("2024.1", "Voorbeeldstad")
    assert snapshot["content"] == STRICT.read_text(encoding="utf-8")

    _use(monkeypatch, TILBURG)
    make_application(session, permit_type="sex_worker", age=30)
    tilburg = _version(session, TILBURG)
    assert tilburg.id != strict.id
    assert tilburg.version == "2020.1"
    assert ids() == before | {strict.id, tilburg.id}

    _use(monkeypatch, STRICT)
    make_application(session, permit_type="sex_worker", age=30)  # back again: no new row
    assert ids() == before | {strict.id, tilburg.id}
    session.expire_all()
    assert session.get(PolicyVersion, strict.id).model_dump() == snapshot  # type: ignore[union-attr]


def test_home_work_is_refused_by_the_strict_policy_and_allowed_by_tilburg(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    facts = HomeWorkFacts(on=utcnow().date(), registered_at_address=True, workers_at_address=0)
    _use(monkeypatch, STRICT)
    strict = evaluate_home_work(policy_service.load_configured().policy, facts)
    assert [(r.rule_id, r.passed) for r in strict] == [("home_work.allowed", False)]
    _use(monkeypatch, TILBURG)
    tilburg = evaluate_home_work(policy_service.load_configured().policy, facts)
    assert all(r.passed for r in tilburg)
    assert tilburg[0].rule_id == "home_work.allowed"
