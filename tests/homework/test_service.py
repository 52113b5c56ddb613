"""Home-work registrations against the real registers: the local one loaded from an
extract, and Haal Centraal through a local server when the register is unreachable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from sqlmodel import Session, func, select

from app.addresses import residents
from app.addresses.register import HaalCentraalRegister, LocalRegister
from app.audit.models import AuditEvent
from app.auth.models import Role, User
from app.config import get_settings
from app.errors import Conflict, InvalidInput, NotFound
from app.flows import residents as residents_flow
from app.homework import service
from app.homework.models import HomeWorkCreate, HomeWorkRegistration, HomeWorkStatus
from tests.factories import make_user, policy_variant, token_for

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"
ROOS, LILA, JADE, MIRA = "999993653", "111222333", "123456782", "111111110"


def _extract(session: Session, *lines: str) -> residents.ImportReport:
    return residents_flow.import_extract(
        session=session, rows=residents.read(HEADER + "".join(lines), name="extract.csv")
    ).report


def _data(bsn: str = ROOS, house: str = "12a", name: str = "Roos") -> HomeWorkCreate:
    return HomeWorkCreate(working_name=name, bsn=bsn, postcode="5038ab", house_number=house)


def _register(session: Session, worker: User, data: HomeWorkCreate) -> HomeWorkRegistration:
    return service.register(
        session=session, data=data, actor=worker, address_register=LocalRegister(session)
    )


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(HomeWorkRegistration)).one()


@pytest.fixture
def worker(session: Session) -> User:
    return make_user(session)


def test_a_registered_resident_registers_home_work(session: Session, worker: User) -> None:
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    registration = _register(session, worker, _data())
    assert registration.status is HomeWorkStatus.active
    assert registration.started_at is not None
    assert str(registration.registered_since) == "2021-04-01"
    assert all(c["passed"] for c in registration.checks if c["severity"] == "blocking")
    public = service.public(session=session, registration=registration)
    assert public.address == "12A, 5038 AB" and public.working_name == "Roos"
    assert ROOS not in public.model_dump_json()  # the BSN is never shown
    session.commit()
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == str(registration.id))
    ).all()
    assert actions == ["home_work_registration.create", "home_work_registration.confirm"]


def test_someone_not_registered_there_is_refused_with_the_rule(
    session: Session, worker: User
) -> None:
    _extract(session, f"{ROOS},5038AB,14,,,2021-04-01\n")
    with pytest.raises(InvalidInput) as caught:
        _register(session, worker, _data())
    assert caught.value.code == "home_work_refused"
    rules = [r["rule_id"] for r in caught.value.details["failed_rules"]]
    assert rules == ["home_work.registered"]
    assert "not registered at this address" in caught.value.details["failed_rules"][0]["message_en"]
    assert _count(session) == 0


def test_a_full_address_is_refused(session: Session) -> None:
    _extract(
        session,
        f"{ROOS},5038AB,12,A,,2021-04-01\n",
        f"{LILA},5038AB,12,A,,2021-04-01\n",
        f"{JADE},5038AB,12,A,,2021-04-01\n",
    )
    _register(session, make_user(session), _data(ROOS, name="Roos"))
    _register(session, make_user(session), _data(LILA, name="Lila"))
    with pytest.raises(InvalidInput) as caught:
        _register(session, make_user(session), _data(JADE, name="Jade"))
    assert [r["rule_id"] for r in caught.value.details["failed_rules"]] == ["home_work.max_workers"]


def test_home_work_not_allowed_by_the_policy(
    session: Session, worker: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = policy_variant(tmp_path, "tilburg", [("home_work", "allowed = true", "allowed = false")])
    monkeypatch.setattr(get_settings(), "policy_file", path)
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    with pytest.raises(InvalidInput) as caught:
        _register(session, worker, _data())
    assert [r["rule_id"] for r in caught.value.details["failed_rules"]] == ["home_work.allowed"]


def test_an_invalid_bsn_is_refused_before_anything_else(session: Session, worker: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        _register(session, worker, _data(bsn="999993654"))
    assert caught.value.code == "invalid_bsn"


def _haal_centraal(server: HTTPServer) -> HaalCentraalRegister:
    return HaalCentraalRegister(server.url_for("/brp"), "k", timeout=0.5, attempts=2)


def _person_at_12a() -> dict[str, Any]:
    return {
        "personen": [
            {
                "verblijfplaats": {
                    "type": "Adres",
                    "verblijfadres": {"huisnummer": 12, "huisletter": "A", "postcode": "5038AB"},
                    "datumVan": {"type": "Datum", "datum": "2022-02-02"},
                }
            }
        ]
    }


def test_an_unreachable_register_leaves_it_waiting_until_a_recheck_settles_it(
    session: Session, worker: User, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/brp/personen").respond_with_data("down", status=503)
    registration = service.register(
        session=session, data=_data(), actor=worker, address_register=_haal_centraal(httpserver)
    )
    assert registration.status is HomeWorkStatus.pending_address_check
    assert registration.started_at is None

    # Still down: it keeps waiting (never refused, never approved).
    again = service.recheck(
        session=session,
        registration=registration,
        address_register=_haal_centraal(httpserver),
        actor=None,
    )
    assert again.status is HomeWorkStatus.pending_address_check

    httpserver.clear()
    httpserver.expect_request("/brp/personen").respond_with_json(_person_at_12a())
    settled = service.recheck(
        session=session,
        registration=registration,
        address_register=_haal_centraal(httpserver),
        actor=None,
    )
    assert settled.status is HomeWorkStatus.active
    assert str(settled.registered_since) == "2022-02-02"


def test_a_recheck_can_refuse_a_waiting_registration(
    session: Session, worker: User, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/brp/personen").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/brp/personen").respond_with_data("down", status=500)
    registration = service.register(
        session=session, data=_data(), actor=worker, address_register=_haal_centraal(httpserver)
    )
    httpserver.clear()
    httpserver.expect_request("/brp/personen").respond_with_json({"personen": []})
    settled = service.recheck(
        session=session,
        registration=registration,
        address_register=_haal_centraal(httpserver),
        actor=None,
    )
    assert settled.status is HomeWorkStatus.refused
    assert "not registered at this address" in (settled.status_reason or "")


def test_an_extract_in_which_the_worker_moved_ends_the_registration(
    session: Session, worker: User
) -> None:
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n", f"{LILA},5038AB,14,,,2020-01-01\n")
    registration = _register(session, worker, _data())
    report = _extract(
        session, f"{ROOS},5038AB,30,,,2026-11-01\n", f"{LILA},5038AB,14,,,2020-01-01\n"
    )
    assert (report.moved_in, report.moved_out) == (1, 1)
    session.refresh(registration)
    assert registration.status is HomeWorkStatus.ended_moved
    assert registration.ended_at is not None
    assert "no longer has you at this address" in (registration.status_reason or "")


def test_an_extract_with_a_bad_row_changes_nothing(session: Session, worker: User) -> None:
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    registration = _register(session, worker, _data())
    with pytest.raises(InvalidInput):
        _extract(session, f"{ROOS},5038AB,30,,,2026-11-01\n", "999993654,5038AB,1,,,2020-01-01\n")
    session.refresh(registration)
    assert registration.status is HomeWorkStatus.active


def test_the_worker_ends_it_once(session: Session, worker: User) -> None:
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    registration = _register(session, worker, _data())
    ended = service.end(
        session=session, registration_id=registration.id, actor=worker, expected_version=None
    )
    assert ended.status is HomeWorkStatus.ended
    with pytest.raises(Conflict) as caught:
        service.end(
            session=session, registration_id=registration.id, actor=worker, expected_version=None
        )
    assert caught.value.code == "illegal_transition"
    with pytest.raises(NotFound):
        service.end(
            session=session,
            registration_id=registration.id,
            actor=make_user(session),
            expected_version=None,
        )


def test_access_the_worker_and_staff_but_no_one_else(
    client: TestClient, session: Session, worker: User
) -> None:
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    registration = _register(session, worker, _data())
    session.commit()
    url = f"/api/v1/home-work-registrations/{registration.id}"
    assert client.get(url, headers=token_for(client, worker)).status_code == 200
    assert client.get(url, headers=token_for(client, make_user(session))).status_code == 404
    admin = make_user(session, Role.admin)
    assert client.get(url, headers=token_for(client, admin)).status_code == 404
    clerk = make_user(session, Role.clerk)
    assert client.get(url, headers=token_for(client, clerk)).status_code == 200
    session.expire_all()
    reads = session.exec(
        select(AuditEvent.actor_id).where(
            AuditEvent.action == "home_work_registration.read",
            AuditEvent.object_id == str(registration.id),
        )
    ).all()
    assert reads == [clerk.id]


def test_two_workers_taking_the_last_place_at_once_get_one_place(isolated_engine: Any) -> None:
    """The address row is locked before the workers there are counted: of two registering
    at once for the last place, one gets it and the other is refused with the rule."""
    engine = isolated_engine
    import threading

    postcode = "9711 ZZ"
    lines = "".join(f"{bsn},{postcode},7,,,2021-04-01\n" for bsn in (ROOS, LILA, JADE))
    with Session(engine) as session:
        workers = [make_user(session) for _ in range(3)]
        worker_ids = [w.id for w in workers]
        residents_flow.import_extract(
            session=session, rows=residents.read(HEADER + lines, name="x")
        )
        first = HomeWorkCreate(working_name="Roos", bsn=ROOS, postcode=postcode, house_number="7")
        service.register(
            session=session, data=first, actor=workers[0], address_register=LocalRegister(session)
        )
        session.commit()

    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def take(worker_id: Any, bsn: str) -> None:
        with Session(engine) as session:
            worker = session.get(User, worker_id)
            assert worker is not None
            session.commit()
            data = HomeWorkCreate(working_name="Wil", bsn=bsn, postcode=postcode, house_number="7")
            barrier.wait()
            try:
                service.register(
                    session=session,
                    data=data,
                    actor=worker,
                    address_register=LocalRegister(session),
                )
                session.commit()
                outcomes.append("active")
            except InvalidInput as exc:
                outcomes.append(exc.details["failed_rules"][0]["rule_id"])
            except Exception as exc:  # a deadlock or lock timeout would land here
                outcomes.append(type(exc).__name__)

    threads = [
        threading.Thread(target=take, args=(worker_ids[1], LILA)),
        threading.Thread(target=take, args=(worker_ids[2], JADE)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["active", "home_work.max_workers"]


def test_a_refusal_says_nothing_about_who_else_works_at_the_address(session: Session) -> None:
    """Someone not registered at an address is told only that: not whether the address is
    full, nor whether nuisance was established there."""
    _extract(
        session,
        f"{ROOS},5038AB,12,A,,2021-04-01\n",
        f"{LILA},5038AB,12,A,,2021-04-01\n",
        f"{JADE},5038AB,99,,,2021-04-01\n",
    )
    _register(session, make_user(session), _data(ROOS, name="Roos"))
    _register(session, make_user(session), _data(LILA, name="Lila"))
    with pytest.raises(InvalidInput) as full_here:
        _register(session, make_user(session), _data(JADE, name="Jade"))
    with pytest.raises(InvalidInput) as empty_there:
        _register(session, make_user(session), _data(JADE, house="50", name="Jade"))
    assert full_here.value.details == empty_there.value.details
    assert [r["rule_id"] for r in full_here.value.details["failed_rules"]] == [
        "home_work.registered"
    ]


def test_one_open_registration_per_person(session: Session, worker: User) -> None:
    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    first = _register(session, worker, _data())
    with pytest.raises(Conflict) as caught:
        _register(session, worker, _data())
    assert caught.value.code == "already_registered"
    # Someone else trying the same BSN learns nothing: the answer is the one for an address
    # the person is not registered at.
    with pytest.raises(InvalidInput) as other:
        _register(session, make_user(session), _data())
    with pytest.raises(InvalidInput) as elsewhere:
        _register(session, make_user(session), _data(house="99"))
    assert other.value.details == elsewhere.value.details
    assert [r["rule_id"] for r in other.value.details["failed_rules"]] == ["home_work.registered"]
    service.end(session=session, registration_id=first.id, actor=worker, expected_version=None)
    assert _register(session, worker, _data()).status is HomeWorkStatus.active


def test_a_clerk_cannot_end_home_work_before_the_worker_was_heard(
    session: Session, worker: User
) -> None:
    from app.homework.models import ReviewOutcome

    _extract(session, f"{ROOS},5038AB,12,A,,2021-04-01\n")
    registration = _register(session, worker, _data())
    service.review_address(
        session=session, address_id=registration.address_id, actor=None, hearing_days=14
    )
    clerk = make_user(session, Role.clerk)
    with pytest.raises(Conflict) as caught:
        service.decide_review(
            session=session,
            registration_id=registration.id,
            actor=clerk,
            outcome=ReviewOutcome.end,
            reason="Nuisance.",
            expected_version=None,
        )
    assert caught.value.code == "hearing_open"
    service.respond(
        session=session, registration_id=registration.id, actor=worker, text="It was not me."
    )
    ended = service.decide_review(
        session=session,
        registration_id=registration.id,
        actor=clerk,
        outcome=ReviewOutcome.end,
        reason="Nuisance.",
        expected_version=None,
    )
    assert ended.status is HomeWorkStatus.ended_after_review


def test_a_cursor_without_a_time_zone_is_a_bad_cursor(session: Session) -> None:
    clerk = make_user(session, Role.clerk)
    with pytest.raises(InvalidInput) as caught:
        service.list_(
            session=session,
            actor=clerk,
            cursor="2026-01-01T00:00:00_0c9e6f1a-5e1a-4a43-8d3e-7d5b1f3c2a10",
        )
    assert caught.value.code == "bad_cursor"
