"""When a legal period ends (Algemene termijnenwet art. 1): pure tests with fixed dates."""

from __future__ import annotations

from datetime import date

import pytest

from app.deadlines import due_date, easter, is_working_day, next_working_day, public_holidays


def test_a_period_ending_on_easter_monday_moves_to_tuesday() -> None:
    # 6 April 2026 is Easter Monday (tweede Paasdag).
    assert due_date(date(2026, 3, 9), 28) == date(2026, 4, 7)


def test_a_period_ending_on_good_friday_moves_past_the_easter_weekend() -> None:
    assert due_date(date(2026, 3, 6), 28) == date(2026, 4, 7)


def test_a_period_ending_on_kings_day_moves_to_the_next_day() -> None:
    # 27 April 2026 is a Monday.
    assert due_date(date(2026, 3, 2), 56) == date(2026, 4, 28)


def test_kings_day_is_the_26th_when_the_27th_is_a_sunday() -> None:
    # 27 April 2025 was a Sunday, so King's Day was Saturday 26 April; 27 April 2031 is a
    # Sunday too, and Saturday 26 April 2031 is King's Day.
    assert date(2025, 4, 26) in public_holidays(2025)
    assert date(2031, 4, 26) in public_holidays(2031)
    assert date(2031, 4, 27) not in public_holidays(2031)
    # A period ending on Saturday 26 April 2025 moves to Monday 28 April.
    assert due_date(date(2025, 3, 29), 28) == date(2025, 4, 28)


def test_a_period_ending_on_a_sunday_moves_to_monday() -> None:
    # 8 November 2026 is a Sunday.
    assert due_date(date(2026, 9, 13), 56) == date(2026, 11, 9)


def test_a_period_ending_on_a_saturday_moves_to_monday() -> None:
    assert due_date(date(2026, 9, 12), 56) == date(2026, 11, 9)


def test_a_period_ending_on_a_working_day_stays() -> None:
    assert due_date(date(2026, 9, 14), 56) == date(2026, 11, 9)
    assert next_working_day(date(2026, 11, 10)) == date(2026, 11, 10)


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2029])
def test_liberation_day_counts_every_year_not_only_every_fifth(year: int) -> None:
    assert date(year, 5, 5) in public_holidays(year)


def test_christmas_and_new_year_move_on_together() -> None:
    # Friday 25 and Saturday 26 December 2026, then Sunday: Monday 28 December.
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)
    # Thursday 1 January 2026: Friday 2 January.
    assert next_working_day(date(2026, 1, 1)) == date(2026, 1, 2)


def test_ascension_and_whit_monday() -> None:
    assert not is_working_day(date(2026, 5, 14))  # Hemelvaartsdag
    assert not is_working_day(date(2026, 5, 25))  # tweede Pinksterdag
    assert is_working_day(date(2026, 5, 15))


def test_easter() -> None:
    assert [easter(y) for y in (2024, 2025, 2026, 2038)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2038, 4, 25),
    ]
