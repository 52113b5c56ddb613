"""Permit numbers: format, check symbol, normalising what people type, uniqueness."""

from __future__ import annotations

import random
import re

import pytest

from app.permits import numbers

FORMAT = re.compile(r"^SW-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
SAMPLE = [numbers.generate() for _ in range(25)]


def _symbols(number: str) -> str:
    return number.removeprefix("SW-").replace("-", "")


def _number(symbols: str) -> str:
    return f"SW-{symbols[0:4]}-{symbols[4:8]}-{symbols[8:12]}"


def _with_check(body: str) -> str:
    return _number(body + numbers.check_symbols(body))


def test_generated_numbers_have_the_format_and_a_valid_check() -> None:
    for number in SAMPLE:
        assert FORMAT.match(number), number
        assert len(number) == 17
        assert numbers.is_valid(number)
        assert numbers.normalise(number) == number


def test_whole_number_is_a_multiple_of_997_in_base_32() -> None:
    assert numbers.check_symbols("0000000000") == "00"
    # body 1 -> 1 * 1024 = 27 (mod 997); the check adds 970 = 30 * 32 + 10 -> "YA"
    assert numbers.check_symbols("0000000001") == "YA"
    for number in SAMPLE:
        value = 0
        for symbol in _symbols(number):
            value = value * 32 + numbers.ALPHABET.index(symbol)
        assert value % 997 == 0, number


@pytest.mark.parametrize("number", SAMPLE)
def test_every_single_symbol_typo_is_caught(number: str) -> None:
    symbols = _symbols(number)
    for position, original in enumerate(symbols):
        for replacement in numbers.ALPHABET:
            if replacement == original:
                continue
            typo = symbols[:position] + replacement + symbols[position + 1 :]
            assert numbers.normalise(_number(typo)) is None, (number, position, replacement)


@pytest.mark.parametrize("number", SAMPLE)
def test_every_adjacent_transposition_is_caught(number: str) -> None:
    symbols = _symbols(number)
    for position in range(len(symbols) - 1):
        a, b = symbols[position], symbols[position + 1]
        if a == b:
            continue
        swapped = symbols[:position] + b + a + symbols[position + 2 :]
        assert numbers.normalise(_number(swapped)) is None, (number, position)


def test_transpositions_are_caught_for_every_pair_of_symbols() -> None:
    """Exhaustive over all symbol pairs at every position, the check symbols included."""
    rng = random.Random(997)
    body = "".join(rng.choice(numbers.ALPHABET) for _ in range(numbers.RANDOM_LENGTH))
    full = body + numbers.check_symbols(body)
    for position in range(len(full) - 1):
        for a in numbers.ALPHABET:
            for b in numbers.ALPHABET:
                if a == b:
                    continue
                right = full[:position] + a + b + full[position + 2 :]
                if numbers.normalise(right) is None:
                    continue  # only swaps of a valid number matter
                wrong = full[:position] + b + a + full[position + 2 :]
                assert numbers.normalise(wrong) is None, (right, wrong)


@pytest.mark.parametrize("number", SAMPLE[:5])
def test_normalise_accepts_how_people_type_it(number: str) -> None:
    symbols = _symbols(number)
    for typed in (
        number.lower(),
        number.replace("-", ""),
        number.replace("-", " "),
        f"  {number}  ",
        symbols,
        symbols.lower(),
        "sw" + symbols.lower(),
        f"SW {symbols[0:4]} {symbols[4:8]} {symbols[8:]}",
    ):
        assert numbers.normalise(typed) == number, typed


def test_normalise_maps_letters_crockford_reads_as_digits() -> None:
    rng = random.Random(1)
    checked_positions: set[int] = set()
    while len(checked_positions) < numbers.RANDOM_LENGTH + numbers.CHECK_LENGTH:
        body = "".join(rng.choice(numbers.ALPHABET) for _ in range(numbers.RANDOM_LENGTH))
        number = _with_check(body)
        symbols = _symbols(number)
        for position, symbol in enumerate(symbols):
            if symbol not in "01":
                continue
            for look_alike in ("O", "o") if symbol == "0" else ("I", "i", "L", "l"):
                typed = symbols[:position] + look_alike + symbols[position + 1 :]
                assert numbers.normalise(typed) == number, (typed, position)
            checked_positions.add(position)


def test_a_body_starting_with_the_prefix_letters_is_read_without_the_prefix() -> None:
    body = "SW" + "3K9QZ0M7"
    number = _with_check(body)
    assert number.startswith("SW-SW")
    assert numbers.normalise(number) == number
    assert numbers.normalise(_symbols(number)) == number  # typed without the "SW-"
    assert numbers.normalise(_symbols(number).lower()) == number


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "SW",
        "SW-1234",
        "SW-0000-0000-00000",
        "SW-0000-0000-000",
        "XX-0000-0000-0000",
        "SW-0000-0000-00U0",
        "SW-0000-0000-0001",
        "SW-0000-0000-00$0",
        "SW-!!!!-0000-0000",
        "SW-0000-0000-0000-0000",
    ],
)
def test_malformed_numbers_are_rejected(raw: str) -> None:
    assert numbers.normalise(raw) is None
    assert not numbers.is_valid(raw)


def test_generated_numbers_are_unique_and_spread() -> None:
    generated = [numbers.generate() for _ in range(20_000)]
    assert len(set(generated)) == len(generated)
    # Not sequential or guessable: every body symbol position uses (almost) the whole alphabet.
    for position in range(numbers.RANDOM_LENGTH):
        seen = {_symbols(n)[position] for n in generated[:2000]}
        assert len(seen) == 32, position
