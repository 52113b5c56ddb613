"""Simulating a draft policy against the permits in force, built through the real services."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.applications import decisions, uploads
from app.applications import service as applications_service
from app.applications.models import Application, ApplicationCreate
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy.evaluate import add_months
from app.policy.loader import load_policy_text
from app.policy.schema import Policy
from app.simulation import holder_birth_dates, simulate
from tests.factories import make_user

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG_TEXT = (POLICIES / "tilburg.toml").read_text(encoding="utf-8")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
LEGAL_NAME = "Wilhelmina Geheim-Achternaam"


def draft_text(*, minimum_age: int | None = 21, sex_worker_cap: int | None = None) -> str:
    """Tilburg's policy as a draft: a new minimum age and/or a cap for sex worker permits.

    Tilburg gives holders under 21 a shorter validity; that rule must go when the minimum age
    becomes 21 (the schema requires young_age_threshold to be above minimum_age).
    """
    worker, rest = TILBURG_TEXT.split("[permit_types.sex_business]")
    worker = worker.replace('version = "2020.1"', 'version = "2026.draft"')
    if minimum_age is not None:
        old = "young_age_threshold = 21\nyoung_validity_months = 12\nminimum_age = 18\n"
        assert old in worker
        worker = worker.replace(old, f"minimum_age = {minimum_age}\n")
    if sex_worker_cap is not None:
        worker = worker.replace('cap = "none"', f"cap = {sex_worker_cap}", 1)
    return worker + "[permit_types.sex_business]" + rest


def draft(**changes: int | None) -> Policy:
    return load_policy_text(draft_text(**changes), source="draft.toml")  # type: ignore[arg-type]


def birth_date_for(age: int, today: date) -> date:
    """Someone who turned ``age`` about a month ago."""
    return add_months(today, -12 * age) - timedelta(days=30)


def issue_worker_permit(session: Session, clerk: User, *, working_name: str, age: int) -> Permit:
    """A sex worker permit through the services: apply, upload, submit, approve."""
    applicant = make_user(session, Role.applicant)
    data = ApplicationCreate(
        permit_type="sex_worker",
        working_name=working_name,
        legal_name=LEGAL_NAME,
        birth_date=birth_date_for(age, permits_service.today()),
        email=f"{working_name.lower()}@example.org",
    )
    application = applications_service.create(session=session, data=data, actor=applicant)
    uploads.add_document(
        session=session,
        application_id=application.id,
        kind="identity_document",
        filename="id.pdf",
        content=PDF,
        actor=applicant,
    )
    applications_service.submit(session=session, application_id=application.id, actor=applicant)
    decisions.approve(session=session, application_id=application.id, actor=clerk)
    permit = applications_service.permit_of(session=session, application_id=application.id)
    assert permit is not None
    return permit


def build_population(session: Session) -> dict[str, Permit]:
    """Permits held by people aged 19, 20 (suspended), 21 and 35, plus two not in force:
    a revoked one and an expired one, both held by 19-year-olds."""
    clerk = make_user(session, Role.clerk)
    ages = {"Anouk": 19, "Bibi": 20, "Cleo": 21, "Dana": 35, "Eva": 19, "Fenna": 19}
    permits = {
        name: issue_worker_permit(session, clerk, working_name=name, age=age)
        for name, age in ages.items()
    }
    permits_service.suspend(
        session=session, number=permits["Bibi"].number, actor=clerk, reason="Under inspection."
    )
    permits_service.revoke(
        session=session, number=permits["Eva"].number, actor=clerk, reason="Given up."
    )
    expired = permits["Fenna"]
    expired.valid_until = permits_service.today() - timedelta(days=1)
    session.add(expired)
    session.commit()
    return permits


def test_minimum_age_21_lists_exactly_the_permits_held_by_people_under_21(
    session: Session,
) -> None:
    permits = build_population(session)
    today = permits_service.today()

    report = simulate(session=session, draft=draft(minimum_age=21), on=today)

    assert report.permits_checked == 4  # Anouk, Bibi (suspended), Cleo, Dana
    failing = {outcome.number: outcome for outcome in report.non_compliant}
    assert set(failing) == {permits["Anouk"].number, permits["Bibi"].number}
    anouk = failing[permits["Anouk"].number]
    assert anouk.working_name == "Anouk"
    assert anouk.permit_type == "sex_worker"
    assert anouk.rule_ids == ["age.minimum"]
    assert anouk.failed[0].message_en == "You are 19; the minimum age for this permit is 21."
    assert failing[permits["Bibi"].number].status == "suspended"
    assert report.unchecked == ()
    assert report.failed_caps == []
    assert report.summary == "2 of 4 permits would no longer comply"
    # Working names only: the legal name never leaves the simulation.
    assert LEGAL_NAME not in json.dumps(report.as_dict())


def test_the_policy_in_force_finds_nothing(session: Session) -> None:
    build_population(session)
    tilburg = load_policy_text(TILBURG_TEXT)
    report = simulate(session=session, draft=tilburg, on=permits_service.today())
    assert report.non_compliant == ()
    assert report.summary == "0 of 4 permits would no longer comply"


def test_a_cap_below_the_permits_in_force_is_reported(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    for name in ("Gina", "Hanna"):
        issue_worker_permit(session, clerk, working_name=name, age=30)

    report = simulate(
        session=session,
        draft=draft(minimum_age=None, sex_worker_cap=1),
        on=permits_service.today(),
    )

    assert report.non_compliant == ()
    assert len(report.failed_caps) == 1
    failed = report.failed_caps[0]
    assert failed.rule_id == "cap.permit_type"
    assert failed.details == {"permit_type": "sex_worker", "active": 2, "cap": 1}
    assert failed.message_en == "Sex worker permit: 2 active permits; the maximum is 1."
    passing = [r.details["permit_type"] for r in report.caps if r.passed]
    assert passing == ["sex_business", "escort_business"]


def test_a_permit_without_birth_date_is_unchecked_not_failing(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    permit = issue_worker_permit(session, clerk, working_name="Iris", age=19)
    application = session.get(Application, permit.application_id)
    assert application is not None
    application.details = {k: v for k, v in application.details.items() if k != "birth_date"}
    session.add(application)
    session.commit()

    report = simulate(session=session, draft=draft(minimum_age=21), on=permits_service.today())

    assert report.non_compliant == ()
    assert [outcome.number for outcome in report.unchecked] == [permit.number]
    assert report.unchecked[0].failed[0].severity == "advisory"
    assert report.summary == "0 of 1 permits would no longer comply"


def test_birth_dates_are_read_in_batches_and_progress_is_reported(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    permits = [
        issue_worker_permit(session, clerk, working_name=name, age=age)
        for name, age in (("Jet", 20), ("Kim", 40), ("Lot", 25))
    ]
    today = permits_service.today()
    dates = holder_birth_dates(session=session, permits=permits, batch_size=2)
    assert dates == {
        p.application_id: birth_date_for(a, today)
        for p, a in zip(permits, (20, 40, 25), strict=True)
    }

    calls: list[tuple[int, int]] = []
    simulate(
        session=session,
        draft=draft(minimum_age=21),
        on=today,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_simulation_is_recorded_in_the_audit_trail(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    issue_worker_permit(session, clerk, working_name="Mila", age=19)
    simulate(session=session, draft=draft(minimum_age=21), on=permits_service.today())
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "policy.simulate")).one()
    assert event.after == {
        "draft_version": "2026.draft",
        "on": permits_service.today().isoformat(),
        "permits_checked": 1,
        "non_compliant": 1,
    }
