"""Permit numbers: format, check symbol, normalising what people type, uniqueness."""

from __future__ import annotations

import random
import re

import pytest

from app.permits import numbers

FORMAT = re.compile(
    r"^SW-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}[0-9A-Z*~$=]$"
)
SAMPLE = [numbers.generate() for _ in range(25)]


def _symbols(number: str) -> str:
    return number.removeprefix("SW-").replace("-", "")


def _number(symbols: str) -> str:
    return f"SW-{symbols[0:4]}-{symbols[4:8]}-{symbols[8:12]}"


def _with_check(body: str) -> str:
    return _number(body + numbers.check_symbol(body))


def test_generated_numbers_have_the_format_and_a_valid_check() -> None:
    for number in SAMPLE:
        assert FORMAT.match(number), number
        assert len(number) == 17
        assert numbers.is_valid(number)
        assert numbers.normalise(number) == number


def test_check_symbol_is_mod_37_of_the_base32_value() -> None:
    assert numbers.check_symbol("00000000000") == "0"
    assert numbers.check_symbol("00000000001") == "1"
    assert numbers.check_symbol("0000000000Z") == "Z"  # 31
    assert numbers.check_symbol("00000000010") == "*"  # 32
    assert numbers.check_symbol("00000000012") == "$"  # 34
    assert numbers.check_symbol("00000000014") == "U"  # 36
    assert numbers.check_symbol("00000000015") == "0"  # 37


@pytest.mark.parametrize("number", SAMPLE)
def test_every_single_symbol_typo_is_caught(number: str) -> None:
    symbols = _symbols(number)
    for position, original in enumerate(symbols):
        alphabet = numbers.CHECK_ALPHABET if position == len(symbols) - 1 else numbers.ALPHABET
        for replacement in alphabet:
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
    """Exhaustive over all symbol pairs at every body position of one fixed body."""
    rng = random.Random(37)
    body = "".join(rng.choice(numbers.ALPHABET) for _ in range(numbers.RANDOM_LENGTH))
    for position in range(numbers.RANDOM_LENGTH - 1):
        for a in numbers.ALPHABET:
            for b in numbers.ALPHABET:
                if a == b:
                    continue
                right = body[:position] + a + b + body[position + 2 :]
                wrong = body[:position] + b + a + body[position + 2 :]
                assert numbers.check_symbol(right) != numbers.check_symbol(wrong)


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
    while len(checked_positions) < 12:
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
    body = "SW" + "3K9QZ0M7P"
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
