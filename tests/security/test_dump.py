"""After a full journey (an applicant applies with their legal identity and uploads an
identity document, a clerk decides, a neighbour reports nuisance with contact details, an
inspector makes a signal), a dump of the database and the data folder holds none of it in
plain text: no legal name, birth date, e-mail address, phone number or uploaded content.
On both databases, with real commits."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, select

import app.deps
import app.models
from app.auth.models import Role
from app.config import get_settings
from app.mail.models import OutboxMessage
from app.main import create_app
from tests.factories import PASSWORD, make_user, token_for

LEGAL_NAME = "Zsófia Markervrouw-Geheimnaam"
BIRTH_DATE = "1990-04-17"
EMAIL = "zsofia.marker.7731@example.org"
PHONE = "+31 6 1234 9876"
NEIGHBOUR = "buurman.marker.5510@example.org"
UPLOAD_MARKER = "IDENTITY-CONTENT-MARKER-7731"
SIGNAL_NOTE = "Paspoort ingehouden door de uitbater, marker 4419"


def _identity_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": UPLOAD_MARKER, "/Author": LEGAL_NAME})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _dump(engine: Engine, data_dir: Path) -> str:
    parts: list[str] = []
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
            database = Path(str(engine.url.database))
            for path in (database, Path(f"{database}-wal")):
                if path.exists():
                    parts.append(path.read_bytes().decode("latin-1"))
        else:
            for table in SQLModel.metadata.sorted_tables:
                rows = connection.execute(text(f'SELECT CAST(t AS text) FROM "{table.name}" t'))
                parts += [row[0] for row in rows]
    for path in data_dir.rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_a_dump_after_a_journey_holds_no_personal_data_in_plain_text(
    isolated_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.deps, "get_engine", lambda: isolated_engine)
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    with Session(isolated_engine, expire_on_commit=False) as session:
        clerk = make_user(session, Role.clerk)
        inspector = make_user(session, Role.inspector)
        session.commit()
    with TestClient(create_app()) as client:
        registered = client.post(
            "/api/v1/auth/register",
            json={"email": EMAIL, "password": PASSWORD, "language": "nl"},
        )
        assert registered.status_code in (201, 202), registered.text
        with Session(isolated_engine, expire_on_commit=False) as session:
            from app.auth import service as auth_service

            applicant = auth_service.get_by_email(session=session, email=EMAIL)
            assert applicant is not None
            (confirmation,) = session.exec(
                select(OutboxMessage).where(OutboxMessage.to_user_id == applicant.id)
            ).all()
            link = urlsplit(str(confirmation.values["link"]))
            token = parse_qs(link.query)["token"][0]
        assert client.post("/api/v1/auth/confirm", json={"token": token}).status_code == 200
        with Session(isolated_engine, expire_on_commit=False) as session:
            applicant = auth_service.get_by_email(session=session, email=EMAIL)
            assert applicant is not None
            headers = token_for(client, applicant)
        made = client.post(
            "/api/v1/applications",
            json={
                "permit_type": "sex_worker",
                "working_name": "Zsa",
                "legal_name": LEGAL_NAME,
                "birth_date": BIRTH_DATE,
                "email": EMAIL,
                "phone": PHONE,
            },
            headers=headers,
        )
        assert made.status_code == 201, made.text
        application_id = made.json()["id"]
        uploaded = client.post(
            f"/api/v1/applications/{application_id}/documents",
            data={"kind": "identity_document"},
            files={"file": ("paspoort.pdf", _identity_pdf(), "application/pdf")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
        assert client.post(
            f"/api/v1/applications/{application_id}/submit", headers=headers
        ).is_success
        decided = client.post(
            f"/api/v1/applications/{application_id}/decision",
            json={"decision": "approve"},
            headers=token_for(client, clerk),
        )
        assert decided.status_code == 200, decided.text
        reported = client.post(
            "/api/v1/nuisance-reports",
            json={
                "postcode": "5038 AB",
                "house_number": "12",
                "category": "noise",
                "observed_on": "2026-11-20",
                "description": "Harde muziek tot drie uur.",
                "contact": {"email": NEIGHBOUR, "phone": "+31 6 5555 0101"},
                "contact_consent": True,
            },
        )
        assert reported.status_code in (201, 202), reported.text
        signal = client.post(
            "/api/v1/signals",
            json={"indicators": ["signs_of_coercion"], "note": SIGNAL_NOTE},
            headers=token_for(client, inspector),
        )
        assert signal.status_code == 201, signal.text

    dump = _dump(isolated_engine, tmp_path)
    assert "Zsa" in dump  # the dump is real: the working name is not secret
    for secret in (
        LEGAL_NAME,
        "Markervrouw",
        BIRTH_DATE,
        "17-04-1990",
        EMAIL,
        PHONE,
        NEIGHBOUR,
        UPLOAD_MARKER,
        SIGNAL_NOTE,
    ):
        assert secret not in dump, secret
