"""Password hashing (Argon2 via pwdlib), API bearer tokens (JWT, HS256) that name their
session, and the hashes of one-time recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from pwdlib import PasswordHash

from app.config import get_settings
from app.db import utcnow

_hasher = PasswordHash.recommended()
# Verifying against this keeps the time of a login for an unknown email the same.
_DUMMY_HASH = _hasher.hash("dummy password for timing equalisation")
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:
        return False


@dataclass(frozen=True)
class TokenClaims:
    """What a bearer token says: whose it is, its session and the account's generation."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    generation: int


def create_access_token(
    user_id: uuid.UUID, *, session_id: uuid.UUID, generation: int
) -> tuple[str, int]:
    settings = get_settings()
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    now = utcnow()
    payload = {
        "sub": str(user_id),
        "sid": str(session_id),
        "gen": generation,
        "iat": now,
        "exp": now + lifetime,
        "typ": "access",
    }
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM), int(
        lifetime.total_seconds()
    )


def decode_access_token(token: str) -> TokenClaims | None:
    """The token's claims, or None when it is forged, expired, or made before tokens named
    their session (such a token can no longer be ended, so it is refused)."""
    try:
        payload = jwt.decode(token, get_settings().secret_key, algorithms=[ALGORITHM])
        if payload.get("typ") != "access" or not isinstance(payload.get("gen"), int):
            return None
        return TokenClaims(
            user_id=uuid.UUID(str(payload["sub"])),
            session_id=uuid.UUID(str(payload["sid"])),
            generation=payload["gen"],
        )
    except (jwt.PyJWTError, KeyError, ValueError):
        return None


# ---- one-time recovery codes of the two-factor login -----------------------------------------

RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_recovery_code() -> str:
    """12 characters (about 59 bits) shown as xxxx-xxxx-xxxx."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def hash_recovery_code(code: str) -> str:
    """A salted SHA-256 (`salt$digest`): the codes are random, so a slow hash adds nothing."""
    salt = secrets.token_hex(16)
    digest = hashlib.sha256(f"{salt}:{normalise_recovery_code(code)}".encode()).hexdigest()
    return f"{salt}${digest}"


def recovery_code_matches(code: str, stored: str) -> bool:
    salt, _, digest = stored.partition("$")
    candidate = hashlib.sha256(f"{salt}:{normalise_recovery_code(code)}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)
