"""The content-addressed document store: same bytes stored once, written atomically, keys
checked (no path traversal), corruption detected on read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from app.documents import store as store_module
from app.documents.store import FilesystemStore, get_store, sha256_hex

CONTENT = b"%PDF-1.7\n% a document\n%%EOF\n"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_returns_the_sha256_and_get_returns_the_same_bytes(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    key = store.put(CONTENT)
    assert key == hashlib.sha256(CONTENT).hexdigest() == sha256_hex(CONTENT)
    assert store.exists(key)
    assert store.get(key) == CONTENT
    # Laid out as ab/cd/<sha256> under the root.
    assert _files(tmp_path) == [tmp_path / key[:2] / key[2:4] / key]


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    first = store.put(CONTENT)
    stat = (tmp_path / first[:2] / first[2:4] / first).stat()
    second = store.put(bytes(CONTENT))
    assert second == first
    assert len(_files(tmp_path)) == 1
    # Not rewritten either: the file is the one written the first time.
    again = (tmp_path / first[:2] / first[2:4] / first).stat()
    assert (again.st_ino, again.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)

    other = store.put(CONTENT + b"\n")
    assert other != first
    assert len(_files(tmp_path)) == 2


def test_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    for n in range(5):
        store.put(CONTENT * (n + 1))
    assert not [p for p in tmp_path.rglob(".tmp-*")]
    assert len(_files(tmp_path)) == 5


def test_a_failed_write_leaves_neither_the_document_nor_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FilesystemStore(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put(CONTENT)
    key = sha256_hex(CONTENT)
    assert not store.exists(key)
    assert _files(tmp_path) == []

    monkeypatch.undo()
    assert store.put(CONTENT) == key
    assert store.get(key) == CONTENT


def test_a_partly_written_temporary_file_is_never_read_as_the_document(tmp_path: Path) -> None:
    """A crash mid-write leaves at most a .tmp- file; the key's path appears only whole."""
    store = FilesystemStore(tmp_path)
    key = sha256_hex(CONTENT)
    folder = tmp_path / key[:2] / key[2:4]
    folder.mkdir(parents=True)
    (folder / ".tmp-crashed").write_bytes(CONTENT[:5])
    assert not store.exists(key)
    with pytest.raises(KeyError):
        store.get(key)
    assert store.put(CONTENT) == key
    assert store.get(key) == CONTENT


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "../" + "a" * 61,
        "/etc/passwd",
        "a" * 63,
        "a" * 65,
        "A" * 64,  # upper case is not how keys are written
        "g" * 64,
        "..%2f" + "a" * 59,
        "",
        "ab/cd/" + "a" * 58,
        "a" * 63 + "\x00",
    ],
)
def test_bad_keys_are_rejected(tmp_path: Path, key: str) -> None:
    root = tmp_path / "store"
    store = FilesystemStore(root)
    outside = tmp_path / "x"
    outside.write_bytes(b"secret")
    with pytest.raises(KeyError):
        store.get(key)
    with pytest.raises(KeyError):
        store.exists(key)
    assert outside.read_bytes() == b"secret"
    assert not root.exists()  # nothing was created for a bad key


def test_an_unknown_key_is_a_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        FilesystemStore(tmp_path).get("0" * 64)
    assert not FilesystemStore(tmp_path).exists("0" * 64)


def test_get_detects_corruption(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    key = store.put(CONTENT)
    path = tmp_path / key[:2] / key[2:4] / key
    damaged = bytearray(CONTENT)
    damaged[3] ^= 0x01
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=key):
        store.get(key)
    path.write_bytes(b"")
    with pytest.raises(ValueError):
        store.get(key)


def test_get_store_keeps_documents_under_the_data_dir() -> None:
    from app.config import get_settings

    store = get_store()
    assert isinstance(store, FilesystemStore)
    assert store.root == get_settings().data_dir / "documents"
    key = store.put(CONTENT + os.urandom(8))
    assert (get_settings().data_dir / "documents" / key[:2] / key[2:4] / key).is_file()
