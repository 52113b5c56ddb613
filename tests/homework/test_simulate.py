"""`swl policy simulate` checks home-work registrations against a draft's home-work rules."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from app.addresses import residents
from app.addresses.register import LocalRegister
from app.db import local_today
from app.flows import residents as residents_flow
from app.homework import service
from app.homework.models import HomeWorkCreate
from app.policy.loader import load_policy_file
from app.simulation import simulate_home_work
from tests.factories import make_user, policy_variant

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"


def _two_at_one_address_and_one_elsewhere(session: Session) -> None:
    lines = (
        "999993653,5038AB,12,A,,2021-04-01\n"
        "111222333,5038AB,12,A,,2021-04-01\n"
        "123456782,5038AB,14,,,2021-04-01\n"
    )
    residents_flow.import_extract(session=session, rows=residents.read(HEADER + lines, name="x"))
    for bsn, house, name in (
        ("999993653", "12A", "Roos"),
        ("111222333", "12A", "Lila"),
        ("123456782", "14", "Jade"),
    ):
        data = HomeWorkCreate(working_name=name, bsn=bsn, postcode="5038 AB", house_number=house)
        service.register(
            session=session,
            data=data,
            actor=make_user(session),
            address_register=LocalRegister(session),
        )


def test_a_lower_maximum_breaks_the_shared_address_only(session: Session, tmp_path: Path) -> None:
    _two_at_one_address_and_one_elsewhere(session)
    draft = load_policy_file(
        policy_variant(
            tmp_path,
            "tilburg",
            [("home_work", "max_workers_per_address = 2", "max_workers_per_address = 1")],
        )
    )
    result = simulate_home_work(session=session, draft=draft, on=local_today())
    assert result.registrations_checked >= 3
    assert result.failures == (("home_work.max_workers", 2),)
    assert sorted(o.working_name for o in result.failing) == ["Lila", "Roos"]


def test_no_home_work_at_all_breaks_every_registration(session: Session, tmp_path: Path) -> None:
    _two_at_one_address_and_one_elsewhere(session)
    draft = load_policy_file(
        policy_variant(tmp_path, "tilburg", [("home_work", "allowed = true", "allowed = false")])
    )
    result = simulate_home_work(session=session, draft=draft, on=local_today(), limit=1)
    assert result.failing_count == result.registrations_checked >= 3
    assert result.failures == (("home_work.allowed", result.failing_count),)
    assert len(result.failing) == 1  # the examples are limited, the counts are not


def test_the_policy_in_force_breaks_nothing(session: Session) -> None:
    from app.policy import service as policy_service

    _two_at_one_address_and_one_elsewhere(session)
    policy = policy_service.load_configured().policy
    result = simulate_home_work(session=session, draft=policy, on=local_today())
    assert result.failing_count == 0 and result.registrations_checked >= 3
