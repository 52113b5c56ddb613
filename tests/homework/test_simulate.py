"""`swl policy simulate` checks home-work registrations against a draft's home-work rules."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from app.addresses import residents
from app.addresses.register import LocalRegister
from app.auth.models import User
from app.config import PROJECT_ROOT
from app.db import local_today
from app.flows import residents as residents_flow
from app.homework import service
from app.homework.models import HomeWorkCreate
from app.policy.loader import load_policy_file
from app.simulation import simulate, simulate_home_work
from tests.factories import make_permit, make_user, policy_variant

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"


def _two_at_one_address_and_one_elsewhere(session: Session) -> dict[str, User]:
    lines = (
        "999993653,5038AB,12,A,,2021-04-01\n"
        "111222333,5038AB,12,A,,2021-04-01\n"
        "123456782,5038AB,14,,,2021-04-01\n"
    )
    residents_flow.import_extract(session=session, rows=residents.read(HEADER + lines, name="x"))
    workers = {}
    for bsn, house, name in (
        ("999993653", "12A", "Roos"),
        ("111222333", "12A", "Lila"),
        ("123456782", "14", "Jade"),
    ):
        data = HomeWorkCreate(working_name=name, bsn=bsn, postcode="5038 AB", house_number=house)
        workers[name] = make_user(session)
        service.register(
            session=session,
            data=data,
            actor=workers[name],
            address_register=LocalRegister(session),
        )
    return workers


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


def test_the_wrs_breaks_home_work_without_the_personal_permit(session: Session) -> None:
    workers = _two_at_one_address_and_one_elsewhere(session)
    make_permit(session, workers["Roos"], working_name="Roos")
    wrs = load_policy_file(PROJECT_ROOT / "policies" / "wrs-proposal.toml")
    result = simulate_home_work(session=session, draft=wrs, on=local_today(), limit=None)
    failing = {o.working_name for o in result.failing}
    assert {"Lila", "Jade"} <= failing and "Roos" not in failing
    assert dict(result.failures)["home_work.permit"] == result.failing_count


def test_the_result_per_rule_is_counts_only_for_permits_and_home_work(session: Session) -> None:
    workers = _two_at_one_address_and_one_elsewhere(session)
    make_permit(session, workers["Roos"], working_name="Roos")
    wrs = load_policy_file(PROJECT_ROOT / "policies" / "wrs-proposal.toml")
    report = simulate(session=session, draft=wrs, on=local_today())
    impacts = report.by_rule()
    permits = [i for i in impacts if i.subject == "permit"]
    home = [i for i in impacts if i.subject == "home_work_registration"]
    interview = [i for i in permits if i.rule_id == "interview.held"]
    assert interview and interview[0].permit_type == "sex_worker"
    assert 1 <= interview[0].failing <= interview[0].checked
    assert [(i.rule_id, i.permit_type, i.severity) for i in home] == [
        ("home_work.permit", None, "blocking")
    ]
    assert home[0].failing == report.home_work.failing_count
    assert home[0].checked == report.home_work.registrations_checked
    as_json = report.as_dict()["by_rule"]
    assert as_json == [i.as_dict() for i in impacts]
    assert set(as_json[0]) == {
        "subject",
        "rule_id",
        "permit_type",
        "severity",
        "failing",
        "checked",
    }  # no names, no numbers
