"""Encryption at rest and key rotation: stored files are sealed (their content is not in
the data folder), and `swl keys rotate` moves every encrypted value and file key to the
new key so the old one can be removed, on both databases, with real commits."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlmodel import Session, select

from app import keys
from app.applications.models import Application, ApplicationDocument
from app.config import get_settings
from app.documents.store import get_store
from tests.factories import PDF_BYTES, make_application


def test_a_stored_file_is_sealed() -> None:
    marker = b"%PDF-1.7 MARKER-IN-AN-IDENTITY-DOCUMENT"
    store = get_store()
    key = store.put(marker)
    on_disk = (get_settings().data_dir / "documents" / key[:2] / key[2:4] / key).read_bytes()
    assert b"MARKER-IN-AN-IDENTITY-DOCUMENT" not in on_disk
    assert store.get(key) == marker


def test_rotation_moves_everything_to_the_new_key(
    isolated_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path)  # a store of this test's files only
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setattr(settings, "field_encryption_key", old)
    with Session(isolated_engine) as session:
        application = make_application(session)
        application_id = application.id
        legal_name = application.details["legal_name"]
        upload_key = session.exec(
            select(ApplicationDocument.sha256).where(
                ApplicationDocument.application_id == application_id
            )
        ).one()

    monkeypatch.setattr(settings, "field_encryption_key", f"{new},{old}")
    report = keys.rotate(isolated_engine, batch_size=2)
    assert report.values["application.details"] >= 1
    assert report.files["documents"] >= 1 and report.unreadable_files == []

    monkeypatch.setattr(settings, "field_encryption_key", new)  # the old key is gone
    with Session(isolated_engine) as session:
        again = session.get(Application, application_id)
        assert again is not None and again.details["legal_name"] == legal_name
    assert get_store().get(upload_key) == PDF_BYTES

    monkeypatch.setattr(settings, "field_encryption_key", old)  # and no longer opens it
    with Session(isolated_engine) as session, pytest.raises(ValueError):
        session.get(Application, application_id)
