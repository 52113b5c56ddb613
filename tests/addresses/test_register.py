"""The address register: the local table from a BRP extract, and Haal Centraal BRP
Personen Bevragen through a real HTTP client against a local server that answers in the
API's JSON shape (found, not found, another address, 404, 5xx, timeout, malformed JSON)."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlmodel import Session
from werkzeug import Request, Response

from app.addresses import residents
from app.addresses.parse import parse
from app.addresses.register import (
    HaalCentraalRegister,
    LocalRegister,
    RegisterUnavailable,
    Residence,
    valid_bsn,
)
from app.errors import InvalidInput

BSN = "999993653"
OTHER_BSN = "111222333"
HOME = parse("5038 AB", "12a")


def _person(postcode: str = "5038AB", number: int = 12, letter: str | None = "a") -> dict[str, Any]:
    address: dict[str, Any] = {
        "officieleStraatnaam": "Stationsstraat",
        "huisnummer": number,
        "postcode": postcode,
        "woonplaats": "Tilburg",
    }
    if letter:
        address["huisletter"] = letter
    return {
        "burgerservicenummer": BSN,
        "verblijfplaats": {
            "type": "Adres",
            "verblijfadres": address,
            "datumVan": {"type": "Datum", "datum": "2021-04-01", "langFormaat": "1 april 2021"},
        },
    }


def _answer(people: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "RaadpleegMetBurgerservicenummer", "personen": people}


def _register(server: HTTPServer, **kwargs: Any) -> HaalCentraalRegister:
    options = {"timeout": 0.5, "attempts": 3, **kwargs}
    return HaalCentraalRegister(server.url_for("/brp"), "test-key", **options)


def test_the_bsn_is_checked_with_the_eleven_test() -> None:
    assert valid_bsn(" 9999.93.653 ") == BSN
    with pytest.raises(InvalidInput) as caught:
        valid_bsn("999993654")
    assert caught.value.code == "invalid_bsn"


def test_haal_centraal_found_at_the_address(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/brp/personen",
        method="POST",
        headers={"X-API-Key": "test-key"},
        json={
            "type": "RaadpleegMetBurgerservicenummer",
            "burgerservicenummer": [BSN],
            "fields": ["verblijfplaats"],
        },
    ).respond_with_json(_answer([_person()]))
    found = _register(httpserver).residence(bsn=BSN, address=HOME)
    assert found == Residence(registered=True, since=date(2021, 4, 1))


def test_haal_centraal_registered_elsewhere_or_unknown(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/brp/personen").respond_with_json(
        _answer([_person(number=14, letter=None)])
    )
    httpserver.expect_ordered_request("/brp/personen").respond_with_json(_answer([]))
    register = _register(httpserver)
    assert register.residence(bsn=BSN, address=HOME) == Residence(registered=False)
    assert register.residence(bsn=BSN, address=HOME) == Residence(registered=False)


def test_haal_centraal_5xx_is_retried_then_answered(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/brp/personen").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/brp/personen").respond_with_json(_answer([_person()]))
    assert _register(httpserver).residence(bsn=BSN, address=HOME).registered


def test_haal_centraal_5xx_every_time_is_unavailable_never_not_registered(
    httpserver: HTTPServer,
) -> None:
    calls: list[int] = []

    def handler(_request: Request) -> Response:
        calls.append(1)
        return Response("down", status=502)

    httpserver.expect_request("/brp/personen").respond_with_handler(handler)
    with pytest.raises(RegisterUnavailable) as caught:
        _register(httpserver, attempts=2).residence(bsn=BSN, address=HOME)
    assert caught.value.code == "address_register_unavailable"
    assert len(calls) == 2


def test_haal_centraal_timeout_is_unavailable(httpserver: HTTPServer) -> None:
    answered = threading.Event()

    def slow(_request: Request) -> Response:
        answered.wait(2)
        return Response(json.dumps(_answer([_person()])), content_type="application/json")

    httpserver.expect_request("/brp/personen").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(RegisterUnavailable):
        _register(httpserver, timeout=0.2, attempts=2).residence(bsn=BSN, address=HOME)
    assert time.monotonic() - started < 5
    # Let the server finish both late answers, so none reaches the next test.
    answered.set()
    deadline = time.monotonic() + 5
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize(
    "answer",
    [
        Response("{not json", content_type="application/json"),
        Response("[]", content_type="application/json"),
        Response(json.dumps({"type": "x"}), content_type="application/json"),
        Response(json.dumps({"title": "Not found"}), status=404),
        Response(json.dumps({"title": "Forbidden"}), status=403),
    ],
)
def test_nonsense_and_4xx_are_unavailable_not_an_answer(
    httpserver: HTTPServer, answer: Response
) -> None:
    calls: list[int] = []

    def handler(_request: Request) -> Response:
        calls.append(1)
        return answer

    httpserver.expect_request("/brp/personen").respond_with_handler(handler)
    with pytest.raises(RegisterUnavailable):
        _register(httpserver).residence(bsn=BSN, address=HOME)
    assert len(calls) == 1  # a 4xx or a malformed answer is not retried


def test_nothing_listens_is_unavailable() -> None:
    register = HaalCentraalRegister("http://127.0.0.1:9", "k", timeout=0.2, attempts=1)
    with pytest.raises(RegisterUnavailable):
        register.residence(bsn=BSN, address=HOME)


# ---- the local register and its import ---------------------------------------------------

HEADER = "bsn,postcode,huisnummer,huisletter,huisnummertoevoeging,datum_aanvang\n"


def test_local_register_answers_from_the_extract(session: Session) -> None:
    rows = residents.read(
        HEADER + f"{BSN},5038ab,12,A,,2021-04-01\n{OTHER_BSN},5038 AB,14,,2,2019-01-31\n",
        name="extract.csv",
    )
    report = residents.replace_all(session=session, rows=rows)
    assert (report.people, report.moved_in, report.moved_out) == (2, 2, 0)
    register = LocalRegister(session)
    assert register.residence(bsn=BSN, address=HOME) == Residence(True, date(2021, 4, 1))
    assert register.residence(bsn=BSN, address=parse("5038 AB", "14-2")) == Residence(False)
    assert register.residence(bsn="123456782", address=HOME) == Residence(False)


def test_a_file_with_bad_rows_names_each_and_changes_nothing(session: Session) -> None:
    residents.replace_all(
        session=session, rows=residents.read(HEADER + f"{BSN},5038AB,12,A,,2021-04-01\n", name="a")
    )
    bad = (
        HEADER
        + f"{OTHER_BSN},5038AB,14,,,2020-01-01\n"
        + "999993654,5038AB,1,,,2020-01-01\n"
        + "123456782,0000AA,1,,,2020-01-01\n"
        + "111111110,5038AB,1,,,not-a-date\n"
        + f"{OTHER_BSN},5038AB,16,,,2020-01-01\n"
    )
    with pytest.raises(InvalidInput) as caught:
        residents.read(bad, name="extract.csv")
    problems = caught.value.details["problems"]
    assert [p.split(":")[1] for p in problems] == ["3", "4", "5", "6"]
    assert all(p.startswith("extract.csv:") for p in problems)
    assert LocalRegister(session).residence(bsn=BSN, address=HOME).registered


def test_a_header_without_the_columns_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"extract\.csv:1"):
        residents.read("bsn,postcode\n", name="extract.csv")


def test_a_new_extract_replaces_the_old_and_counts_who_moved(session: Session) -> None:
    first = HEADER + f"{BSN},5038AB,12,A,,2021-04-01\n{OTHER_BSN},5038AB,14,,,2019-01-31\n"
    residents.replace_all(session=session, rows=residents.read(first, name="a"))
    second = HEADER + f"{BSN},5038AB,16,,,2026-11-01\n123456782,5038AB,18,,,2026-10-01\n"
    report = residents.replace_all(session=session, rows=residents.read(second, name="b"))
    # BSN moved from 12A to 16 (out and in), OTHER left, 123456782 arrived.
    assert (report.people, report.moved_in, report.moved_out) == (2, 2, 2)
    assert not LocalRegister(session).residence(bsn=BSN, address=HOME).registered
    assert (
        not LocalRegister(session)
        .residence(bsn=OTHER_BSN, address=parse("5038AB", "14"))
        .registered
    )
