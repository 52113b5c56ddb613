"""Content-addressed storage for document bytes (uploads, generated PDFs, photos).

Callers go through `get_store()`; the DOCUMENT_STORE setting names the backend, so an
S3-compatible store can be added here without touching them. Keys are SHA-256 hex digests
of the content: the same bytes are stored once. What is written to disk is sealed
(envelope encryption, `app/crypto.py`): nothing of an identity document or a photo is
readable from the data folder without the key.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from app import crypto


class DocumentStore(Protocol):
    def put(self, content: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...

    def reseal(self, key: str) -> bool: ...

    def age_seconds(self, key: str) -> float: ...


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class FilesystemStore:
    """Files under `root/ab/cd/<sha256>`, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise KeyError(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, content: bytes) -> str:
        key = sha256_hex(content)
        path = self._path(key)
        if path.exists():
            return key
        self._write(path, crypto.seal(content))
        return key

    def _write(self, path: Path, stored: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(stored)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.exists():
            raise KeyError(key)
        content = crypto.open_sealed(path.read_bytes())
        if sha256_hex(content) != key:
            raise ValueError(f"stored document {key} does not match its hash")
        return content

    def keys(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if len(path.name) == 64 and not path.name.startswith("."):
                yield path.name

    def age_seconds(self, key: str) -> float:
        """Seconds since the file was written (0 when it is not there)."""
        path = self._path(key)
        return max(time.time() - path.stat().st_mtime, 0.0) if path.exists() else 0.0

    def reseal(self, key: str) -> bool:
        """Rewrap the file's data key under the current field key (seal a file stored
        before encryption). Returns whether the file was there."""
        path = self._path(key)
        if not path.exists():
            return False
        self._write(path, crypto.reseal(path.read_bytes()))
        return True

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


@lru_cache
def _store(backend: str, root: str) -> DocumentStore:
    if backend == "filesystem":
        return FilesystemStore(Path(root))
    raise ValueError(f"unknown DOCUMENT_STORE backend: {backend}")


def get_store(area: str = "documents") -> DocumentStore:
    """The store of one area: "documents" (uploads and generated PDFs) or "photos"
    (inspection photos, erased on their own schedule)."""
    from app.config import get_settings

    settings = get_settings()
    return _store(settings.document_store, str(settings.data_dir / area))
