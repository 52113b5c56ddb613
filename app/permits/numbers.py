"""Permit numbers: random (not guessable), readable, with two check symbols.

Format `SW-XXXX-XXXX-XXCC`: 10 random Crockford base-32 symbols (50 bits) and two check
symbols chosen so that the whole 12-symbol number, read as a base-32 value, is a multiple
of the prime 997. Every single mistyped symbol and every swap of two neighbouring symbols
changes that value by an amount 997 cannot divide, so such typos are always caught before
any database look-up. Only letters and digits: nothing to lose when copying or in a URL.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
PREFIX = "SW"
RANDOM_LENGTH = 10
CHECK_LENGTH = 2
MODULUS = 997  # prime, > 31, and < 32**2 so two symbols can hold any remainder
_LOOK_ALIKES = str.maketrans("OIL", "011")


def _value(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return value


def check_symbols(body: str) -> str:
    """The two symbols that make `body + check` a multiple of MODULUS."""
    remainder = (-_value(body) * 32**CHECK_LENGTH) % MODULUS
    return ALPHABET[remainder // 32] + ALPHABET[remainder % 32]


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _format(body + check_symbols(body))


def _format(symbols: str) -> str:
    return f"{PREFIX}-{symbols[0:4]}-{symbols[4:8]}-{symbols[8:12]}"


def normalise(raw: str) -> str | None:
    """The canonical form of a typed number, or None when it is malformed or fails its check.

    Accepts lower case, spaces or missing dashes, a missing "SW" prefix and the letters
    Crockford reads as digits (O as 0, I and L as 1).
    """
    text = re.sub(r"[\s-]", "", raw.strip().upper())
    length = RANDOM_LENGTH + CHECK_LENGTH
    # Strip the prefix only when it is there: a body may itself start with "SW".
    if len(text) == len(PREFIX) + length and text.startswith(PREFIX):
        text = text[len(PREFIX) :]
    if len(text) != length:
        return None
    text = text.translate(_LOOK_ALIKES)
    if any(symbol not in ALPHABET for symbol in text):
        return None
    body, check = text[:RANDOM_LENGTH], text[RANDOM_LENGTH:]
    return _format(text) if check_symbols(body) == check else None


def is_valid(raw: str) -> bool:
    return normalise(raw) is not None
