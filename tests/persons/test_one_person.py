"""One person, one record: the keyed hash of a legal identity, the policy's limit of
personal permits per person, and the clerk's warning naming the other working name."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.applications import decisions
from app.applications.models import ApplicationStatus
from app.auth.models import Role
from app.crypto import bsn_hash
from app.errors import Conflict
from app.persons import service as persons
from tests.factories import approve, birth_date_for_age, login_page, make_application, make_user


def test_the_same_person_under_different_spelling_is_one_identity() -> None:
    born = date(1990, 5, 17)
    first = persons.identity_of(legal_name="Anna  de Vries", birth_date=born)
    second = persons.identity_of(legal_name=" ANNA de\tvries ", birth_date="1990-05-17")
    # "é" written as one code point and as e + combining accent (NFC makes them one).
    third = persons.identity_of(legal_name="Ren\u00e9e Bakker", birth_date=born)
    fourth = persons.identity_of(legal_name="Rene\u0301e BAKKER", birth_date=born)
    assert first is not None and first == second
    assert third is not None and third == fourth
    other_birthday = persons.identity_of(legal_name="Anna de Vries", birth_date=date(1990, 5, 18))
    assert other_birthday is not None and other_birthday != first
    assert persons.identity_of(legal_name="Anna de Vries", birth_date=None) is None
    # The hash is keyed: it is not a plain hash of the name, and holds no part of it.
    assert first.identity_hash != persons.normalise_name("Anna de Vries")
    assert "anna" not in first.identity_hash


def test_a_bsn_identity_is_the_hash_home_work_and_the_register_use() -> None:
    identity = persons.identity_of(bsn="999993653", legal_name="X Y", birth_date=date(1990, 1, 1))
    assert identity == persons.Identity(bsn_hash("999993653"), "bsn")


def test_two_working_names_of_one_person_are_one_person_record(session: Session) -> None:
    born = birth_date_for_age(30).isoformat()
    roos = make_application(
        session, working_name="Roos", legal_name="Anna de Vries", birth_date=born
    )
    lila = make_application(
        session, working_name="Lila", legal_name="  anna DE vries", birth_date=born
    )
    older = make_application(
        session,
        working_name="Jade",
        legal_name="Anna de Vries",
        birth_date=birth_date_for_age(40).isoformat(),
    )
    assert roos.applicant_id != lila.applicant_id  # two accounts
    assert roos.person_id is not None and roos.person_id == lila.person_id
    assert older.person_id not in (None, roos.person_id)


def test_a_second_personal_permit_is_refused_and_the_clerk_is_warned(
    client: TestClient, session: Session
) -> None:
    born = birth_date_for_age(30).isoformat()
    roos = make_application(
        session, working_name="Roos", legal_name="Anna de Vries", birth_date=born
    )
    approve(session, roos)
    lila = make_application(
        session, working_name="Lila", legal_name="ANNA  DE VRIES", birth_date=born
    )
    clerk = make_user(session, Role.clerk)
    with pytest.raises(Conflict) as refused:
        decisions.approve(session=session, application_id=lila.id, actor=clerk)
    session.rollback()
    assert [r["rule_id"] for r in refused.value.details["failed_rules"]] == ["person.max_active"]
    reloaded = session.get(type(lila), lila.id)
    assert reloaded is not None and reloaded.status is ApplicationStatus.submitted

    login_page(client, clerk)
    page = client.get(f"/queue/{lila.id}")
    assert page.status_code == 200
    assert 'id="same-person"' in page.text
    assert "Roos" in page.text  # the other working name is named, for staff
    assert "person.max_active" in page.text or "andere werknaam" in page.text

    # The applicant sees the failed rule, never the other working name.
    applicant = session.get(type(clerk), lila.applicant_id)
    assert applicant is not None
    login_page(client, applicant)
    own = client.get(f"/applications/{lila.id}")
    assert own.status_code == 200
    assert 'id="same-person"' not in own.text and "Roos" not in own.text


def test_a_permit_is_not_counted_against_its_own_application(session: Session) -> None:
    from app.applications import service as applications_service
    from app.applications.models import Application
    from app.policy import service as policy_service

    permit = approve(session, make_application(session))
    application = session.get(Application, permit.application_id)
    assert application is not None
    facts = applications_service.facts_for(
        session=session,
        policy=policy_service.load_configured().policy,
        application=application,
        on=permit.valid_from,
    )
    assert facts.person_permits_held == 0  # only the person's *other* applications count
