"""PAdES signatures: with a throwaway certificate configured, permits and letters are signed
when they are made; pyHanko's validator accepts them, and a changed byte (or anything
appended after signing) makes validation fail. Without a certificate nothing is signed."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.auth.models import User
from app.config import get_settings
from app.documents import render, sign
from app.documents.models import Document, DocumentKind
from app.permits.models import Permit
from tests.factories import (
    LEGAL_NAME,
    make_permit,
    pdf_text,
    signing_certificate,
    token_for,
)


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Signing switched on with a fresh CA and signing certificate."""
    paths = signing_certificate(tmp_path / "pki", common_name="Gemeente Tilburg (test)")
    settings = get_settings()
    monkeypatch.setattr(settings, "signing_cert_file", paths["cert"])
    monkeypatch.setattr(settings, "signing_key_file", paths["key"])
    monkeypatch.setattr(settings, "signing_key_passphrase", None)
    assert sign.signing_configured()
    return paths


def _documents(session: Session, permit: Permit) -> list[Document]:
    session.expire_all()
    return list(
        session.exec(
            select(Document)
            .where(col(Document.subject_id).in_([permit.id, permit.application_id]))
            .order_by(col(Document.created_at))
        ).all()
    )


def _permit_pdf(client: TestClient, user: User, number: str) -> bytes:
    response = client.get(f"/api/v1/permits/{number}/pdf", headers=token_for(client, user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def _byte_range(pdf: bytes) -> list[int]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert found, "no signature byte range"
    return [int(n) for n in found[-1]]


def _flip_inside_first_range(pdf: bytes) -> bytes:
    """Change one byte in the middle of the largest stream covered by the signature: the
    file still parses, only its content differs from what was signed."""
    start, length, _, _ = _byte_range(pdf)
    best: tuple[int, int] | None = None
    for match in re.finditer(rb"stream\r?\n", pdf[start : start + length]):
        begin = start + match.end()
        end = pdf.find(b"endstream", begin, start + length)
        if end != -1 and (best is None or end - begin > best[1] - best[0]):
            best = (begin, end)
    assert best is not None
    at = (best[0] + best[1]) // 2
    assert start <= at < start + length
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


def test_permit_and_letter_are_signed_and_verify(
    client: TestClient, session: Session, holder: User, clerk: User, certificate: dict[str, Path]
) -> None:
    permit = make_permit(session, holder, clerk=clerk, working_name="Roos")
    documents = _documents(session, permit)
    assert {d.kind for d in documents} == {DocumentKind.permit, DocumentKind.decision_approve}
    assert all(d.signed for d in documents)

    pdf = _permit_pdf(client, holder, permit.number)
    stored = next(d for d in documents if d.kind is DocumentKind.permit)
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest()  # the signed bytes are stored
    check = sign.verify_pdf(pdf, certificate["root"])
    assert check.signed and check.intact and check.trusted and check.covers_whole_file
    assert check.ok
    assert check.signer is not None and "Gemeente Tilburg (test)" in check.signer

    # Signing is an incremental update: the permit is still PDF/A with its content.
    reader = PdfReader(io.BytesIO(pdf))
    metadata: Any = reader.root_object["/Metadata"].get_object()
    xmp = metadata.get_data()
    assert b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    text = pdf_text(pdf)
    assert permit.number in text and "Roos" in text
    assert LEGAL_NAME not in text
    fields = reader.get_fields() or {}
    assert any(f.get("/FT") == "/Sig" for f in fields.values())

    letter = next(d for d in documents if d.kind is DocumentKind.decision_approve)
    response = client.get(f"/api/v1/documents/{letter.id}", headers=token_for(client, holder))
    assert response.status_code == 200
    assert sign.verify_pdf(response.content, certificate["root"]).ok


def test_a_changed_byte_fails_validation(
    client: TestClient, session: Session, holder: User, clerk: User, certificate: dict[str, Path]
) -> None:
    permit = make_permit(session, holder, clerk=clerk)
    pdf = _permit_pdf(client, holder, permit.number)
    assert sign.verify_pdf(pdf, certificate["root"]).ok

    tampered = _flip_inside_first_range(pdf)
    check = sign.verify_pdf(tampered, certificate["root"])
    assert check.signed
    assert check.intact is False
    assert not check.ok

    # A byte in the second signed range (after the signature value) as well.
    _, _, second, length = _byte_range(pdf)
    changed = bytearray(pdf)
    changed[second + length // 2] ^= 0x01
    assert not sign.verify_pdf(bytes(changed), certificate["root"]).ok


def test_a_signature_from_another_root_is_not_trusted(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    certificate: dict[str, Path],
    tmp_path: Path,
) -> None:
    permit = make_permit(session, holder, clerk=clerk)
    pdf = _permit_pdf(client, holder, permit.number)
    other = signing_certificate(tmp_path / "other", common_name="Someone else")
    check = sign.verify_pdf(pdf, other["root"])
    assert check.signed and check.intact
    assert check.trusted is False
    assert not check.ok


def test_a_revision_appended_after_signing_fails_validation(
    client: TestClient, session: Session, holder: User, clerk: User, certificate: dict[str, Path]
) -> None:
    """The signed bytes are intact, but a later incremental update changes the document
    (here: its language); that must not pass as a valid signed permit."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    permit = make_permit(session, holder, clerk=clerk)
    pdf = _permit_pdf(client, holder, permit.number)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = sign.verify_pdf(out.getvalue(), certificate["root"])
    assert check.signed and check.intact
    assert check.covers_whole_file is False
    assert not check.ok


def test_sign_pdf_directly_round_trips(certificate: dict[str, Path]) -> None:
    pdf = render.html_to_pdf(
        '<html lang="nl"><head><title>Proef</title></head><body><p>Proef</p></body></html>'
    )
    assert sign.verify_pdf(pdf, certificate["root"]).signed is False
    signed = sign.sign_pdf(pdf, reason="Proef", location="Tilburg")
    assert signed.startswith(pdf)  # an incremental update: the original bytes stay
    assert sign.verify_pdf(signed, certificate["root"]).ok
    assert not sign.verify_pdf(b"not a pdf", certificate["root"]).ok


def test_nothing_is_signed_when_signing_is_not_configured(
    client: TestClient, session: Session, holder: User, clerk: User, tmp_path: Path
) -> None:
    settings = get_settings()
    assert settings.signing_cert_file is None and settings.signing_key_file is None
    assert not sign.signing_configured()
    permit = make_permit(session, holder, clerk=clerk)
    documents = _documents(session, permit)
    assert documents and not any(d.signed for d in documents)
    pdf = _permit_pdf(client, holder, permit.number)
    root = signing_certificate(tmp_path / "pki")["root"]
    check = sign.verify_pdf(pdf, root)
    assert check.signed is False and not check.ok
    assert b"/ByteRange" not in pdf

    listed = client.get(
        f"/api/v1/applications/{permit.application_id}/documents",
        headers=token_for(client, holder),
    ).json()
    assert [d["signed"] for d in listed if d["source"] == "generated"] == [False, False]


def test_only_a_certificate_without_a_key_does_not_switch_signing_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    paths = signing_certificate(tmp_path / "pki")
    monkeypatch.setattr(get_settings(), "signing_cert_file", paths["cert"])
    assert not sign.signing_configured()
    monkeypatch.setattr(get_settings(), "signing_cert_file", None)
    monkeypatch.setattr(get_settings(), "signing_key_file", paths["key"])
    assert not sign.signing_configured()
