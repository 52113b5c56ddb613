"""Dutch addresses as people type them, normalised to the parts the BRP uses."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app.addresses import service
from app.addresses.models import Address
from app.addresses.parse import AddressParts, normalise_postcode, parse
from app.applications.models import ApplicationDetails


@pytest.mark.parametrize("typed", ["1234ab", "1234 AB", " 1234AB ", "1234 ab"])
def test_one_postcode_however_it_is_typed(typed: str) -> None:
    assert normalise_postcode(typed) == "1234 AB"


@pytest.mark.parametrize("typed", ["0123 AB", "1234 SS", "1234 A", "12345 AB", "AB 1234", ""])
def test_what_is_not_a_dutch_postcode(typed: str) -> None:
    with pytest.raises(ValueError, match="postcode"):
        normalise_postcode(typed)


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("12", (12, "", "")),
        ("12a", (12, "A", "")),
        ("12 A", (12, "A", "")),
        ("12-3", (12, "", "3")),
        ("12 bis", (12, "", "BIS")),
        ("12A-1", (12, "A", "1")),
        ("12 a 2", (12, "A", "2")),
        ("99999", (99999, "", "")),
    ],
)
def test_house_number_letter_and_addition(typed: str, parts: tuple[int, str, str]) -> None:
    address = parse("5038ab", typed)
    assert (address.house_number, address.house_letter, address.addition) == parts
    assert address.postcode == "5038 AB"


@pytest.mark.parametrize("typed", ["0", "012", "100000", "12 abcde", "", "-", "12--3"])
def test_what_is_not_a_house_number(typed: str) -> None:
    with pytest.raises(ValueError, match="house number"):
        parse("5038 AB", typed)


def test_printed_on_one_line() -> None:
    assert AddressParts("5038 AB", 12, "A", "3").one_line() == "12A-3, 5038 AB"
    assert AddressParts("5038 AB", 12).one_line() == "12, 5038 AB"


def test_application_fields_are_stored_normalised() -> None:
    details = ApplicationDetails(
        business_address_postcode=" 5038ab ", business_address_house_number="12 a"
    )
    assert details.business_address_postcode == "5038 AB"
    assert details.business_address_house_number == "12A"


def test_the_same_address_is_one_row(session: Session) -> None:
    first = service.get_or_create(session=session, parts=parse("5038ab", "12a"))
    again = service.get_or_create(session=session, parts=parse(" 5038 AB", "12 A"))
    other = service.get_or_create(session=session, parts=parse("5038 AB", "12"))
    assert first.id == again.id != other.id


def test_two_requests_recording_one_new_address_at_once_make_one_row(engine: Engine) -> None:
    parts = parse("9999 ZZ", "1")
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def record() -> None:
        try:
            with Session(engine) as session:
                barrier.wait()
                service.get_or_create(session=session, parts=parts)
                session.commit()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        with Session(engine) as session:
            count = session.exec(
                select(func.count())
                .select_from(Address)
                .where(Address.postcode == "9999 ZZ", Address.house_number == 1)
            ).one()
        assert count == 1
    finally:
        with Session(engine) as session:
            found = service.find(session=session, parts=parts)
            if found is not None:
                session.delete(found)
                session.commit()
