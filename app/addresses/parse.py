"""Reading a Dutch address as people type it, into the parts the BRP uses.

Pure functions: no database, no web. A postcode is checked with python-stdnum (four
digits, not starting with 0, two letters, not SA, SD or SS). A house number is 1 to 99999,
optionally followed by one house letter and an addition of up to four letters or digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import postcode as nl_postcode

HOUSE_NUMBER = re.compile(
    r"""^\s*
    (?P<number>[1-9][0-9]{0,4})
    (?:\s*(?P<letter>[A-Za-z])(?![A-Za-z0-9]))?     # one letter standing alone: "12a", "12 A"
    (?:(?:\s*-\s*|\s+|(?<=[A-Za-z])|(?=[A-Za-z]))  # an addition after a separator,
    (?P<addition>[A-Za-z0-9]{1,4}))?               # or a letter: "12-3", "12 bis", "12A1"
    \s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class AddressParts:
    postcode: str
    house_number: int
    house_letter: str = ""
    addition: str = ""

    def house(self) -> str:
        """The house number as written on a letter: "12", "12A", "12A-3", "12-BIS"."""
        text = f"{self.house_number}{self.house_letter}"
        return f"{text}-{self.addition}" if self.addition else text

    def one_line(self) -> str:
        """How a permit prints a business's address: "12A-3, 5038 AB"."""
        return f"{self.house()}, {self.postcode}"


def normalise_postcode(value: str) -> str:
    try:
        return str(nl_postcode.validate(value))
    except StdnumError:
        raise ValueError("Not a Dutch postcode, like 5038 AB.") from None


def house_number_parts(value: str) -> tuple[int, str, str]:
    found = HOUSE_NUMBER.match(value or "")
    if found is None:
        raise ValueError("Not a house number, like 12, 12A or 12-3.")
    return (
        int(found["number"]),
        (found["letter"] or "").upper(),
        (found["addition"] or "").upper(),
    )


def normalise_house_number(value: str) -> str:
    number, letter, addition = house_number_parts(value)
    return AddressParts("", number, letter, addition).house()


def parse(postcode: str, house_number: str) -> AddressParts:
    """The address parts from a typed postcode and house number; ValueError if either is
    not valid."""
    number, letter, addition = house_number_parts(house_number)
    return AddressParts(normalise_postcode(postcode), number, letter, addition)
