"""Simulating a draft policy against the permits in force, built through the real services."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.applications.models import Application, ApplicationStatus
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.flows import permits as permits_flow
from app.permits import numbers
from app.permits import service as permits_service
from app.permits.models import Permit
from app.policy import service as policy_service
from app.policy.evaluate import add_months
from app.policy.loader import load_policy_text
from app.policy.schema import Policy
from app.simulation import RuleCount, simulate
from tests.factories import make_permit, make_user

POLICIES = Path(__file__).resolve().parents[2] / "policies"
TILBURG_TEXT = (POLICIES / "tilburg.toml").read_text(encoding="utf-8")
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
    """A sex worker permit through the services (the shared factory), held by someone who
    is `age` years old, under this module's legal name."""
    return make_permit(
        session,
        clerk=clerk,
        working_name=working_name,
        age=age,
        legal_name=f"{LEGAL_NAME} {working_name}",  # one person per working name
    )


def build_population(session: Session) -> dict[str, Permit]:
    """Permits held by people aged 19, 20 (suspended), 21 and 35, plus two not in force:
    a revoked one and an expired one, both held by 19-year-olds."""
    clerk = make_user(session, Role.clerk)
    ages = {"Anouk": 19, "Bibi": 20, "Cleo": 21, "Dana": 35, "Eva": 19, "Fenna": 19}
    permits = {
        name: issue_worker_permit(session, clerk, working_name=name, age=age)
        for name, age in ages.items()
    }
    permits_flow.change_status(
        action="suspend",
        session=session,
        number=permits["Bibi"].number,
        actor=clerk,
        reason="Under inspection.",
    )
    permits_flow.change_status(
        action="revoke",
        session=session,
        number=permits["Eva"].number,
        actor=clerk,
        reason="Given up.",
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
    assert anouk.failed[0].message_en == "You are younger than 21, the minimum age for this permit."
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


def insert_permit(
    session: Session,
    holder: User,
    *,
    working_name: str,
    birth_date: date | None,
    renewal_of: Permit | None = None,
) -> Permit:
    """A permit in force and its approved application, inserted directly: for tests about
    volume and counting rather than about how a permit comes to be."""
    details = {"legal_name": LEGAL_NAME}
    if birth_date is not None:
        details["birth_date"] = birth_date.isoformat()
    application = Application(
        applicant_id=holder.id,
        permit_type="sex_worker",
        status=ApplicationStatus.approved,
        working_name=working_name,
        details=details,
        renewal_of_id=None if renewal_of is None else renewal_of.id,
    )
    session.add(application)
    session.flush()
    start = permits_service.today()
    if renewal_of is not None:
        start = renewal_of.valid_until + timedelta(days=1)
    permit = Permit(
        number=numbers.generate(),
        application_id=application.id,
        holder_id=holder.id,
        permit_type="sex_worker",
        working_name=working_name,
        valid_from=start,
        valid_until=start + timedelta(days=365),
        policy_version_id=policy_service.current(session=session).record.id,
        renewal_of_id=None if renewal_of is None else renewal_of.id,
    )
    session.add(permit)
    session.commit()
    return permit


def test_permits_are_read_in_batches_and_progress_is_reported(session: Session) -> None:
    holder = make_user(session, Role.applicant)
    today = permits_service.today()
    ages = {"Jet": 20, "Kim": 40, "Lot": 25, "Mia": 19, "Noor": 60}
    permits = {
        name: insert_permit(
            session, holder, working_name=name, birth_date=birth_date_for(age, today)
        )
        for name, age in ages.items()
    }

    calls: list[tuple[int, int]] = []
    report = simulate(
        session=session,
        draft=draft(minimum_age=21),
        on=today,
        progress=lambda done, total: calls.append((done, total)),
        batch_size=2,  # three batches, the last one short
    )

    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert report.permits_checked == 5
    # Every permit read once, with its own birth date: exactly Jet (20) and Mia (19) fail.
    assert {o.number for o in report.non_compliant} == {
        permits["Jet"].number,
        permits["Mia"].number,
    }
    ages_found = {o.working_name: o.failed[0].details["age"] for o in report.non_compliant}
    assert ages_found == {"Jet": 20, "Mia": 19}
    assert report.counts_by_type == {"sex_worker": 5}


def test_examples_are_bounded_but_the_counts_cover_every_permit(session: Session) -> None:
    holder = make_user(session, Role.applicant)
    today = permits_service.today()
    young = [
        insert_permit(
            session, holder, working_name=f"Jong {i}", birth_date=birth_date_for(19, today)
        )
        for i in range(5)
    ]
    for i in range(2):
        insert_permit(
            session, holder, working_name=f"Oud {i}", birth_date=birth_date_for(30, today)
        )
    unknown = [
        insert_permit(session, holder, working_name=f"Onbekend {i}", birth_date=None)
        for i in range(3)
    ]
    strict = draft(minimum_age=21)

    report = simulate(session=session, draft=strict, on=today, limit=2, batch_size=3)

    assert report.permits_checked == 10
    assert report.non_compliant_count == 5
    assert report.unchecked_count == 3
    # The first examples by permit number, working names only.
    assert [o.number for o in report.non_compliant] == sorted(p.number for p in young)[:2]
    assert [o.number for o in report.unchecked] == sorted(p.number for p in unknown)[:2]
    assert not report.complete
    assert report.failures == (
        RuleCount("sex_worker", "age.minimum", "blocking", 5),
        RuleCount("sex_worker", "age.minimum", "advisory", 3),
    )
    assert report.summary == "5 of 10 permits would no longer comply"
    data = report.as_dict()
    assert (data["non_compliant_count"], data["unchecked_count"]) == (5, 3)
    assert (len(data["non_compliant"]), len(data["unchecked"]), data["limit"]) == (2, 2, 2)
    assert data["complete"] is False
    assert data["failures"][0] == {
        "permit_type": "sex_worker",
        "rule_id": "age.minimum",
        "severity": "blocking",
        "permits": 5,
    }
    assert LEGAL_NAME not in json.dumps(data)

    everything = simulate(session=session, draft=strict, on=today, limit=None)
    assert [o.number for o in everything.non_compliant] == sorted(p.number for p in young)
    assert len(everything.unchecked) == 3
    assert everything.complete

    counts_only = simulate(session=session, draft=strict, on=today, limit=0)
    assert (counts_only.non_compliant, counts_only.unchecked) == ((), ())
    assert counts_only.non_compliant_count == 5
    assert counts_only.failures == report.failures


def test_a_renewed_permit_and_its_renewal_count_once_under_a_cap(session: Session) -> None:
    """The caps count as permits.service.counts_by_type does, both permits are checked."""
    holder = make_user(session, Role.applicant)
    today = permits_service.today()
    born = birth_date_for(30, today)
    original = insert_permit(session, holder, working_name="Olga", birth_date=born)
    insert_permit(session, holder, working_name="Olga", birth_date=born, renewal_of=original)
    insert_permit(session, holder, working_name="Pien", birth_date=born)

    report = simulate(session=session, draft=draft(minimum_age=None, sex_worker_cap=2), on=today)

    assert report.permits_checked == 3
    assert report.counts_by_type == {"sex_worker": 2}
    assert report.counts_by_type == permits_service.counts_by_type(session=session, on=today)
    assert report.failed_caps == []

    tighter = simulate(session=session, draft=draft(minimum_age=None, sex_worker_cap=1), on=today)
    assert [r.details for r in tighter.failed_caps] == [
        {"permit_type": "sex_worker", "active": 2, "cap": 1}
    ]


def test_a_simulation_is_recorded_in_the_audit_trail(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    issue_worker_permit(session, clerk, working_name="Mila", age=19)
    simulate(session=session, draft=draft(minimum_age=21), on=permits_service.today())
    session.commit()  # the caller commits (the command line does)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "policy.simulate")).one()
    assert event.after == {
        "draft_version": "2026.draft",
        "on": permits_service.today().isoformat(),
        "permits_checked": 1,
        "non_compliant": 1,
        "home_work_checked": 0,
        "home_work_failing": 0,
    }
