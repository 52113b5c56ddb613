"""Builders for test objects, going through the real services."""

from __future__ import annotations

import io
import itertools
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.applications.models import Application
from app.auth import mfa
from app.auth import service as auth_service
from app.auth.models import Role, User, UserCreate
from app.auth.ratelimit import MfaThrottle
from app.permits.models import Permit

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(
    session: Session, role: Role = Role.applicant, email: str | None = None, *, enrol: bool = True
) -> User:
    """An account through the service; a staff account has set up two-factor login (as its
    owner would at first login) unless `enrol=False`."""
    email = email or f"{role.value}{next(_counter)}@example.org"
    user = auth_service.create(
        session=session, data=UserCreate(email=email, password=PASSWORD, role=role), actor=None
    )
    if enrol and user.mfa_required:
        enrol_mfa(session, user)
    session.commit()  # as a request would: a later failing request keeps what was made
    return user


# ---- two-factor login of staff ---------------------------------------------------------------

MFA_SECRETS: dict[str, str] = {}
"""The TOTP secret of every staff account the tests enrolled, by e-mail address."""
_LAST_STEP: dict[str, int] = {}


def enrol_mfa(session: Session, user: User) -> list[str]:
    """Set up two-factor login through the service, with a code computed as the app would;
    returns the recovery codes. The caller commits."""
    secret = mfa.pending_secret(session=session, user=user)
    MFA_SECRETS[user.email] = secret
    _LAST_STEP.pop(user.email, None)
    return mfa.confirm_enrolment(
        session=session, user=user, code=totp_code(user.email), throttle=MfaThrottle(), client="t"
    )


def totp_code(email: str, user: User | None = None) -> str:
    """A code of the account's authenticator app that the server has not seen yet (each code
    is accepted once): the current one, or the next one (accepted for clock drift).

    When both were used, a test holding the account in its session lets the server forget
    the codes it saw (as if 30 seconds had passed); otherwise (a live server) this waits
    for the next 30 seconds."""
    import pyotp

    totp = pyotp.TOTP(MFA_SECRETS[email])
    now_step = int(time.time()) // 30
    step = max(now_step, _LAST_STEP.get(email, -1) + 1)
    if step > now_step + 1:
        db = Session.object_session(user) if user is not None else None
        if user is not None and db is not None and user.mfa_secret:
            user.mfa_secret = {"secret": user.mfa_secret["secret"]}
            db.add(user)
            db.flush()
            step = now_step
        else:
            time.sleep((step - 1) * 30 - time.time() + 0.5)
    _LAST_STEP[email] = step
    return totp.at(step * 30)


def token_for(client: TestClient, user: User) -> dict[str, str]:
    data = {"username": user.email, "password": PASSWORD}
    if user.email in MFA_SECRETS:
        data["totp"] = totp_code(user.email, user)
    response = client.post("/api/v1/auth/token", data=data)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def login_page(client: TestClient, user: User) -> None:
    """Log in through the HTML form (session cookie + CSRF), with the second step for
    staff."""
    page = client.get("/login")
    token = csrf_from(page.text)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/home"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/login/code":
        token = csrf_from(client.get("/login/code").text)
        response = client.post(
            "/login/code",
            data={"code": totp_code(user.email, user), "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


def csrf_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# ---- applications and permits ---------------------------------------------------------------


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 80, 200)).save(out, format=kind)
    return out.getvalue()


# Real, tiny files: uploads are read (PDFs checked for active content, images re-encoded).
PDF_BYTES = _pdf()
PNG_BYTES = _image("PNG")
JPEG_BYTES = _image("JPEG")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

LEGAL_NAME = "Johanna Geheimnaam-Verborgen"


def legal_name_of(applicant: User) -> str:
    """The legal name of the person behind a test account: LEGAL_NAME and a part of the
    account's id, so that two accounts are two people and LEGAL_NAME is in every name."""
    return f"{LEGAL_NAME} {applicant.id.hex[:6]}"


def birth_date_for_age(years: int, on: date | None = None) -> date:
    """A birth date that makes someone exactly `years` old (a few days past a birthday)."""
    from app.db import local_today
    from app.policy.evaluate import add_months

    today = on or local_today()
    return add_months(today, -12 * years) - timedelta(days=10)


