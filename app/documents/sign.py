"""PAdES signatures with pyHanko, when a signing certificate and key are configured."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from app.config import get_settings

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's async API from sync code, also when this thread has an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def signing_configured() -> bool:
    settings = get_settings()
    return bool(settings.signing_cert_file and settings.signing_key_file)


@lru_cache
def _signer(key_file: str, cert_file: str, passphrase: str | None) -> Any:
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(
        key_file, cert_file, key_passphrase=passphrase.encode() if passphrase else None
    )
    if signer is None:
        raise ValueError("the signing key or certificate could not be loaded")
    return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    """Sign `pdf` as PAdES B-B with the configured certificate (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    settings = get_settings()
    assert settings.signing_key_file and settings.signing_cert_file
    signer = _signer(
        str(settings.signing_key_file),
        str(settings.signing_cert_file),
        settings.signing_key_passphrase,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="Gemeente",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    output = _run(signers.async_sign_pdf(writer, metadata, signer=signer))
    return bytes(output.getvalue())


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool
    trusted: bool
    signer: str | None
    covers_whole_file: bool

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def verify_pdf(pdf: bytes, trust_root_pem: Path) -> SignatureCheck:
    """Check the last signature in `pdf` against a trusted root certificate."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        return SignatureCheck(False, False, False, None, False)
    if not signatures:
        return SignatureCheck(False, False, False, None, False)
    embedded = signatures[-1]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(trust_root_pem))])
    try:
        status = _run(async_validate_pdf_signature(embedded, context))
    except Exception:
        return SignatureCheck(True, False, False, None, False)
    coverage = getattr(status, "coverage", None)
    level = getattr(status, "modification_level", None)
    # The signature must cover the whole file. A later revision is accepted only when it
    # adds validation data or timestamps (LTA updates): anything else appended after
    # signing (a changed page, title or language) could alter what the reader sees.
    whole = coverage is not None and (
        coverage.name == "ENTIRE_FILE"
        or (
            coverage.name == "ENTIRE_REVISION"
            and level is not None
            and level.name == "LTA_UPDATES"
            and bool(status.docmdp_ok)
        )
    )
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else None,
        covers_whole_file=whole,
    )
