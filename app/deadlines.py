"""When a legal period ends: the Algemene termijnenwet (Atw).

Every period this service sets by law or by the policy (the decision period and its
extension, the term to supply information, the hearing period of home work) ends through
`due_date`: the last day of a period that ends on a Saturday, a Sunday or a generally
recognised public holiday moves to the next day that is none of these (Atw art. 1 lid 1).

Pure functions of dates: nothing here knows the web, the database or the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SATURDAY = 5


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """The generally recognised public holidays of `year` in the sense of the Atw.

    Atw art. 3 lid 1 lists: Nieuwjaarsdag, tweede Paas- en Pinksterdag, beide Kerstdagen,
    Hemelvaartsdag, the day the King's birthday is celebrated (Koningsdag: 27 April, 26
    April when the 27th is a Sunday) and 5 May (Bevrijdingsdag) — every year, where the
    `holidays` library names Liberation Day only every fifth year (when it is a day off
    for everyone), so it is added here. Goede Vrijdag is not in art. 3 lid 1 (art. 3 lid 2
    lets days be put on a par by decree); the library names it and the issue asked for it,
    so it is kept, and added below so that a library change cannot drop
    it silently (to be confirmed by the legal department). The days of art. 3 lid 1 are
    added below as well, for the same reason. Easter and Whit Sunday are Sundays anyway.
    """
    found = set(holidays.country_holidays("NL", years=year))
    found.add(date(year, 5, 5))  # Atw art. 3 lid 1: "de vijfde mei", every year
    easter_sunday = easter(year)
    found.add(easter_sunday - timedelta(days=2))  # Goede Vrijdag (Atw art. 3 lid 2)
    found.add(easter_sunday + timedelta(days=1))  # tweede Paasdag
    found.add(easter_sunday + timedelta(days=39))  # Hemelvaartsdag
    found.add(easter_sunday + timedelta(days=50))  # tweede Pinksterdag
    found.update({date(year, 1, 1), date(year, 12, 25), date(year, 12, 26)})
    return frozenset(found)


def easter(year: int) -> date:
    """Easter Sunday of `year` in the Gregorian calendar (the anonymous algorithm of
    Meeus, Jones and Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 19 * l) // 433
    month = (h + l - 7 * m + 90) // 25
    day = (h + l - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


def is_working_day(day: date) -> bool:
    """Not a Saturday, Sunday or public holiday (Atw art. 1 lid 1)."""
    return day.weekday() < SATURDAY and day not in public_holidays(day.year)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(start: date, days: int) -> date:
    """The last day of a period of `days` days that starts on `start` (the day of the
    request, notice or decision; the period runs from the day after it), moved to the next
    working day when it ends on a Saturday, Sunday or public holiday (Atw art. 1 lid 1)."""
    return next_working_day(start + timedelta(days=days))
