"""Encryption at rest for personal data (legal identity, birth date, contact details,
notes, uploaded documents).

Columns typed `EncryptedJSON` are stored as Fernet tokens (AES-128-CBC + HMAC). The keys
are FIELD_ENCRYPTION_KEY: one Fernet key, or several separated by commas while keys are
rotated: the first encrypts, every one decrypts (MultiFernet); `swl keys rotate`
re-encrypts everything under the first, after which the old keys can be removed. Without
FIELD_ENCRYPTION_KEY a key is derived from SECRET_KEY (development only).

Stored files (uploads, generated documents, photos) use envelope encryption
(`seal`/`open_sealed`): each file gets its own random AES-256-GCM data key, which is
stored with the file wrapped (encrypted) by the field key; rotating keys rewraps the data
keys without touching the file's content.

Look-ups of an encrypted value (a BSN) go through `keyed_hash`: an HMAC under LOOKUP_KEY
(by default derived from the oldest field key), so the stored hash cannot be matched
against a list of all BSNs without the key, and does not change when keys rotate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.config import get_settings


def _key_list(keys: str | None, secret: str) -> list[str]:
    listed = [k.strip() for k in (keys or "").split(",") if k.strip()]
    if listed:
        return listed
    derived = hashlib.sha256(b"swl-field-encryption:" + secret.encode()).digest()
    return [base64.urlsafe_b64encode(derived).decode()]


@lru_cache
def _fernet(keys: str | None, secret: str) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in _key_list(keys, secret)])


def fernet() -> MultiFernet:
    """The field keys: the first encrypts, every one decrypts."""
    settings = get_settings()
    return _fernet(settings.field_encryption_key, settings.secret_key)


def rotate_token(token: str) -> str:
    """The same value encrypted under the first (current) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("encrypted value cannot be read with the configured keys") from exc


# ---- files: envelope encryption -------------------------------------------------------------

SEALED = b"SWLSEAL1"
"""The first bytes of a sealed file; a file without them is read as it is (stored before
encryption; `swl keys rotate` seals it)."""


def seal(content: bytes) -> bytes:
    """`content` encrypted under a new data key, stored with it wrapped by the field key."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    wrapped = fernet().encrypt(data_key)
    body = AESGCM(data_key).encrypt(nonce, content, None)
    return SEALED + len(wrapped).to_bytes(2, "big") + wrapped + nonce + body


def is_sealed(stored: bytes) -> bool:
    return stored.startswith(SEALED)


def _parts(stored: bytes) -> tuple[bytes, bytes, bytes]:
    length = int.from_bytes(stored[len(SEALED) : len(SEALED) + 2], "big")
    start = len(SEALED) + 2
    wrapped = stored[start : start + length]
    nonce = stored[start + length : start + length + 12]
    return wrapped, nonce, stored[start + length + 12 :]


def open_sealed(stored: bytes) -> bytes:
    """The content of a sealed file (a file stored before encryption is returned as is)."""
    if not is_sealed(stored):
        return stored
    wrapped, nonce, body = _parts(stored)
    try:
        data_key = fernet().decrypt(wrapped)
        return AESGCM(data_key).decrypt(nonce, body, None)
    except (InvalidToken, InvalidTag) as exc:
        raise ValueError("stored file cannot be read with the configured keys") from exc


def reseal(stored: bytes) -> bytes:
    """A sealed file with its data key rewrapped under the current key (the content is
    not re-encrypted); a file stored before encryption is sealed."""
    if not is_sealed(stored):
        return seal(stored)
    wrapped, nonce, body = _parts(stored)
    rewrapped = fernet().rotate(wrapped)
    return SEALED + len(rewrapped).to_bytes(2, "big") + rewrapped + nonce + body


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


class EncryptedText(TypeDecorator[str]):
    """A text encrypted at rest (an account's e-mail address); found through a keyed hash
    kept beside it, never by its value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else fernet().encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("encrypted value cannot be read with the configured keys") from exc


def keyed_hash(purpose: str, value: str) -> str:
    """A keyed SHA-256 of `value` for look-ups, separate per `purpose` (e.g. "bsn")."""
    settings = get_settings()
    oldest = (
        _key_list(settings.field_encryption_key, "")[-1:] if settings.field_encryption_key else []
    )
    secret = (settings.lookup_key or (oldest[0] if oldest else settings.secret_key)).encode()
    key = hmac.new(secret, f"swl-lookup:{purpose}".encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def bsn_hash(bsn: str) -> str:
    """The look-up hash of a BSN (the address register, home work and persons share it)."""
    return keyed_hash("bsn", bsn)
