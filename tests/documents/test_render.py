"""The permit PDF and the decision letters, opened with pypdf: what they say, what they
must never say, PDF/A and document metadata, the QR code, versions after a suspension, and
the rendering path itself (WeasyPrint loaded lazily, no network)."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import tomllib
from datetime import date
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.auth import service as auth_service
from app.auth.models import User
from app.config import PROJECT_ROOT, get_settings
from app.documents import render
from app.documents.models import Document, DocumentKind
from app.permits.models import Permit
from tests.factories import (
    LEGAL_NAME,
    application_data,
    birth_date_for_age,
    make_application,
    make_user,
    pdf_pages,
    pdf_text,
    token_for,
)

API = "/api/v1"
TILBURG = tomllib.loads((PROJECT_ROOT / "policies" / "tilburg.toml").read_text("utf-8"))
Headers = dict[str, str]


def _holder(session: Session, language: str) -> User:
    user = make_user(session)
    return auth_service.set_language(session=session, user=user, language=language)


def _decide(
    client: TestClient, clerk: User, application_id: Any, decision: str, reason: str | None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"decision": decision}
    if reason is not None:
        payload["reason"] = reason
    response = client.post(
        f"{API}/applications/{application_id}/decision",
        json=payload,
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _approved(
    client: TestClient,
    session: Session,
    holder: User,
    clerk: User,
    reason: str | None = None,
    **overrides: Any,
) -> Permit:
    """A real approval through the decision API; returns the permit it issued."""
    application = make_application(session, holder, **overrides)
    body = _decide(client, clerk, application.id, "approve", reason)
    session.expire_all()
    permit = session.exec(select(Permit).where(Permit.number == body["permit_number"])).one()
    return permit


def _permit_pdf(client: TestClient, user: User, number: str) -> bytes:
    response = client.get(f"{API}/permits/{number}/pdf", headers=token_for(client, user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


def _documents(session: Session, **where: Any) -> list[Document]:
    session.expire_all()
    query = select(Document).order_by(col(Document.created_at))
    for name, value in where.items():
        query = query.where(getattr(Document, name) == value)
    return list(session.exec(query).all())


def _download(client: TestClient, user: User, document: Document) -> bytes:
    response = client.get(f"{API}/documents/{document.id}", headers=token_for(client, user))
    assert response.status_code == 200, response.text
    return response.content


def _xmp(reader: PdfReader) -> bytes:
    metadata = reader.root_object.get("/Metadata")
    assert metadata is not None, "no XMP metadata stream"
    return bytes(metadata.get_object().get_data())


def _declares_pdfa_3b(reader: PdfReader) -> bool:
    xmp = _xmp(reader)
    part = b'pdfaid:part="3"' in xmp or b"<pdfaid:part>3</pdfaid:part>" in xmp
    conformance = (
        b'pdfaid:conformance="B"' in xmp or b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    )
    return part and conformance


def _dates(day: date) -> list[str]:
    return [day.isoformat(), day.strftime("%d-%m-%Y"), day.strftime("%d/%m/%Y")]


def _qr_codes(content: bytes) -> list[str]:
    """Every QR code in the PDF's images, decoded (scaled up first: the PNG may carry one
    pixel per module)."""
    found: list[str] = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            picture = image.image
            assert picture is not None
            picture = picture.convert("L")
            if picture.width < 200:
                factor = 200 // picture.width + 1
                picture = picture.resize(
                    (picture.width * factor, picture.height * factor), Image.Resampling.NEAREST
                )
            found += [r.text for r in zxingcpp.read_barcodes(picture)]
    return found


# ---- the permit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [
        (
            "nl",
            ("Vergunning sekswerker", "Vergunningnummer"),
            ("Sex worker permit", "Permit number"),
        ),
        (
            "en",
            ("Sex worker permit", "Permit number"),
            ("Vergunning sekswerker", "Vergunningnummer"),
        ),
    ],
)
def test_permit_pdf_in_the_holders_language_first_and_the_other_second(
    client: TestClient,
    session: Session,
    clerk: User,
    language: str,
    first: tuple[str, str],
    second: tuple[str, str],
) -> None:
    assert TILBURG["permit_types"]["sex_worker"]["bilingual_permit"] is True
    holder = _holder(session, language)
    permit = _approved(client, session, holder, clerk, working_name="Roos van Tilburg")
    pdf = _permit_pdf(client, holder, permit.number)

    pages = pdf_pages(pdf)
    assert len(pages) == 2
    for page, (type_label, number_label) in zip(pages, (first, second), strict=True):
        assert type_label in page
        assert number_label in page
        assert permit.number in page
        assert "Roos van Tilburg" in page
        assert permit.valid_from.strftime("%d-%m-%Y") in page
        assert permit.valid_until.strftime("%d-%m-%Y") in page
    assert first[0] not in pages[1] and second[0] not in pages[0]
    # The conditions of the policy, in each page's language.
    nl_page, en_page = (pages[0], pages[1]) if language == "nl" else (pages[1], pages[0])
    spec = TILBURG["permit_types"]["sex_worker"]
    assert spec["conditions_nl"][0] in nl_page
    assert spec["conditions_en"][0] in en_page
    assert TILBURG["municipality"]["decision_authority"] in nl_page

    reader = PdfReader(io.BytesIO(pdf))
    assert reader.root_object["/Lang"] == language
    info = reader.metadata
    assert info is not None
    assert info.author == get_settings().municipality_name
    assert info.title is not None and permit.number in info.title
    assert info.title.startswith(first[0])


def test_permit_pdf_never_shows_the_legal_name_birth_date_or_email(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = _holder(session, "nl")
    data = application_data()
    permit = _approved(client, session, holder, clerk, working_name="Roos")
    pdf = _permit_pdf(client, holder, permit.number)
    text = pdf_text(pdf)
    assert permit.number in text and "Roos" in text

    birth_date = date.fromisoformat(data["birth_date"])
    assert birth_date == birth_date_for_age(30)
    forbidden = [LEGAL_NAME, data["email"], holder.email, data["phone"], *_dates(birth_date)]
    for secret in forbidden:
        assert secret not in text, secret
        # Nor in the metadata, the XMP or anything else stored uncompressed.
        assert secret.encode() not in pdf, secret
    reader = PdfReader(io.BytesIO(pdf))
    assert LEGAL_NAME.encode() not in _xmp(reader)
    assert all(LEGAL_NAME not in str(v) for v in (reader.metadata or {}).values())
    # sex_worker permits show no address (permit_shows_address = false).
    assert data["business_address_postcode"] not in text

    stored = _documents(session, subject_id=permit.id, kind=DocumentKind.permit)
    assert len(stored) == 1
    assert LEGAL_NAME not in str(stored[0].source_data)
    assert stored[0].source_data["working_name"] == "Roos"


def test_permit_pdf_declares_pdfa_3b_and_embeds_debian_fonts(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = _holder(session, "nl")
    permit = _approved(client, session, holder, clerk)
    reader = PdfReader(io.BytesIO(_permit_pdf(client, holder, permit.number)))
    assert _declares_pdfa_3b(reader)
    assert reader.root_object.get("/OutputIntents")
    fonts: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            descriptor = (
                descendants[0].get_object()["/FontDescriptor"] if descendants else None
            ) or font.get("/FontDescriptor")
            assert descriptor is not None
            descriptor = descriptor.get_object()
            # PDF/A: every font is embedded.
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert fonts and all("DejaVu" in name for name in fonts), fonts


def test_qr_code_decodes_to_the_public_verification_url(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = _holder(session, "en")
    permit = _approved(client, session, holder, clerk)
    pdf = _permit_pdf(client, holder, permit.number)
    expected = f"{get_settings().base_url}/verify/{permit.number}"
    codes = _qr_codes(pdf)
    assert codes, "no QR code found in the permit"
    assert set(codes) == {expected}
    assert expected in pdf_text(pdf).replace(" ", "")


def test_business_permit_shows_the_business_address_on_every_version(
    client: TestClient, session: Session, clerk: User
) -> None:
    """sex_business has permit_shows_address = true: the business address is printed, also
    on the version made when the permit is suspended."""
    holder = _holder(session, "nl")
    permit = _approved(client, session, holder, clerk, permit_type="sex_business")
    address = "12, 5038 AB"
    assert address in pdf_pages(_permit_pdf(client, holder, permit.number))[0]
    response = client.post(
        f"{API}/permits/{permit.number}/suspend",
        json={"reason": "Overlast wordt onderzocht"},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    suspended = pdf_pages(_permit_pdf(client, holder, permit.number))
    assert "GESCHORST" in suspended[0]
    assert address in suspended[0]
    assert LEGAL_NAME not in " ".join(suspended)


def test_suspension_makes_a_new_version_and_keeps_the_original(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = _holder(session, "nl")
    permit = _approved(client, session, holder, clerk, working_name="Roos")
    original = _permit_pdf(client, holder, permit.number)
    assert "GESCHORST" not in pdf_text(original)

    response = client.post(
        f"{API}/permits/{permit.number}/suspend",
        json={"reason": "Overlast wordt onderzocht"},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text

    suspended = _permit_pdf(client, holder, permit.number)
    assert suspended != original
    pages = pdf_pages(suspended)
    assert "GESCHORST" in pages[0]
    assert "SUSPENDED" in pages[1]
    assert permit.number in pages[0] and "Roos" in pages[0]

    versions = _documents(session, subject_id=permit.id, kind=DocumentKind.permit)
    assert len(versions) == 2
    assert versions[0].sha256 != versions[1].sha256
    assert [d.natural_key.rsplit(":", 1)[1] for d in versions] == ["v1", "v2"]
    # The original is kept as it was.
    assert _download(client, holder, versions[0]) == original
    assert _download(client, holder, versions[1]) == suspended
    assert "GESCHORST" not in pdf_text(_download(client, holder, versions[0]))


# ---- decision letters ---------------------------------------------------------------------


def _letter(
    client: TestClient, session: Session, holder: User, kind: DocumentKind, **where: Any
) -> str:
    letters = _documents(session, kind=kind, owner_id=holder.id, **where)
    assert len(letters) == 1, [d.natural_key for d in letters]
    reader = PdfReader(io.BytesIO(_download(client, holder, letters[0])))
    assert _declares_pdfa_3b(reader)
    assert reader.metadata is not None
    assert reader.metadata.author == get_settings().municipality_name
    assert reader.metadata.title == letters[0].title
    assert reader.root_object["/Lang"] == letters[0].language
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def _assert_legal_remedy_nl(text: str) -> None:
    assert "bezwaar" in text
    assert "6 weken" in text
    assert TILBURG["municipality"]["objection_address"] in text
    assert TILBURG["municipality"]["decision_authority"] in text
    assert LEGAL_NAME not in text


def test_approval_letter(client: TestClient, session: Session, clerk: User) -> None:
    holder = _holder(session, "nl")
    permit = _approved(
        client, session, holder, clerk, reason="Aan alle voorwaarden voldaan", working_name="Roos"
    )
    text = _letter(client, session, holder, DocumentKind.decision_approve)
    assert "Besluit op uw aanvraag: vergunning verleend" in text
    assert "Aan alle voorwaarden voldaan" in text
    assert permit.number in text
    assert "Roos" in text
    assert TILBURG["permit_types"]["sex_worker"]["reference"] in text
    assert f"beleidsversie {TILBURG['version']}" in text
    _assert_legal_remedy_nl(text)


def test_refusal_letter_names_the_failed_rules_in_plain_words(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = _holder(session, "nl")
    application = make_application(session, holder, age=17)
    body = _decide(client, clerk, application.id, "refuse", "U bent jonger dan 18 jaar.")
    assert body["cited_rules"] == ["age.minimum"]

    text = _letter(client, session, holder, DocumentKind.decision_refuse)
    assert "Besluit op uw aanvraag: vergunning geweigerd" in text
    assert "U bent jonger dan 18 jaar." in text
    assert "Regels waaraan uw aanvraag niet voldoet" in text
    assert "U bent jonger dan 18 jaar, de minimumleeftijd voor deze vergunning." in text
    assert TILBURG["permit_types"]["sex_worker"]["reference"] in text
    _assert_legal_remedy_nl(text)
    # No permit was issued: no permit PDF either.
    assert _documents(session, subject_id=application.id, kind=DocumentKind.permit) == []


def test_refusal_letter_in_english_for_an_english_speaker(
    client: TestClient, session: Session, clerk: User
) -> None:
    holder = _holder(session, "en")
    application = make_application(session, holder, age=17)
    _decide(client, clerk, application.id, "refuse", "You are younger than 18.")
    text = _letter(client, session, holder, DocumentKind.decision_refuse)
    assert "Decision on your application: permit refused" in text
    assert "You are younger than 18." in text
    assert "You are younger than 18, the minimum age for this permit." in text
    assert "objection (bezwaar)" in text and "6 weeks" in text
    assert TILBURG["municipality"]["objection_address"] in text


@pytest.mark.parametrize(
    ("action", "kind", "title"),
    [
        ("suspend", DocumentKind.decision_suspend, "Besluit: uw vergunning is geschorst"),
        ("revoke", DocumentKind.decision_revoke, "Besluit: uw vergunning is ingetrokken"),
    ],
)
def test_suspension_and_revocation_letters(
    client: TestClient,
    session: Session,
    clerk: User,
    action: str,
    kind: DocumentKind,
    title: str,
) -> None:
    holder = _holder(session, "nl")
    permit = _approved(client, session, holder, clerk, working_name="Roos")
    reason = f"Reden voor {action}: herhaalde overlast"
    response = client.post(
        f"{API}/permits/{permit.number}/{action}",
        json={"reason": reason},
        headers=token_for(client, clerk),
    )
    assert response.status_code == 200, response.text
    text = _letter(client, session, holder, kind, subject_id=permit.id)
    assert title in text
    assert reason in text
    assert permit.number in text
    assert TILBURG["permit_types"]["sex_worker"]["reference"] in text
    _assert_legal_remedy_nl(text)


# ---- the rendering path -------------------------------------------------------------------


def test_weasyprint_is_not_imported_at_app_start_up() -> None:
    code = (
        "import sys; from app.main import create_app; create_app(); "
        "print('weasyprint' in sys.modules, 'pyhanko' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


class _NoNetwork:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[object] = []
        monkeypatch.setattr(socket, "getaddrinfo", self._refuse)
        monkeypatch.setattr(socket, "create_connection", self._refuse)
        monkeypatch.setattr(socket.socket, "connect", self._refuse_method)

    def _refuse(self, *args: object, **kwargs: object) -> object:
        self.calls.append(args)
        raise OSError("network use in a test")

    def _refuse_method(self, sock: object, *args: object) -> object:
        self.calls.append(args)
        raise OSError("network use in a test")


@pytest.mark.parametrize(
    "html",
    [
        '<img src="http://example.invalid/x.png">',
        '<img src="https://example.invalid/x.png">',
        '<link rel="stylesheet" href="http://example.invalid/x.css">',
        '<style>@import url("https://example.invalid/y.css");</style>',
    ],
)
def test_rendering_refuses_remote_urls(monkeypatch: pytest.MonkeyPatch, html: str) -> None:
    from weasyprint import urls

    refused: list[str] = []
    original = urls.URLFetcher.fetch

    def fetch(self: Any, url: str, headers: Any = None) -> Any:
        try:
            return original(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    monkeypatch.setattr(urls.URLFetcher, "fetch", fetch)
    network = _NoNetwork(monkeypatch)
    document = f'<html lang="nl"><head><title>t</title>{html}</head><body><p>x</p></body></html>'
    started = time.monotonic()
    try:
        pdf = render.html_to_pdf(document)
    except BaseException as exc:  # WeasyPrint's FatalURLFetchingError is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
    else:
        assert pdf.startswith(b"%PDF-")
    assert time.monotonic() - started < 10
    assert network.calls == []
    assert refused and all("example.invalid" in url for url in refused)


def test_rendering_still_reads_its_own_stylesheet_and_data_uris(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    network = _NoNetwork(monkeypatch)
    html = render.render_html(
        "letter.html",
        {
            "title": "Proef",
            "opening": "Proef",
            "date": "01-01-2026",
            "reference_code": "ABC",
            "permit_number": None,
            "addressee": "Roos",
            "reason": None,
            "failed_rules": [],
            "facts": [],
            "authority": "De burgemeester",
            "objection_address": "Postbus 1",
            "objection_weeks": 6,
            "policy_reference": "Beleid",
            "policy_version": "1",
        },
        "nl",
    )
    assert 'href="print.css"' in html and "data:image/" in html
    pdf = render.html_to_pdf(html)
    assert network.calls == []
    assert "Proef" in pdf_text(pdf)
