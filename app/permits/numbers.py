"""Permit numbers: random (not guessable), readable, with a check character.

Format `SW-XXXX-XXXX-XXXC`: 11 random Crockford base-32 symbols (55 bits) and one check
symbol (Crockford's mod-37 check), so a typo is caught before any database look-up.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
CHECK_ALPHABET = ALPHABET + "*~$=U"  # 37 check symbols
PREFIX = "SW"
RANDOM_LENGTH = 11
_PATTERN = re.compile(r"^SW-([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{3})([0-9A-Z*~$=U])$")


def _value(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return value


def check_symbol(symbols: str) -> str:
    return CHECK_ALPHABET[_value(symbols) % 37]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _format(body + check_symbol(body))


def _format(chars: str) -> str:
    return f"{PREFIX}-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def normalise(raw: str) -> str | None:
    """The canonical form of a typed number, or None when it is malformed or fails its check.

    Accepts lower case, missing dashes and the letters Crockford maps to digits (O→0, I/L→1).
    """
    text = re.sub(r"[\s-]", "", raw.strip().upper())
    # Strip the prefix only when it is there: a body may itself start with "SW".
    if len(text) == len(PREFIX) + RANDOM_LENGTH + 1 and text.startswith(PREFIX):
        text = text[len(PREFIX) :]
    if len(text) != RANDOM_LENGTH + 1:
        return None
    # O, I and L are not check symbols either, so the mapping is safe for the check too.
    text = text.translate(str.maketrans("OIL", "011"))
    body, check = text[:RANDOM_LENGTH], text[RANDOM_LENGTH]
    if any(symbol not in ALPHABET for symbol in body) or check_symbol(body) != check:
        return None
    candidate = _format(body + check)
    return candidate if _PATTERN.match(candidate) else None


def is_valid(raw: str) -> bool:
    return normalise(raw) is not None
