"""Encryption at rest for personal data (legal identity, birth date, contact details).

Columns typed `EncryptedJSON` are stored as Fernet tokens (AES-128-CBC + HMAC). The key is
FIELD_ENCRYPTION_KEY, or derived from SECRET_KEY when that is not set (development).
Look-ups of an encrypted value (a BSN) go through `keyed_hash`: an HMAC under a key derived
from the same secret, so the stored hash cannot be matched against a list of all BSNs
without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.config import get_settings


@lru_cache
def _fernet(key: str | None, secret: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    derived = hashlib.sha256(b"swl-field-encryption:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def fernet() -> Fernet:
    settings = get_settings()
    return _fernet(settings.field_encryption_key, settings.secret_key)


def encrypt_json(value: Any) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> Any:
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be read with the configured key") from exc


class EncryptedJSON(TypeDecorator[dict[str, Any]]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> dict[str, Any] | None:
        return None if value is None else decrypt_json(value)


def keyed_hash(purpose: str, value: str) -> str:
    """A keyed SHA-256 of `value` for look-ups, separate per `purpose` (e.g. "bsn")."""
    settings = get_settings()
    secret = (settings.field_encryption_key or settings.secret_key).encode()
    key = hmac.new(secret, f"swl-lookup:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def bsn_hash(bsn: str) -> str:
    """The look-up hash of a BSN (the address register, home work and persons share it)."""
    return keyed_hash("bsn", bsn)