def application_data(
    permit_type: str = "sex_worker", *, age: int = 30, working_name: str = "Roos", **overrides: Any
) -> dict[str, Any]:
    """Every field the app knows, valid; the service keeps only what the policy asks for."""
    data: dict[str, Any] = {
        "permit_type": permit_type,
        "working_name": working_name,
        "legal_name": LEGAL_NAME,
        "birth_date": birth_date_for_age(age).isoformat(),
        "email": "applicant@example.org",
        "phone": "+31 6 12345678",
        "business_name": f"Huis {working_name}",
        "business_address_postcode": "5038 AB",
        "business_address_house_number": "12",
        "kvk_number": "12345678",
        "description": "A small private house with two rooms.",
    }
    data.update(overrides)
    return data


def required_documents(permit_type: str) -> tuple[str, ...]:
    from app.policy import service as policy_service

    spec = policy_service.load_configured().policy.permit_type(permit_type)
    return spec.required_documents if spec else ()


def make_application(
    session: Session,
    applicant: User | None = None,
    *,
    permit_type: str = "sex_worker",
    age: int = 30,
    documents: bool = True,
    submit: bool = True,
    **overrides: Any,
) -> Application:
    """An application through the services: a draft, filled in, documents, submitted."""
    from app.applications import service as applications_service
    from app.applications.models import ApplicationCreate
    from app.flows import uploads

    applicant = applicant or make_user(session)
    # One account, one person (unless a test says otherwise): the policy allows one person
    # one sex worker permit, and different accounts stand for different people here.
    overrides.setdefault("legal_name", legal_name_of(applicant))
    data = ApplicationCreate.model_validate(application_data(permit_type, age=age, **overrides))
    application = applications_service.create(session=session, data=data, actor=applicant)
    if documents:
        for kind in required_documents(permit_type):
            uploads.add_document(
                session=session,
                application_id=application.id,
                kind=kind,
                filename=f"{kind}.pdf",
                content=PDF_BYTES,
                actor=applicant,
            )
    if submit:
        application = applications_service.submit(
            session=session, application_id=application.id, actor=applicant
        )
    session.commit()
    return application


def approve(session: Session, application: Application, clerk: User | None = None) -> Permit:
    """Approve through the decision service and return the permit it issued."""
    from app.applications import service as applications_service
    from app.applications.models import DecisionKind
    from app.flows import decisions

    clerk = clerk or make_user(session, Role.clerk)
    decisions.decide(
        session=session,
        application_id=application.id,
        decision=DecisionKind.approve,
        reason=None,
        actor=clerk,
    )
    permit = applications_service.permit_of(session=session, application_id=application.id)
    assert permit is not None
    return permit


def make_permit(
    session: Session, applicant: User | None = None, *, clerk: User | None = None, **kwargs: Any
) -> Permit:
    application = make_application(session, applicant, **kwargs)
    return approve(session, application, clerk)


def policy_variant(directory: Path, base: str, changes: list[tuple[str, str, str]]) -> Path:
    """A copy of `policies/<base>.toml` with `old` replaced by `new` once inside each
    `[section]` (the first occurrence after the section header); written to `directory`."""
    from app.config import PROJECT_ROOT

    text = (PROJECT_ROOT / "policies" / f"{base}.toml").read_text(encoding="utf-8")
    for section, old, new in changes:
        start = text.index(f"[{section}]")
        at = text.index(old, start)
        text = text[:at] + new + text[at + len(old) :]
    target = directory / f"{base}-variant-{next(_counter)}.toml"
    target.write_text(text, encoding="utf-8")
    return target


# ---- generated documents (PDF text, throwaway signing certificates) --------------------------


def pdf_pages(content: bytes) -> list[str]:
    """The text of every page of a PDF, whitespace collapsed (lines wrap anywhere)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return " ".join(pdf_pages(content))


def signing_certificate(directory: Path, common_name: str = "Gemeente Test") -> dict[str, Path]:
    """A throwaway CA and a signing certificate issued by it (digital signature and
    non-repudiation, valid from an hour ago for 30 days), written as PEM files.

    Returns the paths: `root` (the CA certificate), `cert` and `key` (the signer's)."""
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)

    def usage(**on: bool) -> x509.KeyUsage:
        flags = dict.fromkeys(
            (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ),
            False,
        )
        return x509.KeyUsage(**{**flags, **on})

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=60))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "root": directory / "root.pem",
        "cert": directory / "signing-cert.pem",
        "key": directory / "signing-key.pem",
    }
    paths["root"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths
